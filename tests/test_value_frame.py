"""A free-text value keeps the qualifiers the request puts before it ("a large pepperoni pizza"), a
value made of the request's frame alone is none (``origin="from"``), and a time keeps the day said
after it ("6:15 tomorrow")."""

from __future__ import annotations

import re

import pytest

from orchestrator.data.datagen import generate
from orchestrator.registry import Registry, tools_from_file
from orchestrator.request.grounding import NEEDS_INPUT
from orchestrator.request.value_frame import (
    a_clock_time_is_no_date,
    a_lone_end_as_the_start,
    frame_only_dropped,
    no_title_that_is_the_message,
    the_whole_message,
    time_and_thing_swapped,
    times_for_things_dropped,
    when_apart_from_other_values,
    when_less_its_frame,
    with_its_artist,
    with_its_clock_time,
    with_its_day,
    with_qualifiers,
    with_the_whole_time,
)

from .conftest import DATA, premise_calls


@pytest.mark.parametrize(
    ("app", "function", "query", "arguments", "widened"),
    [
        ("doordash", "order_food", "order a large pepperoni pizza", {"item": "pepperoni pizza"},
         {"item": "large pepperoni pizza"}),
        ("doordash", "order_food", "two small fries from McDonald's", {"item": "fries", "restaurant": "McDonald's",
         "quantity": 2}, {"item": "small fries", "restaurant": "McDonald's", "quantity": 2}),
        ("android", "search_youtube_videos", "search youtube for beginner guitar lessons", {"query": "guitar lessons"},
         {"query": "beginner guitar lessons"}),
        ("doordash", "order_food", "I want three tacos", {"item": "tacos"}, {"item": "tacos"}),  # a count
        ("doordash", "order_food", "order a dozen donuts", {"item": "donuts"}, {"item": "donuts"}),
        ("yelp", "search_businesses", "top rated sushi in Seattle", {"term": "sushi", "location": "Seattle"},
         {"term": "sushi", "location": "Seattle"}),  # "top rated" is how sort_by is said
        ("yelp", "search_businesses", "a cheap taco place", {"term": "taco"}, {"term": "taco"}),  # price
        ("android", "set_alarm", "an alarm at 5:45 labelled flight", {"time": "5:45", "label": "flight"},
         {"time": "5:45", "label": "flight"}),  # a naming word
        ("android", "send_text_message", "txt Ben good luck", {"contact_name": "Ben", "message": "good luck"},
         {"contact_name": "Ben", "message": "good luck"}),  # a slip of "text"
        ("android", "connect_bluetooth_device", "connect my headphones", {"device_name": "headphones"},
         {"device_name": "headphones"}),  # a possessive
        ("yelp", "make_reservation", "book Nopa at 3pm Sunday for 2", {"business_name": "Nopa", "date": "Sunday",
         "party_size": 2}, {"business_name": "Nopa", "date": "Sunday", "party_size": 2}),  # a date
        ("doordash", "order_food", "来一份大号披萨", {"item": "披萨"}, {"item": "披萨"}),  # no spaces, no words
        ("android", "make_phone_call", "call my sister Anna", {"contact_name": "Anna"}, {"contact_name": "Anna"}),
        ("android", "create_calendar_event", "add a quick sync with Dana tomorrow at 3",
         {"title": "sync with Dana", "start_time": "tomorrow at 3"},
         {"title": "quick sync with Dana", "start_time": "tomorrow at 3"}),
        # After the value: the head noun it ends with, not the frame ("videos", "please"), another
        # value, a count or a word the value ends inside.
        ("android", "search_youtube_videos", "search youtube for advanced excel tutorials",
         {"query": "advanced excel"}, {"query": "advanced excel tutorials"}),
        ("android", "get_trending_news", "news about the stock market crash", {"query": "the stock market"},
         {"query": "the stock market crash"}),
        ("android", "search_youtube_videos", "find cat videos please", {"query": "cat"}, {"query": "cat"}),
        ("doordash", "order_food", "order pad thai from Lotus", {"item": "pad thai", "restaurant": "Lotus"},
         {"item": "pad thai", "restaurant": "Lotus"}),
        ("doordash", "order_food", "order tacos thanks", {"item": "tacos"}, {"item": "tacos"}),
        ("doordash", "order_food", "order ramen two", {"item": "ramen"}, {"item": "ramen"}),
        ("doordash", "order_food", "order burgers", {"item": "burger"}, {"item": "burger"}),
    ],
)  # fmt: skip
def test_a_value_keeps_its_qualifiers(
    builtin_registry, app: str, function: str, query: str, arguments: dict, widened: dict
) -> None:
    application = builtin_registry.app(app)
    assert with_qualifiers(application, application.function(function), arguments, query)[0] == widened


