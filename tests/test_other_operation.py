"""A request to remove or switch off what a function makes, which its app cannot, gets no call."""

from __future__ import annotations

import pytest

from orchestrator.data.datagen import generate
from orchestrator.registry import Registry, tools_from_file
from orchestrator.request.other_operation import asks_another_operation

from .conftest import DATA, premise_calls


@pytest.mark.parametrize(
    ("app", "function", "query", "arguments", "refused"),
    [
        ("android", "set_alarm", "cancel my 7 am alarm", {"time": "7 am"}, True),
        # making or publishing what a look-up finds
        ("android", "search_youtube_videos", "upload my video to youtube", {"query": "upload my video"}, True),
        ("android", "search_youtube_videos", "broadcast a video in youtube", {"query": "youtube"}, True),
        ("yelp", "get_business_reviews", "write a review for Tartine saying it was great",
         {"business_name": "Tartine"}, True),
        ("yelp", "get_business_reviews", "show me reviews for Tartine", {"business_name": "Tartine"}, False),
        ("android", "search_youtube_videos", "search youtube for how to upload videos",
         {"query": "how to upload videos"}, False),  # inside the query, not the request's verb
        ("android", "get_trending_news", "what's the latest post from nasa", {"query": "nasa"}, False),
        ("android", "set_alarm", "午前6時のアラームを停止", {"time": "午前6時のアラーム"}, True),  # stop
        ("android", "send_text_message", "Lösche meine Erinnerung Dad zu texten", {"message": "texten"}, True),
        ("android", "play_music", "stop the music", {}, True),
        ("android", "create_calendar_event", "删除明天的会议", {"title": "会议"}, True),  # delete
        ("yelp", "make_reservation", "cancel my reservation at Nopa", {"business_name": "Nopa"}, True),
        ("android", "set_alarm", "アラーム を 見せ て", {}, True),  # show me the alarms
        ("android", "set_volume", "show me the ringer volume", {"volume_type": "ring"}, True),  # a setting's value
        ("android", "send_text_message", "do i have any new messages from mom", {"contact_name": "mom"}, True),
        ("android", "create_calendar_event", "is there any program for tomorrow evening",
         {"start_time": "tomorrow evening"}, True),
        ("android", "set_alarm", "when is my next alarm", {}, True),
        ("android", "set_alarm", "i don't need the 7 am alarm anymore", {"time": "7 am"}, True),
        ("android", "connect_bluetooth_device", "is bluetooth connected", {}, True),  # a yes-or-no question
        ("android", "set_alarm", "alexa, are my alarms on", {}, True),
        ("android", "set_alarm", "please let me know the time of my morning alarm", {"label": "morning"}, True),
        ("android", "play_music", "what song is playing right now", {}, True),
        ("android", "play_music", "who sang hotel california", {"query": "hotel california"}, True),
        ("android", "set_alarm", "any alarms for tomorrow morning", {"time": "tomorrow morning"}, True),
        ("android", "create_calendar_event", "push my 9 am meeting back an hour",
         {"title": "9 am meeting", "start_time": "my 9 am meeting"}, True),
        ("android", "set_alarm", "snooze the alarm for ten minutes", {"time": "ten minutes"}, True),
        ("android", "create_calendar_event", "move my dentist appointment to friday",
         {"title": "dentist appointment", "start_time": "friday"}, True),
        ("android", "play_music", "change the song to bohemian rhapsody", {"query": "bohemian rhapsody"}, False),
        ("android", "set_alarm", "let me know when it's 7 am", {"time": "7 am"}, False),  # asks for an alarm
        ("android", "create_calendar_event", "let me know about the meeting on friday",
         {"title": "the meeting", "start_time": "friday"}, False),  # a reminder
        ("android", "create_calendar_event", "tell me to take my pills at 8",
         {"title": "take my pills", "start_time": "8"}, False),  # a reminder
        ("android", "play_music", "play who let the dogs out", {"query": "who let the dogs out"}, False),
        ("android", "set_alarm", "show me how to set an alarm for 7", {"time": "7"}, False),  # a making verb
        ("android", "set_alarm", "set an alarm for 7 am", {"time": "7 am"}, False),
        ("android", "send_text_message", "text mom stop calling me", {"message": "stop calling me"}, False),  # a value
        ("android", "set_alarm", "cancel my 7 am alarm and set one for 8", {"time": "8"}, False),  # a second request
        ("android", "play_music", "play Don't Stop Believin'", {"query": "Don't Stop Believin'"}, False),
        ("android", "toggle_flashlight", "turn off the flashlight", {"on": False}, False),  # its value does it
        ("doordash", "order_food", "cancel my pizza order", {"item": "pizza"}, False),  # cancel_order's: its own rule
        # to be told later, or again and again, which a look-up does not do
        ("android", "get_trending_news", "turn on alerts for breaking news", {}, True),
        ("android", "get_trending_news", "notify me of the latest news on the stock market",
         {"query": "the stock market"}, True),
        ("android", "get_trending_news", "send me tech headlines every morning", {"query": "tech"}, True),
        ("android", "get_weather_forecast", "alert me if it's going to rain in Boston", {"location": "Boston"}, True),
        ("doordash", "track_order", "keep me posted on my order", {}, True),
        ("android", "get_trending_news", "每天早上给我推送科技新闻", {"query": "科技"}, True),  # every day
        ("android", "get_trending_news", "what's the latest tech news", {"query": "tech"}, False),
        ("android", "get_weather_forecast", "what's the weather every day this week", {}, False),
        ("android", "get_trending_news", "news about every day life in Paris", {"query": "every day life in Paris"},
         False),  # inside the query
        ("android", "set_timer", "alert me in 10 minutes", {"minutes": 10}, False),  # no look-up
        # to be sent something: the user receives, no one else
        ("android", "send_text_message", "send me a reminder to pick up my dog from the groomer at one pm",
         {"contact_name": "the groomer", "message": "pick up my dog from the groomer"}, True),
        ("android", "send_email", "can you email me the quarterly report", {"title": "the quarterly report"}, True),
        ("android", "send_text_message", "schick mir die Adresse", {"message": "die Adresse"}, True),
        ("android", "send_text_message", "text mom to send me the photos", {"contact_name": "mom"}, False),
        ("android", "send_text_message", "send mike a text saying call me", {"contact_name": "mike"}, False),
        ("android", "create_calendar_event", "send me a reminder to call mom at 5",
         {"title": "call mom", "start_time": "5"}, False),  # a reminder sends nothing to anyone
    ],
)  # fmt: skip
def test_a_request_for_an_operation_the_app_lacks(
    builtin_registry, app: str, function: str, query: str, arguments: dict, refused: bool
) -> None:
    application = builtin_registry.app(app)
    assert asks_another_operation(application, application.function(function), query, arguments) == refused


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_call_asks_another_operation(project_registry, builtin_registry, app: str) -> None:
    """The rule's premise: no request that targets a call, in the committed training data of the
    app's adapters (English and other languages) or generated in any phrasebook language, asks
    to remove or switch off what its function makes."""
    application = project_registry.app(app)
    calls = premise_calls(project_registry, builtin_registry, app)
    assert len(calls) > 1500
    refused = [query for fn, arguments, query in calls if asks_another_operation(application, fn, query, arguments)]
    assert not refused


