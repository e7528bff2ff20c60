"""A statement of taste, the assistant's name alone, a report of what happened, a description
of how things are or a question about what was done asks for nothing: no call."""

from __future__ import annotations

import pytest

from orchestrator.data.datagen import generate
from orchestrator.data.languages import LANGUAGES
from orchestrator.registry import Registry, tools_from_file
from orchestrator.request.statement import (
    asks_about_the_past,
    asks_for_nothing,
    calls_unasked,
    describes_instead_of_asking,
    only_wakes,
    reports_the_past,
    states_a_taste,
)

from .conftest import DATA, committed_training_calls


@pytest.mark.parametrize(
    ("query", "statement"),
    [
        ("i love hip hop", True),
        ("i like jazz you should know", True),
        ("hey google, i love sushi", True),
        ("olly i really love this song", True),
        ("ich mag Jazz", True),
        ("me encanta el jazz", True),
        ("我喜欢爵士乐", True),
        ("私はジャズが好きです", True),
        ("i like to listen to jazz", False),  # an infinitive asks
        ("I'd like a large pizza", False),
        ("i love jazz, play some", False),  # a making verb asks
        ("play i love rock n roll", False),  # a title
        ("我喜欢听爵士乐", False),  # I like listening to: asks
        ("like jazz", False),
    ],
)
def test_a_statement_of_taste(query: str, statement: bool) -> None:
    assert states_a_taste(query) == statement


@pytest.mark.parametrize(
    ("query", "report"),
    [
        ("i called my mom this morning", True),
        ("my brother texted me an hour ago", True),
        ("she sent me a text this afternoon", True),  # "text" a noun
        ("i had pizza for dinner last night", True),
        ("yesterday we went to a jazz concert", True),
        ("olly i already set an alarm for 7", True),
        ("i tried the new thai place", True),
        ("i set an alarm for 7", False),  # "set" is a present form too
        ("i need to call my mom", False),  # "need" is no past
        ("i wanted to order a pizza", False),  # a polite past asks
        ("i just wanted to know the weather", False),
        ("i was wondering if you could play jazz", False),
        ("i needed to finish my homework last night", True),  # what was needed; a request says "i need to"
        ("i got to be up at 6", False),  # I have to
        ("i got a dentist appointment on friday at 3", False),  # I have got
        ("i got invited to a barbecue on saturday", True),
        ("i called mom, call her again", False),  # a verb of a request after the report
        ("i missed my alarm, wake me at 7 tomorrow", False),
        ("i made dinner plans for 7, put it in my calendar", False),
        ("i missed the news today, what's trending", False),  # a question after the report
        ("call my mom", False),
        ("played by the beatles", False),
    ],
)
def test_a_report_of_the_past(query: str, report: bool) -> None:
    assert reports_the_past(query) == report


@pytest.mark.parametrize(
    ("query", "description"),
    [
        ("it's cloudy today", True),
        ("the weather was terrible yesterday", True),
        ("hey google, it is freezing outside", True),
        ("today is sunny", True),
        ("it's going to rain tomorrow", False),  # what will be may be asked without a question mark
        ("it's cold, do i need a jacket", False),  # asks after the description
        ("it's hot today, isn't it", False),  # a question tagged on
        ("it is very hot today is not it", False),
        ("today's local events", False),  # "today's" is no "today is"
        ("is it going to rain", False),
        ("weather in Paris", False),
    ],
)
def test_a_description_of_how_things_are(project_registry, query: str, description: bool) -> None:
    weather = project_registry.app("android").function("get_weather_forecast")
    assert describes_instead_of_asking(weather, query) == description


def test_a_setting_may_be_asked_for_by_saying_how_things_are(project_registry) -> None:
    """Only a look-up is refused: "it's too loud" asks the car to turn the volume down."""
    assert not describes_instead_of_asking(project_registry.app("vehicle").function("adjust_volume"), "it's too loud")


@pytest.mark.parametrize(
    ("query", "waking"),
    [("google", True), ("Hey Siri.", True), ("um, alexa", True), ("olly", True), ("google maps", False),
     ("hey google play jazz", False), ("", False), ("谷歌", False)],
)  # fmt: skip
def test_the_assistant_s_name_alone(query: str, waking: bool) -> None:
    assert only_wakes(query) == waking


@pytest.mark.parametrize(
    ("function", "query", "called_only"),
    [
        ("make_phone_call", "alarm at 6 called yoga", True),
        ("make_phone_call", "mom called", True),
        ("make_phone_call", "who called me", True),
        ("make_phone_call", "call the restaurant called Nopa", False),
        ("make_phone_call", "ring the shop called Blue Bottle", False),
        ("make_phone_call", "tell bob smith", True),  # a message
        ("make_phone_call", "text my sister", True),
        ("make_phone_call", "call mom and tell her i'm late", False),
        ("make_phone_call", "I need to talk to Dr. Patel", False),
        ("make_phone_call", "phone mom", False),
        ("set_alarm", "alarm at 6 called yoga", False),  # a function that does not call
    ],
)
def test_called_and_no_word_that_asks_to_call(builtin_registry, function: str, query: str, called_only: bool):
    assert calls_unasked(builtin_registry.app("android").function(function), query) == called_only