@pytest.mark.parametrize(
    ("app", "function", "query", "arguments", "kept"),
    [
        ("android", "find_route_google_maps", "how do I walk to the train station from here",
         {"origin": "from", "destination": "the train station"}, {"destination": "the train station"}),
        ("android", "get_trending_news", "trending news", {"query": "trending news"}, {}),
        ("android", "get_trending_news", "tech news", {"query": "tech"}, {"query": "tech"}),
        ("android", "play_music", "play music", {"query": "music"}, {"query": "music"}),  # a thing asked for
        ("yelp", "make_reservation", "i needed to book a table somewhere", {"business_name": "table"}, {}),  # a name
        ("yelp", "get_business_reviews", "reviews on yelp please", {"business_name": "yelp"}, {}),  # the app's name
        ("doordash", "search_restaurants", "pizza places on doordash",
         {"query": "pizza places", "location": "doordash"}, {"query": "pizza places"}),
        ("android", "create_calendar_event", "lunch tomorrow", {"title": "lunch", "start_time": "tomorrow"},
         {"title": "lunch", "start_time": "tomorrow"}),  # a time is its own rules'
        # Named by the user: the set_alarm templates say "wake up" too.
        ("android", "set_alarm", "alarm for 8 o'clock called wake up", {"time": "8 o'clock", "label": "wake up"},
         {"time": "8 o'clock", "label": "wake up"}),
        ("android", "set_alarm", "wake up alarm for 8", {"time": "8", "label": "wake up"}, {"time": "8"}),
        # Another value of the call with the frame around it.
        ("android", "set_alarm", "set an alarm for every weekday at 7",
         {"time": "every weekday at 7", "label": "alarm for every weekday"}, {"time": "every weekday at 7"}),
        ("android", "set_alarm", "alarm at 7 for the gym", {"time": "7", "label": "the gym"},
         {"time": "7", "label": "the gym"}),
        # A required value is not dropped so.
        ("android", "create_calendar_event", "add a meeting for tomorrow",
         {"title": "meeting for tomorrow", "start_time": "tomorrow"},
         {"title": "meeting for tomorrow", "start_time": "tomorrow"}),
    ],
)  # fmt: skip
def test_a_value_of_the_frame_alone_is_dropped(
    builtin_registry, app: str, function: str, query: str, arguments: dict, kept: dict
) -> None:
    application = builtin_registry.app(app)
    assert frame_only_dropped(application, application.function(function), arguments, query)[0] == kept


def test_a_required_name_of_the_frame_alone_is_asked_for(builtin_registry) -> None:
    yelp = builtin_registry.app("yelp")
    changes = frame_only_dropped(
        yelp, yelp.function("make_reservation"), {"business_name": "table"}, "i needed to book a table somewhere"
    )[1]
    assert changes == {"business_name": f"table -> {NEEDS_INPUT}"}


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_value_is_widened_or_dropped(project_registry, builtin_registry, app: str) -> None:
    """The rules' premise: no value the adapters learnt, in the committed training data of the
    app's adapters (English and other languages, typos and fillers included) or generated in any
    phrasebook language, has a word before or after it in its request that the rule would take in."""
    application = project_registry.app(app)
    calls = premise_calls(project_registry, builtin_registry, app)
    assert len(calls) > 1500
    assert not [(query, changes) for fn, arguments, query in calls
                if (changes := with_qualifiers(application, fn, arguments, query)[1])]  # fmt: skip
    assert not [(query, changes) for fn, arguments, query in calls
                if (changes := frame_only_dropped(application, fn, arguments, query)[1])]  # fmt: skip


def test_no_value_of_an_app_from_a_tools_file_is_widened(tmp_path) -> None:
    """The schema-only CI app: its generated values stand as they are."""
    registry = Registry(path=tmp_path / "registry.yaml")
    app = registry.add_app("smarthome", *tools_from_file(DATA / "smarthome.json"))
    examples, _ = generate(app, 400, seed=11, registry=registry)
    calls = [(app.function(ex.function), ex) for ex in examples if ex.function]
    assert len(calls) > 300
    assert not [ex.query for fn, ex in calls if with_qualifiers(app, fn, ex.arguments, ex.query)[1]]


