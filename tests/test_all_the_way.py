"""A step the request says to take all the way, or to a number, is the setting there."""

from __future__ import annotations

import pytest

from orchestrator.data.datagen import generate
from orchestrator.registry import Function, Registry
from orchestrator.request.all_the_way import as_a_setting

from .conftest import premise_calls


@pytest.mark.parametrize(
    ("query", "arguments", "function", "settled"),
    [
        ("turn the volume all the way up", {"direction": "up"}, "set_volume", {"level": 30}),
        ("crank the music volume all the way up", {"direction": "up"}, "set_volume", {"level": 30}),
        ("volume up to the max", {"direction": "up", "steps": 1}, "set_volume", {"level": 30}),
        ("make it as loud as it goes", {"direction": "up"}, "set_volume", {"level": 30}),
        ("turn the radio all the way down", {"direction": "down"}, "set_volume", {"level": 0}),
        ("volume down to the lowest", {"direction": "down"}, "set_volume", {"level": 0}),
        # A step to a number said: the setting at that number, where it is in the setting's range.
        ("it's way too loud, turn the volume down to 20", {"direction": "down"}, "set_volume", {"level": 20}),
        ("turn the radio up to twenty five", {"direction": "up"}, "set_volume", {"level": 25}),
        ("turn it up to 90", {"direction": "up"}, "adjust_volume", {"direction": "up"}),  # the car's 0-30
        ("turn it down by 2", {"direction": "down", "steps": 2}, "adjust_volume", {"direction": "down", "steps": 2}),
        # A step: no end said, or an end against the step's way.
        ("turn it up", {"direction": "up"}, "adjust_volume", {"direction": "up"}),
        ("turn it up 3 notches", {"direction": "up", "steps": 3}, "adjust_volume", {"direction": "up", "steps": 3}),
        ("turn it down, not all the way", {"direction": "down"}, "adjust_volume", {"direction": "down"}),
        ("all the way up is too loud, turn it down", {"direction": "down"}, "adjust_volume", {"direction": "down"}),
    ],
)  # fmt: skip
def test_a_step_all_the_way_is_the_setting_at_its_end(
    builtin_registry, query: str, arguments: dict, function: str, settled: dict
) -> None:
    vehicle = builtin_registry.app("vehicle")
    fn, called, changes = as_a_setting(vehicle, vehicle.function("adjust_volume"), arguments, query)
    assert (fn.name, called) == (function, settled)
    assert bool(changes) == (function != "adjust_volume")


def test_only_a_step_with_a_setting_of_the_same_thing_moves(builtin_registry) -> None:
    vehicle, android = builtin_registry.app("vehicle"), builtin_registry.app("android")
    # A seat moves forward or back, up or down, and no function sets it by a number.
    seat = vehicle.function("adjust_seat")
    assert as_a_setting(vehicle, seat, {"direction": "up"}, "raise my seat all the way up")[0] is seat
    # Not a step: a setting is read by its own rules (``value_words``).
    level = android.function("set_volume")
    assert as_a_setting(android, level, {"level": 100}, "volume all the way up")[0] is level


def test_an_app_from_a_tools_file_gets_the_rule(tmp_path) -> None:
    """Step and setting named for one thing, from a tools file: "brightness"."""
    step = {
        "name": "adjust_brightness",
        "description": "Make the lights brighter or dimmer by a step.",
        "parameters": {
            "type": "object",
            "properties": {"direction": {"type": "string", "enum": ["increase", "decrease"]}},
            "required": ["direction"],
        },
    }
    setting = {
        "name": "set_brightness",
        "description": "Set the lights' brightness.",
        "parameters": {
            "type": "object",
            "properties": {"percent": {"type": "integer", "minimum": 1, "maximum": 100}},
            "required": ["percent"],
        },
    }
    registry = Registry(path=tmp_path / "registry.yaml")
    app = registry.add_app("lights", "Lights of a home.", [Function(**step), Function(**setting)])
    fn, called, _ = as_a_setting(
        app, app.function("adjust_brightness"), {"direction": "decrease"}, "dim them all the way down"
    )
    assert (fn.name, called) == ("set_brightness", {"percent": 1})
    examples, _ = generate(app, 200, seed=11)
    steps = [ex for ex in examples if ex.function == "adjust_brightness"]
    assert steps
    assert not [ex.query for ex in steps if as_a_setting(app, app.function(ex.function), ex.arguments, ex.query)[2]]


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_step_says_an_end(project_registry, builtin_registry, app: str) -> None:
    """The rule's premise: no step the adapters learnt (committed training data, English and other
    languages, and generated requests in every phrasebook language) says to go all the way."""
    application = project_registry.app(app)
    calls = premise_calls(project_registry, builtin_registry, app)
    assert len(calls) > 1500
    assert not [query for fn, arguments, query in calls if as_a_setting(application, fn, arguments, query)[2]]


def test_all_the_way_end_to_end(orchestrator) -> None:
    """Router, the car's adapter and the rule end to end: the adapter answered a step up."""
    call = orchestrator.run("turn the volume all the way up")
    assert (call.app, call.function, call.arguments) == ("vehicle", "set_volume", {"level": 30})
    assert orchestrator.run("turn the volume up 3 notches").function == "adjust_volume"
    call = orchestrator.run("it's way too loud, turn the volume down to 20")  # was one notch down
    assert (call.function, call.arguments) == ("set_volume", {"level": 20})