@pytest.mark.parametrize(
    ("app", "function", "query", "past_question"),
    [
        ("doordash", "reorder_last", "what did I order last time", True),
        ("android", "make_phone_call", "who did I call yesterday", True),
        ("android", "send_text_message", "what did mom text me", True),
        ("android", "set_alarm", "hey google, when did i set my alarm", True),
        ("android", "set_alarm", "did I set an alarm for 7", True),
        ("android", "send_email", "have you sent my email to bob", True),
        ("android", "set_alarm", "what have I set for tomorrow", True),
        ("doordash", "reorder_last", "what did i order last time, order it again", False),  # asks after it
        ("android", "set_alarm", "did i set an alarm? if not set one for 7", False),
        ("yelp", "make_reservation", "which restaurant has a table at 7", False),  # how things are
        ("doordash", "track_order", "has my order left", False),  # a look-up answers
        ("android", "make_phone_call", "call mom", False),
    ],
)
def test_a_question_about_what_was_done(builtin_registry, app: str, function: str, query: str, past_question: bool):
    assert asks_about_the_past(builtin_registry.app(app).function(function), query) == past_question


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_call_is_a_statement(project_registry, builtin_registry, app: str) -> None:
    """The rules' premise: no request a call was trained on (committed data of the app's
    adapters, requests generated in every phrasebook language) states a taste, reports the past,
    to a look-up, describes how things are, to a function that calls, says "called" or a verb of
    messaging and no word that asks to call, or to one that does something, asks what was done."""
    application = project_registry.app(app)
    other_languages = project_registry.keyed_adapter(application.adapter_key(True))[1] / "train.jsonl"
    calls = [(fn, query) for fn, _, query, _ in committed_training_calls(project_registry, app)]
    calls += [(fn, query) for fn, _, query, _ in committed_training_calls(project_registry, app, other_languages)]
    examples, _ = generate(builtin_registry.app(app), 1500, seed=11, registry=builtin_registry, languages=LANGUAGES)
    calls += [(application.function(ex.function), ex.query) for ex in examples if ex.function]
    assert len(calls) > 1500
    assert not [query for fn, query in calls if asks_for_nothing(fn, query)]


def test_no_call_of_an_app_from_a_tools_file_is_a_statement(tmp_path) -> None:
    registry = Registry(path=tmp_path / "registry.yaml")
    app = registry.add_app("smarthome", *tools_from_file(DATA / "smarthome.json"))
    examples, _ = generate(app, 400, seed=11, registry=registry)
    assert not [ex.query for ex in examples if ex.function and asks_for_nothing(app.function(ex.function), ex.query)]


def test_a_statement_of_taste_end_to_end(orchestrator) -> None:
    """Router, adapter and rule end to end: the android adapter played jazz."""
    assert orchestrator.run("i like jazz you should know").function is None
    assert orchestrator.run("play some jazz").function == "play_music"


def test_a_report_of_the_past_end_to_end(orchestrator) -> None:
    """Router, adapter and rule end to end: the android adapter called mom."""
    assert orchestrator.run("i called my mom this morning").function is None
    assert orchestrator.run("i need to call my mom").function == "make_phone_call"


def test_called_and_no_word_that_asks_to_call_end_to_end(orchestrator) -> None:
    """Router, adapter and rule end to end: the android adapter called "yoga"."""
    assert orchestrator.run("alarm at 6 called yoga").function != "make_phone_call"
    assert orchestrator.run("call the restaurant called Nopa").function == "make_phone_call"
    assert orchestrator.run("tell bob smith").function != "make_phone_call"  # called him


def test_a_question_about_what_was_done_end_to_end(orchestrator) -> None:
    """Router, adapter and rule end to end: the DoorDash adapter reordered."""
    assert orchestrator.run("what did I order last time").function is None
    assert orchestrator.run("order what I had last time again").function == "reorder_last"


def test_the_assistant_s_name_alone_end_to_end(orchestrator) -> None:
    """Router, adapter and rule end to end: "google" opened the Google app."""
    assert orchestrator.run("google").function is None
    assert orchestrator.run("hey google call mom").function == "make_phone_call"


def test_a_description_of_how_things_are_end_to_end(orchestrator) -> None:
    """Router, adapter and rule end to end: the android adapter looked up the forecast."""
    assert orchestrator.run("it's cloudy today").function is None
    assert orchestrator.run("is it going to be cloudy in Boston today").function == "get_weather_forecast"