def test_qualifiers_end_to_end(orchestrator) -> None:
    """Router, adapter and rules end to end: the adapter wrote "pepperoni pizza" and "advanced excel"."""
    call = orchestrator.run("order a large pepperoni pizza")
    assert (call.function, call.arguments.get("item")) == ("order_food", "large pepperoni pizza")
    call = orchestrator.run("search youtube for advanced excel tutorials")
    assert (call.function, call.arguments) == ("search_youtube_videos", {"query": "advanced excel tutorials"})


def test_a_time_keeps_its_weekday_end_to_end(orchestrator) -> None:
    """Router, adapter and rules end to end: the adapter wrote ``time="five thirty am"``."""
    call = orchestrator.run("wake me up at five thirty am on friday")
    assert (call.function, call.arguments) == ("set_alarm", {"time": "five thirty am on friday"})


def test_no_subject_made_of_the_message_end_to_end(orchestrator) -> None:
    """Router, adapter and rules end to end: the adapter wrote ``title="sick"`` beside the message."""
    call = orchestrator.run("email my boss that i'm sick today")
    assert (call.function, call.arguments.get("title"), call.needs_input) == ("send_email", None, ["title"])


@pytest.mark.parametrize(
    ("query", "model", "kept"),
    [
        ("book a table for 2 tonight at olive garden at 7", {"business_name": "olive garden", "date": "7"},
         {"business_name": "olive garden", "time": "7"}),
        ("reserve nobu for 4 friday 8 pm", {"business_name": "nobu", "date": "8 pm"},
         {"business_name": "nobu", "time": "8 pm"}),
        # A day of the month, no clock time; a call that has its time.
        ("book nobu on the 7th", {"business_name": "nobu", "date": "7th"}, None),
        ("book nobu at 7 for 8 pm", {"business_name": "nobu", "date": "7", "time": "8 pm"}, None),
        # A name that is a clock time: the time, and the name asked for.
        ("get me a table for two people at 7", {"business_name": "7", "party_size": 2},
         {"party_size": 2, "time": "7"}),
        ("table for 4 at 7 eleven", {"business_name": "7 eleven", "party_size": 4}, None),  # a name with a number
        ("get a table for 3 people at 6:30", {"business_name": "6:30", "time": "6:30", "party_size": 3},
         {"time": "6:30", "party_size": 3}),  # written twice: the time's
    ],
)  # fmt: skip
def test_a_clock_time_is_no_date(builtin_registry, query: str, model: dict, kept: dict | None) -> None:
    fn = builtin_registry.app("yelp").function("make_reservation")
    assert a_clock_time_is_no_date(fn, model, query)[0] == (model if kept is None else kept)


def test_a_required_name_that_is_a_clock_time_is_asked_for(builtin_registry) -> None:
    fn = builtin_registry.app("yelp").function("make_reservation")
    model = {"business_name": "7", "party_size": 2}
    changes = a_clock_time_is_no_date(fn, model, "get me a table for two people at 7")[1]
    assert changes == {"business_name": f"7 -> {NEEDS_INPUT}", "time": "(not written) -> 7"}


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_date_is_a_clock_time(project_registry, builtin_registry, app: str) -> None:
    """The rule's premise: no call the adapters learnt has a clock time as its date."""
    calls = premise_calls(project_registry, builtin_registry, app)
    assert not [(query, changes) for fn, arguments, query in calls
                if (changes := a_clock_time_is_no_date(fn, arguments, query)[1])]  # fmt: skip


def test_a_clock_time_is_no_date_end_to_end(orchestrator) -> None:
    """Router, adapter and rules end to end: the adapter wrote ``date="7"`` and no time in
    float32; in bfloat16 it wrote ``date="tonight"`` and ``time="7"``, which stand."""
    call = orchestrator.run("book a table for 2 tonight at olive garden at 7")
    assert (call.function, call.arguments.get("time")) == ("make_reservation", "7")
    assert call.arguments.get("date") in (None, "tonight")


def test_a_clock_time_is_no_name_end_to_end(orchestrator) -> None:
    """Router, adapter and rules end to end: the adapter wrote ``business_name="7"``."""
    call = orchestrator.run("get me a table for two people at 7")
    assert (call.function, call.arguments.get("time"), call.needs_input) == ("make_reservation", "7", ["business_name"])


def test_the_apps_name_is_no_value_end_to_end(orchestrator) -> None:
    """Router, adapter and rules end to end: the adapter wrote ``business_name="yelp"``."""
    call = orchestrator.run("reviews on yelp please")
    assert (call.function, call.arguments, call.needs_input) == ("get_business_reviews", {}, ["business_name"])


