"""A free-text value keeps the qualifiers the request puts before it ("a large pepperoni pizza"), a
value made of the request's frame alone is none (``origin="from"``), and a time keeps the day said
after it ("6:15 tomorrow")."""

from __future__ import annotations

import re

import pytest

from orchestrator.data.datagen import generate
from orchestrator.registry import Registry, tools_from_file
from orchestrator.request.value_frame import (
    frame_only_dropped,
    when_apart_from_other_values,
    with_its_day,
    with_qualifiers,
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
        ("android", "play_music", "play music", {"query": "music"}, {"query": "music"}),  # required: grounding's
        ("android", "create_calendar_event", "lunch tomorrow", {"title": "lunch", "start_time": "tomorrow"},
         {"title": "lunch", "start_time": "tomorrow"}),  # a time is its own rules'
        # Named by the user: the set_alarm templates say "wake up" too.
        ("android", "set_alarm", "alarm for 8 o'clock called wake up", {"time": "8 o'clock", "label": "wake up"},
         {"time": "8 o'clock", "label": "wake up"}),
        ("android", "set_alarm", "wake up alarm for 8", {"time": "8", "label": "wake up"}, {"time": "8"}),
    ],
)  # fmt: skip
def test_a_value_of_the_frame_alone_is_dropped(
    builtin_registry, app: str, function: str, query: str, arguments: dict, kept: dict
) -> None:
    application = builtin_registry.app(app)
    assert frame_only_dropped(application, application.function(function), arguments, query)[0] == kept


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_value_is_widened_or_dropped(project_registry, builtin_registry, app: str) -> None:
    """The rules' premise: no value the adapters learnt, in the committed training data of the
    app's adapters (English and other languages, typos and fillers included) or generated in any
    phrasebook language, has a word before it in its request that the rule would take in."""
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
    """Router, adapter and rules end to end: the adapter wrote "pepperoni pizza"."""
    call = orchestrator.run("order a large pepperoni pizza")
    assert (call.function, call.arguments.get("item")) == ("order_food", "large pepperoni pizza")


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
