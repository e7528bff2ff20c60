"""A switch's call stands only when the request names what it switches; a setting's, only when
the request names no thing of a home."""

from __future__ import annotations

import pytest

from orchestrator.data.datagen import generate
from orchestrator.data.languages import LANGUAGES
from orchestrator.data.siblings import takes_a_setting
from orchestrator.registry import Registry, tools_from_file
from orchestrator.request.switch_object import (
    is_switch,
    names_a_home_thing,
    own_words,
    silences_one_thing,
    switches_something_else,
)

from .conftest import DATA, committed_training_calls, premise_calls, smarthome_with


@pytest.mark.parametrize(
    ("app", "function", "query", "refused"),
    [
        ("android", "toggle_wifi", "turn wemo on", True),
        ("android", "toggle_wifi", "turn off bluetooth", True),
        ("android", "toggle_wifi", "turn on airplane mode", True),
        ("android", "toggle_flashlight", "turn off the ringer", True),
        ("android", "set_do_not_disturb", "turn on the heater", True),
        ("vehicle", "toggle_air_conditioning", "turn on the radio", True),
        ("android", "toggle_wifi", "disable wi-fi", False),
        ("android", "toggle_wifi", "wfi off", False),  # a slip of the word
        ("android", "toggle_wifi", "schalte das WLAN aus", False),
        ("android", "toggle_wifi", "关闭无线网络", False),
        ("android", "toggle_flashlight", "I can't see, turn on the light", False),
        ("android", "toggle_flashlight", "懐中電灯をつけて", False),
        ("android", "set_do_not_disturb", "silence my phone", False),
        ("vehicle", "toggle_air_conditioning", "turn on the AC", False),
        ("vehicle", "toggle_air_conditioning", "打开冷气", False),  # each character is in other words
        ("android", "set_alarm", "turn wemo on", False),  # not a switch: its values tie it
    ],
)
def test_a_switch_must_be_named(builtin_registry, app: str, function: str, query: str, refused: bool) -> None:
    application = builtin_registry.app(app)
    assert switches_something_else(application, application.function(function), query) == refused


def test_only_switches_have_own_words(builtin_registry) -> None:
    android = builtin_registry.app("android")
    assert set(own_words(android)) == {"toggle_flashlight", "toggle_wifi", "set_do_not_disturb"}
    assert {"wifi", "wlan"} <= own_words(android)["toggle_wifi"]
    assert not {"turn", "the", "off", "bluetooth"} & own_words(android)["toggle_wifi"]


@pytest.mark.parametrize("app", ["android", "vehicle"])
def test_no_training_call_of_a_switch_is_refused(project_registry, app: str) -> None:
    """The rule's premise on the committed training data: every request a switch's call was
    trained on names it."""
    calls = committed_training_calls(project_registry, app)
    switched = [query for fn, _, query, _ in calls if is_switch(fn)]
    assert len(switched) > 20
    application = project_registry.app(app)
    assert not [q for fn, _, q, _ in calls if switches_something_else(application, fn, q)]


@pytest.mark.parametrize("app", ["android", "vehicle"])
def test_no_generated_call_of_a_switch_is_refused_in_any_language(builtin_registry, app: str) -> None:
    """The same premise on requests generated in every phrasebook language, typos included."""
    application = builtin_registry.app(app)
    examples, _ = generate(application, 2000, seed=11, registry=builtin_registry, languages=LANGUAGES)
    switched = [ex for ex in examples if ex.function and is_switch(application.function(ex.function))]
    assert len(switched) > 100
    assert not [
        ex.query for ex in switched if switches_something_else(application, application.function(ex.function), ex.query)
    ]


def test_an_app_phrased_from_its_schemas_alone_names_its_switch_by_its_name(tmp_path) -> None:
    switch = {
        "name": "toggle_porch_light",
        "description": "Turn the porch light on or off.",
        "parameters": {"type": "object", "properties": {"on": {"type": "boolean"}}, "required": ["on"]},
    }
    app = smarthome_with(tmp_path, switch)
    fn = app.function("toggle_porch_light")
    assert not switches_something_else(app, fn, "turn on the porch light")
    assert switches_something_else(app, fn, "turn on the sprinklers")