@pytest.mark.parametrize(
    ("app", "function", "arguments", "apart"),
    [
        ("android", "create_calendar_event", {"title": "water the plants", "start_time": "water the plants at 6 pm"},
         {"title": "water the plants", "start_time": "6 pm"}),
        ("android", "create_calendar_event", {"title": "dentist", "start_time": "tomorrow at 3 for dentist"},
         {"title": "dentist", "start_time": "tomorrow at 3"}),
        ("yelp", "make_reservation", {"business_name": "the restaurant", "date": "the restaurant", "party_size": 2},
         {"business_name": "the restaurant", "party_size": 2}),  # optional: the schema's default
        ("android", "create_calendar_event", {"title": "lunch", "start_time": "lunch"}, {"title": "lunch"}),
        # what is left says no time: left as written
        ("android", "create_calendar_event", {"title": "lunch", "start_time": "lunch break"},
         {"title": "lunch", "start_time": "lunch break"}),
        ("android", "create_calendar_event", {"title": "standup", "start_time": "9 am"},
         {"title": "standup", "start_time": "9 am"}),
    ],
)  # fmt: skip
def test_a_time_is_no_other_value(builtin_registry, app: str, function: str, arguments: dict, apart: dict) -> None:
    fn = builtin_registry.app(app).function(function)
    got, changes = when_apart_from_other_values(fn, arguments)
    assert got == apart
    if "start_time" in arguments and "start_time" not in apart:  # required: the user is asked
        assert changes["start_time"].endswith("(needs input)")


@pytest.mark.parametrize(
    ("app", "function", "query", "arguments", "widened"),
    [
        ("android", "set_alarm", "set an alarm for 6:15 tomorrow", {"time": "6:15"}, {"time": "6:15 tomorrow"}),
        ("android", "set_alarm", "wake me up at 7:30 tomorrow morning please", {"time": "7:30"},
         {"time": "7:30 tomorrow morning"}),
        ("android", "set_alarm", "alarm at 6 tonight", {"time": "6"}, {"time": "6 tonight"}),
        ("android", "set_alarm", "wake me up at five thirty am on friday", {"time": "five thirty am"},
         {"time": "five thirty am on friday"}),
        ("android", "create_calendar_event", "dentist at 3 next tuesday afternoon",
         {"title": "dentist", "start_time": "3"}, {"title": "dentist", "start_time": "3 next tuesday afternoon"}),
        ("yelp", "make_reservation", "table at Nopa at 7 on friday", {"business_name": "Nopa", "time": "7"},
         {"business_name": "Nopa", "time": "7"}),  # the day is the date's
        ("android", "set_alarm", "alarm at 6 tomorrow", {"time": "6 tomorrow"}, {"time": "6 tomorrow"}),
        ("android", "set_alarm", "alarm at 6 for tomorrow", {"time": "6"}, {"time": "6"}),  # not straight after
        ("android", "create_calendar_event", "dentist at 3 tomorrow", {"title": "dentist", "start_time": "3"},
         {"title": "dentist", "start_time": "3 tomorrow"}),
        ("yelp", "make_reservation", "reserve a spot at Burma Superstar for tomorrow night",
         {"business_name": "Burma Superstar", "date": "tomorrow"},
         {"business_name": "Burma Superstar", "date": "tomorrow night"}),
        # a date apart from the time keeps the day: only the part of the day joins the time
        ("yelp", "make_reservation", "table at Nopa at 7 tomorrow", {"business_name": "Nopa", "time": "7"},
         {"business_name": "Nopa", "time": "7"}),
        ("android", "set_alarm", "alarm at 6 labelled tomorrow", {"time": "6", "label": "tomorrow"},
         {"time": "6", "label": "tomorrow"}),  # another value's word
    ],
)  # fmt: skip
def test_a_time_keeps_its_day(builtin_registry, app: str, function: str, query: str, arguments: dict, widened: dict):
    fn = builtin_registry.app(app).function(function)
    assert with_its_day(fn, arguments, query)[0] == widened


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_time_lacks_its_day(project_registry, builtin_registry, app: str) -> None:
    """The rule's premise: no time or date the adapters learnt (committed training data, English
    and other languages; requests generated in every phrasebook language) is followed by its day,
    but those of the one ``set_alarm`` template that says "tomorrow" after the time."""
    calls = premise_calls(project_registry, builtin_registry, app)
    widened = [(fn.name, query, changes) for fn, arguments, query in calls
               if (changes := with_its_day(fn, arguments, query)[1])]  # fmt: skip
    template = re.compile(r"\b(wake up|get up|be up) (at|by) .+ tomorrow$")  # typos in "need to" included
    assert not [(name, q) for name, q, _ in widened if not (name == "set_alarm" and template.search(q.lower()))]


