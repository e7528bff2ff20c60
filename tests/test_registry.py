"""Registry validation, atomic writes and functional-token slot stability."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from orchestrator import atomic
from orchestrator.catalog import BUILTIN_APPS, CATALOG_DIR, builtin_tools
from orchestrator.errors import OrchError
from orchestrator.registry import (
    CHATML_PROMPT,
    DEFAULT_BASE,
    EMBEDDED_GEMMA,
    EMBEDDED_SMOLLM2,
    GEMMA_PROMPT,
    Registry,
    load_registry,
    tools_from_file,
)

from .conftest import DATA, SHARED


def _rewrite(path: Path, change) -> None:
    raw = yaml.safe_load(path.read_text())
    change(raw)
    path.write_text(yaml.safe_dump(raw, sort_keys=False))


def test_round_trip(builtin_registry: Registry) -> None:
    loaded = load_registry(builtin_registry.path)
    assert list(loaded.apps) == list(BUILTIN_APPS)
    assert loaded.app("doordash").function("order_food").defaults() == {"quantity": 1}
    assert loaded.to_dict() == builtin_registry.to_dict()
    assert loaded.weights == "auto" and "weights" not in builtin_registry.to_dict()["decoding"]
    builtin_registry.weights = "q8_0"
    builtin_registry.save()
    assert load_registry(builtin_registry.path).weights == "q8_0"


@pytest.mark.skipif(not (SHARED / "catalog").is_dir(), reason="../shared/catalog not beside the checkout")
@pytest.mark.parametrize("name", BUILTIN_APPS)
def test_builtin_catalog_is_the_shared_contract(name: str) -> None:
    assert json.loads((CATALOG_DIR / f"{name}.json").read_text()) == json.loads(
        (SHARED / "catalog" / f"{name}.json").read_text()
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.update(colour="blue"), "colour: unknown key"),
        (lambda r: r["apps"]["yelp"].update(secret=1), "apps.yelp.secret: unknown key"),
        (
            lambda r: r["apps"]["yelp"]["functions"].append(r["apps"]["yelp"]["functions"][0]),
            "duplicate function search_businesses",
        ),
        (lambda r: r["apps"]["yelp"].update(token_offset=0), "slot"),
        (
            lambda r: r["apps"]["yelp"]["functions"][0]["function"]["parameters"].update(type=7),
            "apps.yelp.functions[0].function.parameters: not a valid JSON Schema",
        ),
        (
            lambda r: r["apps"]["yelp"]["functions"][0]["function"]["parameters"]["required"].append("nope"),
            "'nope' is not in properties",
        ),
        (
            lambda r: r["apps"]["yelp"].update(adapters={r["base_model"]: {"path": "adapters/missing"}}),
            f"apps.yelp.adapters[{DEFAULT_BASE}]: adapter file not found",
        ),
        (lambda r: r["apps"]["yelp"].update(adapters={"x": {"weights": 1}}), "apps.yelp.adapters[x].weights: unknown"),
        (lambda r: r["router"].update(threshold="high"), "router.threshold: must be"),
        (
            lambda r: r["router"].update(calibration={"x": {"pooling": [1, 2]}}),
            "router.calibration[x].pooling: must be three numbers",
        ),
        (
            lambda r: r["router"].update(calibration={"x": {"other_languages": {"threshold": 0.5, "bias": 1}}}),
            "router.calibration[x].other_languages.bias: unknown key",
        ),
        (lambda r: r["apps"].update({"Bad Name": r["apps"]["yelp"]}), "app name must match"),
        (lambda r: r.update(decoding={"weights": "int4"}), "decoding.weights: must be one of auto, native, q8_0"),
    ],
)
def test_invalid_registry_names_file_and_place(builtin_registry: Registry, change, message: str) -> None:
    _rewrite(builtin_registry.path, change)
    with pytest.raises(OrchError) as err:
        load_registry(builtin_registry.path)
    text = str(err.value)
    assert str(builtin_registry.path) in text
    assert message in text
    assert "\n" not in text


@pytest.mark.parametrize(("base", "prompt"), [(EMBEDDED_GEMMA, GEMMA_PROMPT), ("some/local-dir", CHATML_PROMPT)])
def test_the_prompt_template_defaults_to_the_bases_own_turn(tmp_path: Path, base: str, prompt: str) -> None:
    (tmp_path / "registry.yaml").write_text(f"version: 1\nbase_model: {base}\napps: {{}}\n")
    assert load_registry(tmp_path / "registry.yaml").prompt_template == prompt


def test_use_base_switches_adapters_calibration_and_prompt_and_keeps_the_old_ones(builtin_registry: Registry) -> None:
    builtin_registry.use_base(EMBEDDED_SMOLLM2)  # from the default base, Gemma 3
    smol = {"command": "orch train yelp", "examples": 1}
    builtin_registry.record_adapter("yelp", EMBEDDED_SMOLLM2, "adapters/smollm2-135m-instruct/yelp", smol)
    builtin_registry.record_adapter("yelp", EMBEDDED_GEMMA, "adapters/gemma-3-270m/yelp", {"examples": 2})
    builtin_registry.router_threshold = 0.3
    assert builtin_registry.app("yelp").adapter == "adapters/smollm2-135m-instruct/yelp"
    assert builtin_registry.default_adapter_dir("vehicle", EMBEDDED_GEMMA).parts[-3:] == (
        "adapters",
        "gemma-3-270m",
        "vehicle",
    )

    missing = builtin_registry.use_base(EMBEDDED_GEMMA)
    assert missing == ["android", "vehicle", "doordash"]
    yelp = builtin_registry.app("yelp")
    assert (yelp.adapter, yelp.training) == ("adapters/gemma-3-270m/yelp", {"examples": 2})
    assert builtin_registry.prompt_template == GEMMA_PROMPT and builtin_registry.router_threshold == 0.5
    builtin_registry.router_threshold = 0.4
    builtin_registry.save()

    reloaded = load_registry(builtin_registry.path, check_files=False)  # both bases survive a round trip
    assert reloaded.to_dict() == builtin_registry.to_dict() and reloaded.base_model == EMBEDDED_GEMMA
    reloaded.use_base(EMBEDDED_SMOLLM2)
    yelp = reloaded.app("yelp")
    assert (yelp.adapter, yelp.training) == ("adapters/smollm2-135m-instruct/yelp", smol)
    assert (reloaded.router_threshold, reloaded.prompt_template) == (0.3, CHATML_PROMPT)
    assert reloaded.other_calibrations[EMBEDDED_GEMMA][0] == 0.4


def test_the_other_language_calibration_is_the_active_bases_and_survives_a_round_trip(
    builtin_registry: Registry,
) -> None:
    """Each base keeps its own decision for requests in other languages; a base without one
    decides them as it decides English ones."""
    builtin_registry.other_language_calibration = (0.32, (1.3, 0.3, -1.9), 0.1)
    builtin_registry.use_base(EMBEDDED_SMOLLM2)
    assert builtin_registry.other_language_calibration is None
    builtin_registry.use_base(EMBEDDED_GEMMA)
    builtin_registry.save()
    reloaded = load_registry(builtin_registry.path, check_files=False)
    assert reloaded.other_language_calibration == (0.32, (1.3, 0.3, -1.9), 0.1)
    assert reloaded.to_dict()["router"]["calibration"][EMBEDDED_GEMMA]["other_languages"] == {
        "threshold": 0.32,
        "pooling": [1.3, 0.3, -1.9],
        "veto": 0.1,
    }
    reloaded.other_language_calibration = None
    assert "other_languages" not in reloaded.to_dict()["router"]["calibration"][EMBEDDED_GEMMA]


def test_a_registry_from_before_per_base_adapters_still_loads(tmp_path: Path) -> None:
    """Its one adapter, training record and calibration are the active base's."""
    old = {
        "version": 1,
        "base_model": EMBEDDED_SMOLLM2,
        "router": {"threshold": 0.36, "floor": 0.05, "pooling": [2.0, 0.2, 1.0]},
        "apps": {"yelp": {"adapter": "adapters/yelp", "token_offset": 0, "training": {"examples": 9}}},
    }
    old["apps"]["yelp"]["functions"] = [fn.to_tool() for fn in builtin_tools("yelp")[1]]
    (tmp_path / "registry.yaml").write_text(yaml.safe_dump(old))
    registry = load_registry(tmp_path / "registry.yaml", check_files=False)
    assert (registry.app("yelp").adapter, registry.app("yelp").training) == ("adapters/yelp", {"examples": 9})
    assert (registry.router_threshold, registry.router_pooling) == (0.36, (2.0, 0.2, 1.0))
    calibration = registry.to_dict()["router"]["calibration"]
    # It had no veto: none is added (an adapter's "no" weighs only through the pooling).
    assert calibration == {EMBEDDED_SMOLLM2: {"threshold": 0.36, "pooling": [2.0, 0.2, 1.0], "veto": 0.0}}