def test_no_call_end_to_end(orchestrator) -> None:
    """Router and adapters end to end: these flipped the phone's Wi-Fi or flashlight."""
    for query in ("turn wemo on", "turn off bluetooth", "turn off the ringer", "turn on airplane mode"):
        assert orchestrator.run(query).function is None, query
    assert orchestrator.run("turn off the wifi").arguments == {"on": False}
    assert orchestrator.run("turn on the AC").function == "toggle_air_conditioning"


@pytest.mark.parametrize(
    ("app", "function", "query", "refused"),
    [
        ("vehicle", "set_fan_speed", "alexa turn off the fan in the master bedroom", True),
        ("vehicle", "open_window", "lower the blinds", True),
        ("android", "set_screen_brightness", "increase the brightness of the light, it is hard to see", True),
        ("android", "toggle_flashlight", "please turn bedroom lights off", True),
        ("android", "set_volume", "turn up the tv", True),
        ("android", "toggle_flashlight", "打开卧室的灯", True),  # the bedroom's light
        ("vehicle", "set_temperature", "stell das Wohnzimmer auf 21 Grad", True),
        ("android", "toggle_flashlight", "turn the light on", False),  # the flashlight's own word
        ("vehicle", "set_fan_speed", "fan to level 3", False),
        ("android", "play_music", "play jazz in the kitchen", False),  # no setting: its value ties it
    ],
)
def test_a_setting_is_not_asked_of_a_home_thing(
    builtin_registry, app: str, function: str, query: str, refused: bool
) -> None:
    application = builtin_registry.app(app)
    assert names_a_home_thing(application, application.function(function), query) == refused


@pytest.mark.parametrize("app", ["android", "vehicle"])
def test_no_training_call_of_a_setting_names_a_home_thing(project_registry, builtin_registry, app: str) -> None:
    """The rule's premise: no request a setting's call was trained on (the committed data of the
    app's adapters in English and other languages, and requests generated in every phrasebook
    language) names a home's thing its phrasings do not say."""
    application = project_registry.app(app)
    calls = premise_calls(project_registry, builtin_registry, app, samples=2000)
    assert len([fn for fn, _, _ in calls if takes_a_setting(fn)]) > 300
    assert not [query for fn, _, query in calls if names_a_home_thing(application, fn, query)]
    assert not [query for fn, arguments, query in calls if silences_one_thing(fn, query, arguments)]


def test_a_home_app_keeps_its_own_things(tmp_path) -> None:
    """An app whose settings are a home's (the schema-only CI app) says its things in its phrasings."""
    registry = Registry(path=tmp_path / "registry.yaml")
    app = registry.add_app("smarthome", *tools_from_file(DATA / "smarthome.json"))
    examples, _ = generate(app, 400, seed=11, registry=registry)
    calls = [(app.function(ex.function), ex.query) for ex in examples if ex.function]
    assert len([fn for fn, _ in calls if takes_a_setting(fn)]) > 100
    assert not [query for fn, query in calls if names_a_home_thing(app, fn, query)]


@pytest.mark.parametrize(
    ("query", "refused"),
    [
        ("turn off notifications for whatsapp", True),  # would silence the whole phone
        ("turn on notification for all news on the stock market", True),
        ("mute alerts from my bank", True),
        ("turn off notifications for an hour", False),  # for a while: the mode's own
        ("turn off all notifications", False),
        ("silence notifications for tonight", False),
        ("turn on do not disturb", False),
    ],
)
def test_do_not_disturb_is_not_switched_for_one_thing_s_notifications(
    builtin_registry, query: str, refused: bool
) -> None:
    android = builtin_registry.app("android")
    assert silences_one_thing(android.function("set_do_not_disturb"), query) == refused
    assert not silences_one_thing(android.function("toggle_wifi"), query)
    muted = {"level": 0, "volume_type": "notification"}
    assert silences_one_thing(android.function("set_volume"), query, muted) == refused
    assert not silences_one_thing(android.function("set_volume"), query, {"level": 3, "volume_type": "notification"})


def test_a_home_thing_end_to_end(orchestrator) -> None:
    """Router, adapter and rule end to end: the vehicle adapter switched the car's fan off."""
    assert orchestrator.run("turn off the fan in the bedroom").function is None
    assert orchestrator.run("turn off the fan").function == "set_fan_speed"
