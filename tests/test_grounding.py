"""Free-text values are spans of the request: slips snapped, inventions dropped or asked for, fixed
forms left."""

from __future__ import annotations

import pytest

from orchestrator.calls import free_text
from orchestrator.registry import Function, Registry
from orchestrator.request.grounding import ground, missing, nearest_span, said, spans, whole_words

from .conftest import committed_training_calls

SEARCH = Function(
    "search_restaurants",
    "Find restaurants.",
    {
        "type": "object",
        "properties": {
            "query": {"type": "string"},
            "location": {"type": "string"},
            "price": {"type": "string", "enum": ["1", "2", "3"]},
            "date": {"type": "string", "format": "date"},
            "code": {"type": "string", "maxLength": 4},
        },
        "required": ["query"],
    },
)


def test_spans_cut_edge_punctuation_and_keep_the_requests_casing() -> None:
    assert spans("Thai food, near Brooklyn!", 2) == [
        "Thai",
        "Thai food",
        "food",
        "food, near",
        "near",
        "near Brooklyn",
        "Brooklyn",
    ]


def test_a_request_written_without_spaces_has_a_span_per_run_of_characters() -> None:
    """Chinese has no spaces between words: "布鲁克林" is a span of "找布鲁克林附近的泰国菜"."""
    assert "布鲁克林" in spans("找布鲁克林附近的泰国菜。", 4)
    assert spans("订Tao，6人", 2) == ["订", "订Tao", "Tao", "6", "6人", "人"]
    arguments, changes = ground(SEARCH, {"query": "泰国菜", "location": "布鲁克林"}, "找布鲁克林附近的泰国菜外卖")
    assert changes == {} and arguments["location"] == "布鲁克林"
    arguments, changes = ground(SEARCH, {"query": "泰国菜", "location": "上海"}, "找布鲁克林附近的泰国菜外卖")
    assert "location" not in arguments and changes == {"location": "上海 -> (dropped)"}


ALARM = Function(
    "set_alarm",
    "Set an alarm.",
    {"type": "object", "properties": {"time": {"type": "string"}, "label": {"type": "string"}}, "required": ["time"]},
)
WEATHER = Function(
    "get_weather_forecast",
    "Get the weather forecast for a place.",
    {
        "type": "object",
        "properties": {"location": {"type": "string", "description": "City or place name."}},
        "required": ["location"],
    },
)


def test_a_required_value_the_request_never_gave_is_asked_for_not_invented() -> None:
    """ "tell me my alarms" -> set_alarm(time="12345"): the time is taken out and named as missing."""
    arguments, changes = ground(ALARM, {"time": "12345"}, "tell me my alarms")
    assert arguments == {} and changes == {"time": "12345 -> (needs input)"}
    assert missing(changes) == ["time"]


def test_an_empty_value_is_one_the_request_left_out() -> None:
    """The adapters write "" for a value the request does not give ("set an alarm")."""
    arguments, changes = ground(ALARM, {"time": "", "label": " "}, "set an alarm")
    assert arguments == {} and missing(changes) == ["time"] and changes["label"].endswith("(dropped)")


def test_a_time_word_is_no_place() -> None:
    arguments, changes = ground(WEATHER, {"location": "tonight"}, "will it rain tonight")
    assert arguments == {} and missing(changes) == ["location"]
    assert ground(WEATHER, {"location": "Paris"}, "will it rain tonight in Paris") == ({"location": "Paris"}, {})


@pytest.mark.parametrize("here", ["nearby", "around here", "near me"])
def test_where_the_user_is_is_no_place(here: str) -> None:
    """An optional place said as where the user is ("nearby") is left to the schema's default;
    "find a quiet coffee shop nearby" gave ``location="nearby"``."""
    query = f"find a quiet coffee shop {here}"
    arguments, changes = ground(SEARCH, {"query": "coffee shop", "location": here}, query)
    assert arguments == {"query": "coffee shop"} and changes == {"location": f"{here} -> (dropped)"}
    assert ground(SEARCH, {"query": "coffee", "location": "Nearby Park"}, "coffee in Nearby Park")[1] == {}


TRACK = Function(
    "track_order",
    "Track a delivery.",
    {"type": "object", "properties": {"order_id": {"type": "string", "description": "Order number, if said."}}},
)


def test_an_identifier_is_a_code_not_words() -> None:
    """An order id is digits or a code, or its digits said as words; a place is not one."""
    arguments, changes = ground(TRACK, {"order_id": "new york"}, "how far is it from new york to japan")
    assert arguments == {} and changes["order_id"] == "new york -> (dropped)"
    for order_id in ("A1B2C3", "ORD-2231", "one two three four"):
        assert ground(TRACK, {"order_id": order_id}, f"where is order {order_id}") == ({"order_id": order_id}, {})