def test_an_app_from_a_tools_file_refuses_its_siblings_and_keeps_its_calls(tmp_path) -> None:
    """The schema-only CI app: its generated calls stand, its own sibling requests are refused."""
    registry = Registry(path=tmp_path / "registry.yaml")
    app = registry.add_app("smarthome", *tools_from_file(DATA / "smarthome.json"))
    examples, _ = generate(app, 400, seed=11, registry=registry)
    calls = [(app.function(ex.function), ex) for ex in examples if ex.function]
    assert not [ex.query for fn, ex in calls if asks_another_operation(app, fn, ex.query, ex.arguments)]
    assert len(calls) > 300


def test_no_call_end_to_end(orchestrator) -> None:
    """Router and adapters end to end: "stop the 6 am alarm" in Japanese set an alarm at "午前6時のアラーム"."""
    assert orchestrator.run("午前 6 時 の アラーム を 停止").function is None
    assert orchestrator.run("cancel my alarm for 7 am").function is None
    assert orchestrator.run("set an alarm for 7 am").function == "set_alarm"
    assert orchestrator.run("upload my video to youtube").function is None  # was a search for "upload my video"
    assert orchestrator.run("turn on alerts for breaking news").function is None  # was get_trending_news
    assert orchestrator.run("what's the latest tech news").function == "get_trending_news"
    # was a text to "the groomer"
    assert orchestrator.run("send me a reminder to pick up my dog from the groomer at one pm").function != (
        "send_text_message"
    )
