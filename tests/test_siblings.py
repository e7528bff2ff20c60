"""Sibling operations and neighbour objects: "no call" material derived from the schemas alone."""

from __future__ import annotations

from orchestrator.corpus import words_of
from orchestrator.data.datagen import generate
from orchestrator.data.siblings import neighbour_requests, object_phrases, sibling_requests
from orchestrator.registry import Function, Registry, tools_from_file

from .conftest import DATA


def test_an_apps_objects_come_from_its_function_names(builtin_registry: Registry) -> None:
    android = builtin_registry.app("android")
    assert object_phrases(android.function("set_alarm")) == ["alarm"]
    assert object_phrases(android.function("create_calendar_event")) == ["calendar event"]
    assert object_phrases(android.function("get_weather_forecast")) == []  # looks up, makes nothing
    # A preposition places the object, it is not part of it.
    play = Function("play_on_speaker", "Play music on a smart speaker.", {"type": "object", "properties": {}})
    assert object_phrases(play) == ["speaker"]


def test_operations_the_app_lacks_are_refused_and_those_it_offers_are_not(builtin_registry: Registry) -> None:
    alarms = [text for text in sibling_requests(builtin_registry.app("android"), 400) if "alarm" in text]
    assert any(text.startswith(("cancel", "delete", "remove", "clear", "wipe", "erase")) for text in alarms)
    assert any(text.startswith(("show", "list", "what", "do I have")) for text in alarms)
    # DoorDash cancels and tracks orders itself: neither is a sibling of order_food.
    doordash = sibling_requests(builtin_registry.app("doordash"), 400)
    assert not any(text.startswith(("cancel", "delete", "show", "list")) for text in doordash)
    # A switch is turned off by its own function ("turn off the flashlight"), a setting changed by it.
    android = sibling_requests(builtin_registry.app("android"), 400)
    assert not any(text.startswith(("turn off", "switch off")) and "flashlight" in text for text in android)
    assert not any(text.startswith(("cancel", "remove")) and "do not disturb" in text for text in android)
    assert not any(text.startswith(("edit", "change")) and "volume" in text for text in android)
    # A level that may be 0 turns its object off ("get rid of the seat heating"); a timer cannot.
    vehicle = sibling_requests(builtin_registry.app("vehicle"), 400)
    removals = [text for text in vehicle if text.startswith(("cancel", "delete", "remove", "get rid of"))]
    assert not any(obj in text for text in removals for obj in ("seat heating", "fan speed", "volume"))
    assert any(text.startswith(("cancel", "delete", "remove")) and "timer" in text for text in android)
    assert any(text.startswith(("how high", "what's the")) and "fan speed" in text for text in vehicle)


def test_neighbours_leave_out_what_a_registered_app_controls(builtin_registry: Registry) -> None:
    apps = list(builtin_registry.apps.values())
    lighting = {"light", "lamp", "bulb"}
    assert any(lighting & words_of(text) for text in neighbour_requests(apps, 200))
    description, functions = tools_from_file(DATA / "smarthome.json")
    smarthome = builtin_registry.add_app("smarthome", description, functions)
    # Its set_lights serves the lamps and bulbs too, not only the requests that say "light".
    assert not any(lighting & words_of(text) for text in neighbour_requests([*apps, smarthome], 200))


def test_an_apps_training_data_refuses_its_siblings(builtin_registry: Registry) -> None:
    app = builtin_registry.app("android")
    examples, _ = generate(app, 600, seed=0, registry=builtin_registry)
    siblings = set(sibling_requests(app, 400, seed=0))
    refused = [ex for ex in examples if ex.function is None and ex.query in siblings]
    assert refused and all(ex.answer == app.end_token for ex in refused)