@pytest.mark.parametrize(
    ("app", "function", "query", "arguments", "widened"),
    [
        ("android", "set_alarm", "set an alarm for every weekday at 7", {"time": "every weekday"},
         {"time": "every weekday at 7"}),
        ("android", "create_calendar_event", "gym every Monday at 6 PM", {"title": "gym", "start_time": "every Monday"},
         {"title": "gym", "start_time": "every Monday at 6 PM"}),  # as written
        ("android", "set_alarm", "alarm every weekday at 6 or 7", {"time": "every weekday"},
         {"time": "every weekday at 6"}),
        # The day is the date's where a function takes one apart.
        ("yelp", "make_reservation", "table at Nopa friday at 8", {"business_name": "Nopa", "date": "friday"},
         {"business_name": "Nopa", "date": "friday"}),
        ("android", "set_alarm", "alarm tomorrow at 6", {"time": "6"}, {"time": "6"}),  # says its clock time
        ("android", "set_alarm", "alarm every weekday please at 7", {"time": "every weekday"},
         {"time": "every weekday"}),  # not straight after
        ("android", "create_calendar_event", "every friday at 5 leave at 5",
         {"title": "leave at 5", "start_time": "every friday"},
         {"title": "leave at 5", "start_time": "every friday"}),  # another value's
    ],
)  # fmt: skip
def test_a_time_keeps_its_clock_time(builtin_registry, app: str, function: str, query: str, arguments, widened):
    fn = builtin_registry.app(app).function(function)
    assert with_its_clock_time(fn, arguments, query)[0] == widened


@pytest.mark.parametrize(
    ("query", "model", "cut"),
    [
        ("put dentist appointment on thursday in my calendar",
         {"title": "dentist appointment", "start_time": "thursday in my calendar"},
         {"title": "dentist appointment", "start_time": "thursday"}),
        ("schedule a call tomorrow at 3 in my agenda",
         {"title": "call tomorrow at 3 in my agenda", "start_time": "tomorrow at 3 in"},
         {"title": "call", "start_time": "tomorrow at 3"}),
        ("add a meeting at 4 pm to the calendar", {"title": "meeting at 4 pm", "start_time": "4 pm"},
         {"title": "meeting", "start_time": "4 pm"}),
        # Words of the request beyond the frame stay; so does a time said in a longer run.
        ("dinner at 7 with the smiths", {"title": "dinner at 7 with the smiths", "start_time": "7"}, None),
        ("gym tomorrow in the evening", {"title": "gym", "start_time": "tomorrow in the evening"}, None),
        ("add my 5 pm to the calendar", {"title": "5 pm", "start_time": "5 pm"}, None),  # nothing left
    ],
)  # fmt: skip
def test_a_time_less_its_frame(builtin_registry, query: str, model: dict, cut: dict | None) -> None:
    android = builtin_registry.app("android")
    fn = android.function("create_calendar_event")
    assert when_less_its_frame(android, fn, model)[0] == (model if cut is None else cut)


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_time_holds_its_frame(project_registry, builtin_registry, app: str) -> None:
    """The rule's premise: no time or date the adapters learnt holds words of its templates, and
    no thing holds its time."""
    application = project_registry.app(app)
    calls = premise_calls(project_registry, builtin_registry, app)
    assert not [(query, changes) for fn, arguments, query in calls
                if (changes := when_less_its_frame(application, fn, arguments)[1])]  # fmt: skip


def test_a_time_less_its_frame_end_to_end(orchestrator) -> None:
    """Router, adapter and rules end to end: the adapter wrote ``title="meeting at 4 pm"``."""
    call = orchestrator.run("add a meeting at 4 pm to the calendar")
    assert (call.function, call.arguments) == ("create_calendar_event", {"title": "meeting", "start_time": "4 pm"})


def test_a_repeat_keeps_its_clock_time_end_to_end(orchestrator) -> None:
    """Router, adapter and rules: the adapter wrote ``time="every weekday"`` and the label
    "alarm for every weekday"."""
    call = orchestrator.run("set an alarm for every weekday at 7")
    assert (call.function, call.arguments) == ("set_alarm", {"time": "every weekday at 7"})


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_time_lacks_its_clock_time(project_registry, builtin_registry, app: str) -> None:
    """The rule's premise: no time the adapters learnt says no clock time where its request says
    one straight after it."""
    calls = premise_calls(project_registry, builtin_registry, app)
    assert not [(query, changes) for fn, arguments, query in calls
                if (changes := with_its_clock_time(fn, arguments, query)[1])]  # fmt: skip