def test_a_call_that_needs_input_is_not_a_tool_call_and_says_what_it_needs() -> None:
    from orchestrator.calls import Call

    call = Call("tell me my alarms", "android", "set_alarm", {}, needs_input=["time"])
    assert call.is_call and not call.ready and call.tool_calls() == []
    assert call.to_json()["needs_input"] == {"function": "set_alarm", "arguments": {}, "missing": ["time"]}
    assert call.summary() == "android.set_alarm() needs input: time (not called)"


def test_a_value_the_request_said_is_kept_as_is() -> None:
    arguments = {"query": "thai food", "location": "brooklyn"}
    assert ground(SEARCH, arguments, "find Thai food near Brooklyn") == (arguments, {})


@pytest.mark.parametrize(
    ("value", "query", "span"),
    [
        ("B Brooklyn", "find thai food delivery near Brooklyn", "Brooklyn"),
        ("Mobi Malibu", "address of Nobu Malibu", "Nobu Malibu"),
        ("McDonalds", "2 fries from McDonald's please", "McDonald's"),
    ],
)
def test_a_misspelt_value_snaps_to_the_span_it_copied(value: str, query: str, span: str) -> None:
    arguments, changes = ground(SEARCH, {"query": "food", "location": value}, query + " food")
    assert arguments["location"] == span and changes == {"location": f"{value} -> {span}"}
    assert nearest_span(value, query)[0] == span


@pytest.mark.parametrize(
    ("value", "query", "whole"),
    [
        ("Yose", "um head to Yosemite", "Yosemite"),
        ("emite park", "Yosemite park", "Yosemite park"),
        ("1357", "rate order 13579 four stars", "13579"),
        ("Trader Joe", "groceries from Trader Joe's", "Trader Joe"),  # an apostrophe ends a word
        ("pizza", "two pizzas and a pizza", "pizza"),  # whole somewhere: as said
        ("布鲁克林", "找布鲁克林附近的泰国菜", "布鲁克林"),  # no spaces, no words to cut
        ("jane@work", "email jane@work.com saying hi", "jane@work.com"),  # an address is one word
        ("jane@work.com", "email jane@work.com.", "jane@work.com"),  # the stop ends the sentence
        ("tom@example.com", "写一封邮件给tom@example.com", "tom@example.com"),  # no Chinese in an address
    ],
)
def test_a_value_cut_out_of_a_word_is_widened_to_the_whole_word(value: str, query: str, whole: str) -> None:
    assert whole_words(value, query) == whole
    arguments, changes = ground(SEARCH, {"query": value}, query)
    assert arguments == {"query": whole} and changes == ({} if whole == value else {"query": f"{value} -> {whole}"})


def test_an_invented_optional_value_is_dropped_and_a_required_one_asked_for() -> None:
    arguments, changes = ground(SEARCH, {"query": "sushi", "location": "Chicago"}, "find me some noodles")
    assert arguments == {} and changes == {"query": "sushi -> (needs input)", "location": "Chicago -> (dropped)"}


def test_values_whose_form_the_schema_fixes_are_left_to_the_grammar() -> None:
    arguments = {"query": "pizza", "price": "2", "date": "2026-12-01"}
    assert ground(SEARCH, arguments, "cheap pizza tomorrow") == (arguments, {})
    assert not free_text(SEARCH.parameters["properties"]["price"])
    assert free_text(SEARCH.parameters["properties"]["query"])


def test_grounding_that_would_break_the_schema_is_not_applied() -> None:
    arguments = {"query": "pizza", "code": "ABCD"}
    assert ground(SEARCH, arguments, "pizza with code ABCDEFGH")[0] == arguments  # "ABCDEFGH" is too long


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_every_free_text_value_the_adapters_learn_is_a_span(project_registry: Registry, app: str) -> None:
    """The rule's premise, on the committed training data: grounding never changes a target,
    except that an empty value (an incomplete request's) is asked for."""
    calls = committed_training_calls(project_registry, app)
    for fn, arguments, query, row in calls:
        unsaid = sorted(name for name, value in arguments.items() if value == "")
        said_values = {name: value for name, value in arguments.items() if value != ""}
        grounded, changes = ground(fn, arguments, query)
        assert grounded == said_values and sorted(missing(changes)) == unsaid and len(changes) == len(unsaid), row
    assert calls and said("Nobu", "address of nobu malibu")


def test_the_call_carries_what_grounding_changed_and_explain_shows_it(project_registry: Registry, capsys) -> None:
    from types import SimpleNamespace

    from orchestrator.cli import _explain
    from orchestrator.engines.constraints import Decoded
    from orchestrator.request.orchestrator import Orchestrator

    decoded = Decoded("get_business_details", {"business_name": "Mobi Malibu"}, 8, 4)
    call = Orchestrator._call(SimpleNamespace(registry=project_registry), "address of Nobu Malibu", "yelp", decoded)
    assert call.arguments == {"business_name": "Nobu Malibu"}
    assert call.to_json(explain=True)["grounded"] == {"business_name": "Mobi Malibu -> Nobu Malibu"}
    _explain(call)
    assert "  grounded: business_name: Mobi Malibu -> Nobu Malibu" in capsys.readouterr().out