def test_duplicate_yaml_key_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text("base_model: a\nbase_model: b\napps: {}\n")
    with pytest.raises(OrchError, match="line 2: duplicate key 'base_model'"):
        load_registry(path)


def test_broken_yaml_reports_line(tmp_path: Path) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text("apps:\n  yelp: [unclosed\n")
    with pytest.raises(OrchError, match=r"registry.yaml: line \d+: invalid YAML"):
        load_registry(path)


def test_tools_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "tools.json"
    bad.write_text("{not json")
    with pytest.raises(OrchError, match="line 1: invalid JSON"):
        tools_from_file(bad)
    bad.write_text(json.dumps({"tools": [{"type": "function", "function": {"name": "x y"}}]}))
    with pytest.raises(OrchError, match=r"tools\[0\].function.name"):
        tools_from_file(bad)
    description, functions = tools_from_file(DATA / "smarthome.json")
    assert description.startswith("Smart home") and len(functions) == 5


def test_save_is_atomic_and_never_writes_an_invalid_registry(builtin_registry: Registry, monkeypatch) -> None:
    before = builtin_registry.path.read_text()
    builtin_registry.router_threshold = 0.3

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(OrchError, match=r"could not write .*registry\.yaml: disk full; the file is unchanged"):
        builtin_registry.save()
    assert builtin_registry.path.read_text() == before
    assert [p.name for p in builtin_registry.path.parent.iterdir()] == ["registry.yaml"]  # no temp left over
    monkeypatch.undo()

    builtin_registry.apps["yelp"].token_offset = 0  # overlaps android: must not be written
    with pytest.raises(OrchError):
        builtin_registry.save()
    assert builtin_registry.path.read_text() == before