@pytest.mark.parametrize(
    ("app", "function", "query", "arguments", "widened"),
    [
        ("android", "set_alarm", "four pm", {"time": "pm"}, {"time": "four pm"}),
        ("android", "set_alarm", "wake me up in two hours", {"time": "two hours"}, {"time": "in two hours"}),
        ("android", "set_alarm", "alarm 45 minutes from now", {"time": "45 minutes"}, {"time": "45 minutes from now"}),
        ("android", "set_alarm", "Wake me at 6:30 AM", {"time": "6:30"}, {"time": "6:30 AM"}),  # as written
        ("android", "set_alarm", "wake me at 7 am", {"time": "7 am"}, {"time": "7 am"}),  # whole already
        ("android", "set_alarm", "alarm at 7 am or 8 am", {"time": "am"}, {"time": "am"}),  # which one?
        ("android", "set_alarm", "alarm for 7 am labelled pm meds", {"time": "7 am", "label": "pm meds"},
         {"time": "7 am", "label": "pm meds"}),  # not a time
        ("yelp", "make_reservation", "table at Nopa at 8 pm", {"business_name": "Nopa", "time": "8"},
         {"business_name": "Nopa", "time": "8 pm"}),
    ],
)  # fmt: skip
def test_a_time_is_all_of_the_time_said(builtin_registry, app: str, function: str, query: str, arguments, widened):
    fn = builtin_registry.app(app).function(function)
    assert with_the_whole_time(fn, arguments, query)[0] == widened


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_time_is_a_part_of_one(project_registry, builtin_registry, app: str) -> None:
    """The rule's premise: no time the adapters learnt (committed training data, English and other
    languages; requests generated in every phrasebook language) is a part of a clock time or a
    time from now its request says."""
    calls = premise_calls(project_registry, builtin_registry, app)
    assert not [(query, changes) for fn, arguments, query in calls
                if (changes := with_the_whole_time(fn, arguments, query)[1])]  # fmt: skip


