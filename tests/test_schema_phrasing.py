"""Requests for an app without a phrasebook, from its schemas alone: spoken where the schema
allows ("unlock the back door"), schema-shaped otherwise ("lock door with locked disabled")."""

from __future__ import annotations

import re

from orchestrator.data.datagen import generate
from orchestrator.data.schema_phrasing import spoken_template, unit_of, verb_phrases
from orchestrator.registry import Function, Registry, tools_from_file
from orchestrator.switches import switch_verbs

from .conftest import DATA


def test_a_switch_says_its_value_as_the_verb_its_description_gives() -> None:
    assert switch_verbs("locked", {"type": "boolean", "description": "True to lock, false to unlock."}) == (
        "lock",
        "unlock",
    )
    assert switch_verbs("on", {"type": "boolean", "description": "True to turn on."}) == ("turn on", "turn off")
    assert switch_verbs("enabled", {"type": "boolean"}) == ("turn on", "turn off")
    # Nothing says what false is, or it is no switch: no spoken verb.
    assert switch_verbs("notify", {"type": "boolean", "description": "True to notify the host."}) is None
    assert switch_verbs("vegetarian", {"type": "boolean"}) is None
    assert switch_verbs("on", {"type": "string"}) is None


def test_a_description_that_names_both_values_of_a_switch_is_no_verb() -> None:
    """ "turn the lights on or off with on enabled" contradicts itself: the description's clause
    is a verb only where it does not name both values."""
    switch = {"type": "object", "properties": {"on": {"type": "boolean"}}}
    assert verb_phrases(Function("set_lights", "Turn the lights on or off.", switch)) == ["set lights"]
    assert verb_phrases(Function("set_lights", "Switch the lights.", switch)) == ["set lights", "switch the lights"]
    level = {"type": "object", "properties": {"level": {"type": "integer"}}}
    fan = Function("set_fan", "Speed up or slow down the fan.", level)
    assert verb_phrases(fan) == ["set fan", "speed up or slow down the fan"]


def test_a_numbers_unit_comes_from_its_name_or_description() -> None:
    assert unit_of("minutes", {"type": "integer"}) == "minutes"
    assert unit_of("brightness", {"type": "integer", "description": "Brightness percent."}) == "percent"
    assert unit_of("temperature", {"type": "number", "description": "Target in degrees Celsius."}) == "degrees"
    assert unit_of("count", {"type": "integer", "description": "How many."}) is None
    assert unit_of("minutes", {"type": "string"}) is None


def test_no_object_in_the_name_no_spoken_template() -> None:
    assert spoken_template(Function("refresh", "Refresh.", {"type": "object", "properties": {}}), [], False) is None


def test_spoken_requests_mean_what_their_calls_say(builtin_registry: Registry) -> None:
    """The CI app's generated requests: a share spoken, each switch's verb agreeing with its value,
    a unit's amount with the number, an enum named like the object before it."""
    app = builtin_registry.add_app("smarthome", *tools_from_file(DATA / "smarthome.json"))
    examples, _ = generate(app, 300, seed=2, registry=builtin_registry)
    calls = [ex for ex in examples if ex.function]
    lights = [ex for ex in calls if ex.function == "set_lights" and re.search(r"\bturn (on|off) the\b", ex.query)]
    assert len(lights) >= 10
    for ex in lights:
        assert ("turn on" in ex.query) == ex.arguments["on"], ex
    doors = [ex for ex in calls if ex.function == "lock_door" and re.search(r"\b(un)?lock the\b", ex.query)]
    assert len(doors) >= 5 and any("unlock" in ex.query for ex in doors)
    for ex in doors:
        assert ("unlock" in ex.query) == (not ex.arguments["locked"]), ex
        if "door" in ex.arguments:
            assert f"the {ex.arguments['door']} " in ex.query, ex
    timed = [ex for ex in calls if ex.function == "start_vacuum" and "minutes" in ex.arguments]
    assert any(re.search(rf"for {ex.arguments['minutes']} minutes", ex.query) for ex in timed)
    # Half the requests or so stay schema-shaped: they name their parameters.
    assert any("with locked" in ex.query or "locked:" in ex.query for ex in calls)