def test_atomic_directory_keeps_old_contents_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "adapter"
    with atomic.atomic_directory(target) as staging:
        (staging / "weights").write_text("v1")
    with pytest.raises(RuntimeError), atomic.atomic_directory(target) as staging:
        (staging / "weights").write_text("half")
        raise RuntimeError("killed mid-write")
    assert (target / "weights").read_text() == "v1"
    assert sorted(os.listdir(tmp_path)) == ["adapter"]


def test_token_slots_stay_stable_across_add_and_remove(builtin_registry: Registry) -> None:
    before = {name: (app.token_offset, app.function_tokens) for name, app in builtin_registry.apps.items()}
    _, functions = builtin_tools("yelp")
    builtin_registry.remove_app("vehicle")  # frees slots 21-31
    extra = builtin_registry.add_app("smallapp", "", functions[:3])  # 4 slots fit in the hole
    assert extra.token_offset == before["vehicle"][0]
    _, many = builtin_tools("android")
    big = builtin_registry.add_app("bigapp", "", many)  # 21 slots do not fit the rest of the hole
    assert big.token_offset == max(
        a.token_offset + a.token_count for a in builtin_registry.apps.values() if a is not big
    )
    builtin_registry.save()
    reloaded = load_registry(builtin_registry.path)
    for name in ("android", "yelp", "doordash"):
        assert (reloaded.app(name).token_offset, reloaded.app(name).function_tokens) == before[name]
    slots = reloaded.token_slots()
    assert slots[before["doordash"][0]] == "<doordash_0>"
    assert len(slots) == len(set(slots) - {None}) + slots.count(None)