@pytest.mark.parametrize(
    ("app", "function", "arguments", "kept"),
    [
        ("android", "get_trending_news", {"query": "7 am"}, {}),
        ("android", "get_trending_news", {"query": "yesterday"}, {}),
        ("android", "get_trending_news", {"query": "november twenty"}, {}),
        ("android", "get_trending_news", {"query": "every day"}, {}),
        ("yelp", "search_events", {"category": "this weekend", "location": "Austin"}, {"location": "Austin"}),
        ("android", "get_trending_news", {"query": "the election"}, {"query": "the election"}),
        ("android", "get_trending_news", {"query": "morning news"}, {"query": "morning news"}),  # more than when
        ("android", "search_youtube_videos", {"query": "1984"}, {"query": "1984"}),  # a number alone is no time
        ("android", "set_alarm", {"time": "7 am", "label": "morning"}, {"time": "7 am", "label": "morning"}),
    ],
)  # fmt: skip
def test_a_thing_looked_for_is_no_time(builtin_registry, app: str, function: str, arguments: dict, kept: dict):
    fn = builtin_registry.app(app).function(function)
    assert times_for_things_dropped(fn, arguments)[0] == kept


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_thing_looked_for_is_a_time(project_registry, builtin_registry, app: str) -> None:
    """The rule's premise: no topic, song, dish or kind of business or event the adapters learnt is
    a time alone."""
    calls = premise_calls(project_registry, builtin_registry, app)
    assert not [(query, changes) for fn, arguments, query in calls
                if (changes := times_for_things_dropped(fn, arguments)[1])]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "model", "widened"),
    [
        ("play Let It Be by the Beatles", "the Beatles", "Let It Be by the Beatles"),
        ("play Bohemian Rhapsody by Queen", "Bohemian Rhapsody", "Bohemian Rhapsody by Queen"),
        ("play Shape of You by Ed Sheeran on spotify", "Shape of You", "Shape of You by Ed Sheeran"),
        ("play something by the who", "the who", "the who"),  # the template's own words before "by"
        ("play a song by Adele please", "Adele", "Adele"),
        ("play Adele", "Adele", "Adele"),
    ],
)
def test_a_song_keeps_its_artist(builtin_registry, query: str, model: str, widened: str) -> None:
    app = builtin_registry.app("android")
    assert with_its_artist(app, app.function("play_music"), {"query": model}, query)[0] == {"query": widened}


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_song_lacks_its_artist(project_registry, builtin_registry, app: str) -> None:
    """The rule's premise: no song or artist the adapters learnt has the other side of a "by"
    beside it in its request."""
    application = project_registry.app(app)
    calls = premise_calls(project_registry, builtin_registry, app)
    assert not [(query, changes) for fn, arguments, query in calls
                if (changes := with_its_artist(application, fn, arguments, query)[1])]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "model", "moved"),
    [
        ("remind me to call mom at 5 pm tomorrow", {"title": "call mom", "end_time": "5 pm"},
         {"title": "call mom", "start_time": "5 pm"}),
        ("block my calendar until 5 pm for focus", {"title": "focus", "end_time": "5 pm"},
         {"title": "focus", "end_time": "5 pm"}),  # an end said as one
        ("lunch with Ana from noon to 1", {"title": "lunch with Ana", "start_time": "noon", "end_time": "1"},
         {"title": "lunch with Ana", "start_time": "noon", "end_time": "1"}),  # both written
    ],
)  # fmt: skip
def test_a_lone_end_is_the_start(builtin_registry, query: str, model: dict, moved: dict) -> None:
    fn = builtin_registry.app("android").function("create_calendar_event")
    assert a_lone_end_as_the_start(fn, model, query)[0] == moved


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_call_has_an_end_and_no_start(project_registry, builtin_registry, app: str) -> None:
    """The rule's premise: no call the adapters learnt ends a time it never starts."""
    calls = premise_calls(project_registry, builtin_registry, app)
    assert not [(query, changes) for fn, arguments, query in calls
                if (changes := a_lone_end_as_the_start(fn, arguments, query)[1])]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "model", "kept"),
    [
        ("email jane@work.com saying I will join late",
         {"recipient": "jane@work.com", "title": "I will join late", "content": "I will join late"},
         {"recipient": "jane@work.com", "content": "I will join late"}),
        ("email my boss that i'm sick today", {"recipient": "boss", "title": "sick", "content": "i'm sick"},
         {"recipient": "boss", "content": "i'm sick"}),
        # The subject said, then the message that says it again.
        ("email jane@work.com subject late saying I will join late",
         {"recipient": "jane@work.com", "title": "Late", "content": "I will join late"},
         {"recipient": "jane@work.com", "title": "Late", "content": "I will join late"}),
        ("email jane about the budget saying it is final",
         {"recipient": "jane", "title": "the budget", "content": "it is final"},
         {"recipient": "jane", "title": "the budget", "content": "it is final"}),
    ],
)  # fmt: skip
def test_no_subject_is_the_message(builtin_registry, query: str, model: dict, kept: dict) -> None:
    fn = builtin_registry.app("android").function("send_email")
    assert no_title_that_is_the_message(fn, model, query)[0] == kept


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_title_is_the_message(project_registry, builtin_registry, app: str) -> None:
    """The rule's premise: no subject the adapters learnt is the message beside it, or words of
    it that its request says once."""
    calls = premise_calls(project_registry, builtin_registry, app)
    assert not [(query, changes) for fn, arguments, query in calls
                if (changes := no_title_that_is_the_message(fn, arguments, query)[1])]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "model", "dictated"),
    [
        ("text sarah i'm on my way", "on my way", "i'm on my way"),
        ("tell Jake the game starts at 8", "game starts at 8", "the game starts at 8"),
        ("text john that i'll be late", "that i'll be late", "i'll be late"),  # reported speech
        ("message Alex saying on my way", "on my way", "on my way"),  # the template's own word
        ("tell Lucas taht see you tonight", "see you tonight", "see you tonight"),  # a slip of one
        ("text mike and tell him i'm running late", "i'm running late", "i'm running late"),
        # When it ends with: the message's, for a function that takes no time.
        ("text dave see you on friday", "see you", "see you on friday"),
        ("text Tom good luck on the exam tomorrow!", "good luck on the exam", "good luck on the exam tomorrow"),
        ("text john i'm leaving now", "i'm leaving", "i'm leaving"),  # the generator's closing "now"
        ("text mike see you at the game", "see you", "see you"),  # no time
    ],
)  # fmt: skip
def test_a_message_as_dictated(builtin_registry, query: str, model: str, dictated: str) -> None:
    app = builtin_registry.app("android")
    contact = re.search(r"(?:text|tell|message) (\w+)", query).group(1)
    settled = the_whole_message(
        app, app.function("send_text_message"), {"contact_name": contact, "message": model}, query
    )
    assert settled[0]["message"] == dictated


