"""The scoring rule of ../shared/README.md."""

from __future__ import annotations

from orchestrator.catalog import builtin_tools
from orchestrator.evaluation.scoring import arguments_match


def _fn(app: str, name: str):
    return next(f for f in builtin_tools(app)[1] if f.name == name)


def test_defaults_are_filled_on_both_sides() -> None:
    order = _fn("doordash", "order_food")
    assert arguments_match(order, {"item": "pizza", "quantity": 1}, {"item": "pizza"})
    assert not arguments_match(order, {"item": "pizza", "quantity": 2}, {"item": "pizza"})


def test_strings_ignore_case_whitespace_and_trailing_punctuation() -> None:
    order = _fn("doordash", "order_food")
    assert arguments_match(order, {"item": " Pizza. "}, {"item": "pizza"})
    assert arguments_match(
        order, {"item": "pizza", "restaurant": "mcdonald's"}, {"item": "pizza", "restaurant": "McDonald's"}
    )
    assert not arguments_match(order, {"item": "pizzas"}, {"item": "pizza"})


def test_numbers_compare_by_value_with_the_schema_type() -> None:
    temp = _fn("vehicle", "set_temperature")
    assert arguments_match(temp, {"celsius": 19.0}, {"celsius": 19})
    volume = _fn("vehicle", "set_volume")
    assert not arguments_match(volume, {"level": "20"}, {"level": 20})
    assert not arguments_match(volume, {"level": 20.5}, {"level": 20})
    flash = _fn("android", "toggle_flashlight")
    assert not arguments_match(flash, {"on": 0}, {"on": False})
    assert arguments_match(flash, {"on": False}, {"on": False})


def test_missing_or_extra_arguments_fail() -> None:
    msg = _fn("android", "send_text_message")
    assert not arguments_match(msg, {"contact_name": "Alex"}, {"contact_name": "Alex", "message": "hi"})
    assert not arguments_match(
        msg, {"contact_name": "Alex", "message": "hi", "x": 1}, {"contact_name": "Alex", "message": "hi"}
    )


def test_held_out_examples_are_scored_on_the_call_a_user_gets(builtin_registry) -> None:
    """``training.trainer.score_arguments``: the raw decoder's values, and the call after the
    request path's value rules and grounding, where a value the target leaves empty (or a count it
    leaves unsaid) is asked for."""
    from orchestrator.data.datagen import Example
    from training.trainer import score_arguments

    android = builtin_registry.app("android")
    end_dnd = Example("ok so end DND", "set_do_not_disturb", {"enabled": False}, "")
    assert score_arguments(android, end_dnd, {"enabled": True}) == (False, True, {"enabled": False})
    unsaid = Example("make an event on my calendar", "create_calendar_event", {"title": "", "start_time": ""}, "")
    assert score_arguments(android, unsaid, {"title": "", "start_time": ""}) == (True, True, {})
    assert score_arguments(android, unsaid, {"title": "team lunch", "start_time": ""}) == (False, True, {})
    assert score_arguments(android, unsaid, {"title": "my calendar", "start_time": ""})[:2] == (False, False)
    # A count the request never gives: the target's stand-in, which the call asks for.
    yelp = builtin_registry.app("yelp")
    no_count = Example("book a table at Nobu", "make_reservation", {"business_name": "Nobu", "party_size": 1}, "")
    assert score_arguments(yelp, no_count, {"business_name": "Nobu", "party_size": 1}) == (
        True,
        True,
        {"business_name": "Nobu"},
    )
    assert score_arguments(yelp, no_count, {"business_name": "Nobu", "party_size": 3})[:2] == (False, True)
    # A choice the request does not say: the schema's default.
    windows = Example("roll down the windows", "open_window", {"percent": 100}, "")
    vehicle = builtin_registry.app("vehicle")
    assert score_arguments(vehicle, windows, {"window": "front_left", "percent": 100}) == (
        False,
        True,
        {"percent": 100},
    )
