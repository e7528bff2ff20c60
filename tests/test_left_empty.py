"""A required value the model wrote empty is read where the request follows a template of the function."""

from __future__ import annotations

import pytest

from orchestrator.request.grounding import NOT_WRITTEN
from orchestrator.request.left_empty import read_where_left_empty

from .conftest import premise_calls


@pytest.mark.parametrize(
    ("app", "function", "query", "arguments", "read"),
    [
        ("android", "play_music", "play something by the kinks", {"query": ""}, "the kinks"),
        ("android", "play_music", "um play something relaxing please", {"query": ""}, "something relaxing"),
        ("android", "play_music", "Play something by The Kinks?", {"query": ""}, "The Kinks"),
        ("android", "play_music", "pon algo de Shakira", {"query": ""}, "Shakira"),
        # A short name is read in the language of the template it follows: "la" is Spanish template text.
        ("android", "get_weather_forecast", "weather in la", {"location": ""}, "la"),
        # Followed in English and in German: read as German, these are a way of asking.
        ("yelp", "search_events", "was ist los in Salzburg heute Abend", {"category": "", "location": "Salzburg"},
         None),
        # The incomplete templates say it: the user is asked.
        ("android", "play_music", "play my playlist", {"query": ""}, None),
        # Words of a way of asking, one slip off ("songs").
        ("android", "play_music", "put on some snogs", {"query": ""}, None),
        # A word any request may say in its place ("something") is no value: the user is asked.
        ("doordash", "order_food", "order something from Chipotle", {"item": "", "restaurant": "Chipotle"}, None),
        # A slot that says only when names no place.
        ("yelp", "make_reservation", "i need a table for 6 on monday at 8pm",
         {"business_name": "", "party_size": 6, "date": "monday", "time": "8pm"}, None),
        ("yelp", "search_events", "stuff to do in miami tonight", {"category": "", "location": "miami"}, None),
        # Whom to call is asked: the slot holds the rest of the request.
        ("android", "make_phone_call", "call person a for meeting", {"contact_name": ""}, None),
        # A value the model wrote is its own.
        ("android", "play_music", "play some jazz", {"query": "jazz"}, None),
        # A time or a date is left to its own rules.
        ("android", "set_alarm", "wake me up at seven", {"time": ""}, None),
    ],
)  # fmt: skip
def test_a_value_left_empty_is_read_from_the_template(builtin_registry, app, function, query, arguments, read) -> None:
    application = builtin_registry.app(app)
    result, changes = read_where_left_empty(application, application.function(function), arguments, query)
    if read is None:
        assert (result, changes) == (arguments, {})
    else:
        empty = next(name for name, value in arguments.items() if value == "")
        assert result == {**arguments, empty: read}
        assert changes == {empty: f"{NOT_WRITTEN} -> {read}"}


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_call_leaves_empty_a_value_its_template_frames(project_registry, builtin_registry, app) -> None:
    """The rule's premise: every required value the adapters learnt to write empty (committed
    training data, English and other languages, and generated requests in every phrasebook
    language) is one the rule leaves empty, and the rule changes no value they learnt to write."""
    application = project_registry.app(app)
    calls = premise_calls(project_registry, builtin_registry, app)
    assert len(calls) > 1500
    assert not [query for fn, arguments, query in calls if read_where_left_empty(application, fn, arguments, query)[1]]


def test_a_value_left_empty_end_to_end(orchestrator) -> None:
    """Router, adapter and rules: the adapter wrote the music to play empty."""
    call = orchestrator.run("play something relaxing")
    assert (call.function, call.arguments, call.needs_input) == ("play_music", {"query": "something relaxing"}, [])