def test_who_a_message_is_for_holds_no_message(builtin_registry) -> None:
    """ "text emma see you tomorrow" gave ``contact_name="emma see you tomorrow"``, ``message="see you"``."""
    app = builtin_registry.app("android")
    model = {"contact_name": "emma see you tomorrow", "message": "see you"}
    settled, changes = the_whole_message(app, app.function("send_text_message"), model, "text emma see you tomorrow")
    assert settled == {"contact_name": "emma", "message": "see you tomorrow"}
    assert set(changes) == {"contact_name", "message"}
    kept = {"contact_name": "see you", "message": "see you"}  # nothing before it: left to the other rules
    assert the_whole_message(app, app.function("send_text_message"), kept, "text see you")[0] == kept


def test_who_a_message_is_for_end_to_end(orchestrator) -> None:
    """Router, adapter and rules end to end: the adapter wrote the message into the contact."""
    call = orchestrator.run("text emma see you tomorrow")
    assert (call.function, call.arguments) == (
        "send_text_message",
        {"contact_name": "emma", "message": "see you tomorrow"},
    )


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_message_is_dictated_otherwise(project_registry, builtin_registry, app: str) -> None:
    """The rule's premise: no message the adapters learnt opens with "that" or leaves out words
    before it that its function's templates never say."""
    application = project_registry.app(app)
    calls = premise_calls(project_registry, builtin_registry, app)
    assert not [(query, changes) for fn, arguments, query in calls
                if (changes := the_whole_message(application, fn, arguments, query)[1])]  # fmt: skip


@pytest.mark.parametrize(
    ("function", "model", "placed"),
    [
        ("create_calendar_event", {"title": "every day at 9", "start_time": "take my pills"},
         {"title": "take my pills", "start_time": "every day at 9"}),
        ("set_alarm", {"time": "wake up", "label": "each weekday at 6"},
         {"time": "each weekday at 6", "label": "wake up"}),
        ("create_calendar_event", {"title": "call mom", "start_time": "5"}, {"title": "call mom", "start_time": "5"}),
        ("set_alarm", {"time": "7 am", "label": "morning"}, {"time": "7 am", "label": "morning"}),  # both say when
        ("create_calendar_event", {"title": "lunch with Sam", "start_time": "the office"},
         {"title": "lunch with Sam", "start_time": "the office"}),  # no time to put in place
        # No time written: an optional thing that says only when is the time.
        ("set_alarm", {"time": "", "label": "7 every weekday"}, {"time": "7 every weekday"}),
        ("set_alarm", {"label": "7 every weekday"}, {"time": "7 every weekday"}),
        # A required thing stays: asked for, it would lose what the model read.
        ("create_calendar_event", {"title": "tomorrow at 5", "start_time": ""},
         {"title": "tomorrow at 5", "start_time": ""}),
    ],
)  # fmt: skip
def test_a_time_is_where_the_time_goes(builtin_registry, function: str, model: dict, placed: dict) -> None:
    fn = builtin_registry.app("android").function(function)
    assert time_and_thing_swapped(fn, model)[0] == placed


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_time_is_where_a_thing_goes(project_registry, builtin_registry, app: str) -> None:
    """The rule's premise: no call the adapters learnt has a time that says no time beside a thing
    that says only when."""
    calls = premise_calls(project_registry, builtin_registry, app)
    assert not [(query, changes) for fn, arguments, query in calls
                if (changes := time_and_thing_swapped(fn, arguments)[1])]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "function", "arguments"),
    [
        ("play Let It Be by the Beatles", "play_music", {"query": "Let It Be by the Beatles"}),
        ("what's the news from 7 am this morning", "get_trending_news", {}),
        ("remind me every day at 9 to take my pills", "create_calendar_event",
         {"title": "take my pills", "start_time": "every day at 9"}),
        ("text sarah i'm on my way", "send_text_message", {"message": "i'm on my way"}),
        ("text dave see you on friday", "send_text_message", {"message": "see you on friday"}),
    ],
)  # fmt: skip
def test_whole_values_end_to_end(orchestrator, query: str, function: str, arguments: dict) -> None:
    """Router, adapter and rules end to end: the adapter wrote "the Beatles", "7 am", the time as
    the title and the title as the time, "on my way" and "see you"."""
    call = orchestrator.run(query)
    assert call.function == function
    assert {k: v for k, v in call.arguments.items() if k in ("query", "title", "start_time", "message")} == arguments
