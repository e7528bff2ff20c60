"""A step that the request says to take all the way is the setting at that end: "turn the volume
all the way up" is the car's ``set_volume(level=30)``, not ``adjust_volume(direction="up")``,
which raises it one notch.

The adapters learnt a step function's requests ("turn it up", "crank the music up") and read
"turn the volume all the way up", "crank the music volume all the way up" or "volume down to the
minimum" as a step, whose call moves the setting one step of many: the user asked for the end
of its range. Where the app also sets the thing the step moves (the function whose name names
the same thing with another verb: ``adjust_volume`` and ``set_volume``) by one number with
that end in its schema, the call is that function's, at the end the request names:
``value_words``' words for a maximum ("max", "all the way", "as loud as") in the step's
direction up, or for a minimum ("all the way down", "lowest") down. Values the two functions
share (of one type) are carried over. A request whose end goes against the step's direction
("turn it down, not all the way") is left to the step.

So is a step to a number: "it's way too loud, turn the volume down to 20" came back as one notch
down. Where the request says one number the thing goes to ("down to 20", "up to twenty five";
``value_words.said_target``) within the setting's range, the call is the setting at that number.

A step function is one whose parameter chooses between going up and going down (``enum`` of one
word for each: up/down, increase/decrease, raise/lower), so an app added from a tools file gets
the rule too. No step the adapters learnt says an end (``tests/test_all_the_way.py``).
"""

from __future__ import annotations

from typing import Any

from orchestrator.corpus import function_name_words
from orchestrator.registry import App, Function
from orchestrator.request.grounding import NOT_WRITTEN, request_outside_values
from orchestrator.request.repeat import carried_over
from orchestrator.request.value_words import said_target, says_the_maximum, says_the_minimum

# The choices of a step's direction, by the end each one goes towards.
_UP = {"up", "increase", "raise", "higher", "more"}
_DOWN = {"down", "decrease", "lower", "less"}


def as_a_setting(
    app: App, fn: Function, arguments: dict[str, Any], query: str
) -> tuple[Function, dict[str, Any], dict[str, str]]:
    """The call ``query`` asks for where ``app``'s adapter started the step ``fn`` with
    ``arguments``: that call, or where the request says to go all the way in the step's direction
    (or to one number) and the app sets the same thing by a number with that end (in whose range
    it is), the setting's call there (module docstring); with what changed, as ``ground`` writes
    it."""
    direction = _direction(fn, arguments)
    setting = _setting_of(app, fn) if direction is not None else None
    if direction is None or setting is None:
        return fn, arguments, {}
    name, schema = setting[1]
    text = request_outside_values(query, {key: value for key, value in arguments.items() if key != direction[0]})
    end = "maximum" if direction[1] == "up" else "minimum"
    said = says_the_maximum(text) if end == "maximum" else says_the_minimum(text)
    level = schema.get(end) if said else said_target(text.lower(), schema)
    if level is None:
        return fn, arguments, {}
    fresh = setting[0]
    carried = {key: value for key, value in carried_over(fn, fresh, arguments).items() if key != name}
    return fresh, {**carried, name: level}, {name: f"{NOT_WRITTEN} -> {level}"}


def _direction(fn: Function, arguments: dict[str, Any]) -> tuple[str, str] | None:
    """The parameter of ``fn`` that chooses up or down and where the call goes ("up" or "down"),
    or None where ``fn`` takes no step."""
    for name, schema in fn.parameters.get("properties", {}).items():
        options = {str(option).lower() for option in schema.get("enum") or []}
        if len(options) == 2 and options & _UP and options & _DOWN:
            chosen = str(arguments.get(name, "")).lower()
            if chosen in _UP | _DOWN:
                return name, "up" if chosen in _UP else "down"
    return None


def _setting_of(app: App, fn: Function) -> tuple[Function, tuple[str, dict[str, Any]]] | None:
    """The one other function of ``app`` whose name names the thing ``fn``'s name names, with
    another verb, and its one numeric parameter with its schema; None where there is no such
    function or it takes no number or more than one."""
    thing = function_name_words(fn.name)[1:]
    found = [other for other in app.functions if other is not fn and function_name_words(other.name)[1:] == thing]
    if not thing or len(found) != 1:
        return None
    numbers = [
        (name, schema)
        for name, schema in found[0].parameters.get("properties", {}).items()
        if schema.get("type") in {"integer", "number"}
    ]
    return (found[0], numbers[0]) if len(numbers) == 1 else None