def test_add_app_rejects_duplicates_and_bad_names(builtin_registry: Registry) -> None:
    _, functions = builtin_tools("yelp")
    with pytest.raises(OrchError, match="already registered"):
        builtin_registry.add_app("yelp", "", functions)
    with pytest.raises(OrchError, match="must match"):
        builtin_registry.add_app("Yelp!", "", functions)
    with pytest.raises(OrchError, match="unknown app 'nope'"):
        builtin_registry.app("nope")


def test_an_adapter_for_other_languages_is_kept_beside_the_apps_own(builtin_registry: Registry) -> None:
    """``orch train --languages`` records the base's adapter for requests not in English; it
    survives a round trip and ``use-base``, and only an app that has one answers with it."""
    english = {"command": "orch train yelp", "examples": 3}
    languages = {"command": "orch train yelp --languages zh,es", "examples": 4}
    builtin_registry.record_adapter("yelp", EMBEDDED_GEMMA, "adapters/gemma-3-270m/yelp", english)
    builtin_registry.record_adapter(
        "yelp", EMBEDDED_GEMMA, "adapters/gemma-3-270m/yelp.languages", languages, other_languages=True
    )
    yelp, vehicle = builtin_registry.app("yelp"), builtin_registry.app("vehicle")
    assert yelp.adapter == "adapters/gemma-3-270m/yelp"
    assert yelp.other_languages["path"] == "adapters/gemma-3-270m/yelp.languages"
    keys = (yelp.adapter_key(False), yelp.adapter_key(True), vehicle.adapter_key(True))
    assert keys == ("yelp", "yelp.languages", "vehicle")
    app, path = builtin_registry.keyed_adapter("yelp.languages")
    assert app is yelp and path.parts[-2:] == ("gemma-3-270m", "yelp.languages")
    assert builtin_registry.default_adapter_dir("yelp", other_languages=True).name == "yelp.languages"
    builtin_registry.save()

    reloaded = load_registry(builtin_registry.path, check_files=False)
    assert reloaded.to_dict() == builtin_registry.to_dict()
    stored = {"path": "adapters/gemma-3-270m/yelp.languages", "training": languages}
    assert reloaded.app("yelp").other_languages == stored
    reloaded.use_base(EMBEDDED_SMOLLM2)
    assert reloaded.app("yelp").other_languages == {} and reloaded.app("yelp").adapter_key(True) == "yelp"
    reloaded.use_base(EMBEDDED_GEMMA)
    assert reloaded.app("yelp").other_languages["training"] == languages
    own = builtin_registry.path.parent / "adapters/gemma-3-270m/yelp/adapter_model.safetensors"
    own.parent.mkdir(parents=True)
    own.write_bytes(b"")
    with pytest.raises(OrchError, match=r"adapters\[embedded:gemma-3-270m\].other_languages: adapter file not found"):
        load_registry(builtin_registry.path)


def test_remove_app_deletes_both_of_its_adapters_when_asked(builtin_registry: Registry) -> None:
    from orchestrator.apps import remove_app

    root = builtin_registry.path.parent
    for path, other in (("adapters/gemma-3-270m/yelp", False), ("adapters/gemma-3-270m/yelp.languages", True)):
        (root / path).mkdir(parents=True)
        builtin_registry.record_adapter("yelp", EMBEDDED_GEMMA, path, {}, other_languages=other)
    remove_app(builtin_registry, "yelp", delete_adapter=True)
    assert not list((root / "adapters/gemma-3-270m").iterdir())
