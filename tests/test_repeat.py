"""A function that repeats what was done before is called only where the request says again."""

from __future__ import annotations

import pytest

from orchestrator.data.datagen import generate
from orchestrator.registry import Function
from orchestrator.request.grounding import NEEDS_INPUT, NOT_WRITTEN
from orchestrator.request.repeat import afresh, as_asked, repeats, repeats_unasked

from .conftest import premise_calls, smarthome_with


@pytest.mark.parametrize(
    ("query", "arguments", "refused"),
    [
        ("order something from Panda Express", {"restaurant": "Panda Express"}, True),
        ("start an order from Five Guys", {"restaurant": "Five Guys"}, True),
        ("confirm the order", {}, True),
        ("order from Last Call Diner", {"restaurant": "Last Call Diner"}, True),  # "last" inside the value
        ("reorder from Chipotle", {"restaurant": "Chipotle"}, False),
        ("order my usual from Sweetgreen", {"restaurant": "Sweetgreen"}, False),
        ("order the same thing as last time", {}, False),
        ("bestell nochmal das Gleiche", {}, False),
        ("pide lo mismo que la última vez", {}, False),
        ("再点一次上次的外卖", {}, False),
        ("いつものをもう一度", {}, False),
    ],
)
def test_a_repeat_the_request_does_not_ask_for(builtin_registry, query: str, arguments: dict, refused: bool) -> None:
    fn = builtin_registry.app("doordash").function("reorder_last")
    assert repeats_unasked(fn, query, arguments) == refused


def test_only_a_function_named_for_repeating_repeats(builtin_registry) -> None:
    doordash = builtin_registry.app("doordash")
    assert [fn.name for fn in doordash.functions if repeats(fn)] == ["reorder_last"]
    assert not repeats(Function(name="get_last_email", description="The newest email.", parameters={}))
    assert not repeats_unasked(doordash.function("order_food"), "order a pizza", {"item": "pizza"})


def test_every_request_for_a_repeat_says_again(project_registry, builtin_registry) -> None:
    """The rule's premise: every request of a repeating function in DoorDash's committed training
    data (English and other languages) and generated in every phrasebook language says again."""
    calls = premise_calls(project_registry, builtin_registry, "doordash")
    repeating = [(fn, arguments, query) for fn, arguments, query in calls if repeats(fn)]
    assert len(repeating) > 50
    assert not [query for fn, arguments, query in repeating if repeats_unasked(fn, query, arguments)]


def test_an_app_from_a_tools_file_says_its_repeats(tmp_path) -> None:
    """An app phrased from its schemas alone: its generated requests for a repeating function say
    again, so its calls stand."""
    redial = {
        "name": "redial_last_number",
        "description": "Call the last number again.",
        "parameters": {"type": "object", "properties": {}},
    }
    app = smarthome_with(tmp_path, redial)
    examples, _ = generate(app, 400, seed=11)
    queries = [ex.query for ex in examples if ex.function == "redial_last_number"]
    assert queries
    assert not [q for q in queries if repeats_unasked(app.function("redial_last_number"), q)]


def test_a_repeat_is_done_afresh_by_the_function_its_verb_names(builtin_registry, tmp_path) -> None:
    doordash = builtin_registry.app("doordash")
    assert afresh(doordash, doordash.function("reorder_last")) is doordash.function("order_food")
    assert afresh(doordash, doordash.function("order_food")) is None  # it does not repeat
    send = {
        "name": "send_message",
        "description": "Send a message to a contact.",
        "parameters": {
            "type": "object",
            "properties": {"contact": {"type": "string"}, "message": {"type": "string"}},
            "required": ["contact", "message"],
        },
    }
    app = smarthome_with(tmp_path, send)
    resend = Function(
        name="resend_message",
        description="Send the last message again.",
        parameters={"type": "object", "properties": {"contact": {"type": "string"}}},
    )
    assert afresh(app, resend) is app.function("send_message")
    # No function whose verb is "dial": a redial has nothing to do afresh.
    assert afresh(app, Function(name="redial_last_number", description="Call again.", parameters={})) is None


@pytest.mark.parametrize(
    ("query", "arguments", "function", "asked_for", "carried"),
    [
        (
            "start an order from Five Guys",
            {"restaurant": "Five Guys"},
            "order_food",
            ["item"],
            {"restaurant": "Five Guys"},
        ),
        ("confirm the order", {}, "order_food", ["item"], {}),
        ("reorder from Chipotle", {"restaurant": "Chipotle"}, "reorder_last", [], {"restaurant": "Chipotle"}),
    ],
)
def test_a_repeat_unasked_is_the_afresh_call_with_the_values_it_carried(
    builtin_registry, query: str, arguments: dict, function: str, asked_for: list, carried: dict
) -> None:
    doordash = builtin_registry.app("doordash")
    fn, kept, asked = as_asked(doordash, doordash.function("reorder_last"), arguments, query)
    assert (fn.name, kept) == (function, carried)
    assert asked == {name: f"{NOT_WRITTEN} -> {NEEDS_INPUT}" for name in asked_for}


def test_no_repeat_unasked_end_to_end(orchestrator) -> None:
    """Router, DoorDash's adapter and the rule end to end: a new order that names no dish was
    answered with a reorder; it is an order from that restaurant that asks for the dish."""
    call = orchestrator.run("start an order from Five Guys")
    assert (call.function, call.arguments, call.needs_input) == ("order_food", {"restaurant": "Five Guys"}, ["item"])
    assert orchestrator.run("reorder from Chipotle").function == "reorder_last"
