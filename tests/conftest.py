"""Shared fixtures: a registry of the four built-in apps, and the real embedded base loaded once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orchestrator.catalog import BUILTIN_APPS, builtin_tools
from orchestrator.registry import App, Registry, load_registry

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = Path(__file__).parent / "data"


@pytest.fixture
def builtin_registry(tmp_path: Path) -> Registry:
    """A fresh registry file holding the four built-in apps, no adapters."""
    registry = Registry(path=tmp_path / "registry.yaml")
    for name in BUILTIN_APPS:
        description, functions = builtin_tools(name)
        registry.add_app(name, description, functions)
    registry.save()
    return registry


@pytest.fixture(scope="session")
def project_registry() -> Registry:
    """The committed registry.yaml with the committed built-in adapters."""
    return load_registry(ROOT / "registry.yaml")


@pytest.fixture(scope="session")
def embedded_base(project_registry):
    """The real embedded base (the committed registry's), grown by the project's functional tokens (loaded once)."""
    from orchestrator.engines.base_model import load_base

    return load_base(project_registry, device="cpu")


@pytest.fixture(scope="session")
def orchestrator(project_registry, embedded_base):
    """The torch engine: the suite's reference path (the q8_0 engine's tests compare with it)."""
    from orchestrator.request.orchestrator import Orchestrator

    project_registry.weights = "native"
    return Orchestrator(project_registry, base=embedded_base)


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The committed registry and adapters, copied so a test may change them (its registry.yaml)."""
    shutil.copy(ROOT / "registry.yaml", tmp_path / "registry.yaml")
    shutil.copytree(ROOT / "adapters", tmp_path / "adapters")
    return tmp_path / "registry.yaml"


def committed_training_calls(registry: Registry, app_name: str, path: Path | None = None) -> list[tuple]:
    """(function, arguments, query, row) of every call in the app's committed training data (its
    active adapter's ``train.jsonl``, or the one at ``path``)."""
    import json

    app = registry.app(app_name)
    rows = [json.loads(line) for line in (path or registry.adapter_dir(app) / "train.jsonl").open()]
    return [(app.function(row["function"]), row["arguments"], row["query"], row) for row in rows if row["function"]]


# Premise calls by (project registry file, app, samples): every test's built-in registry holds the
# same four apps and generation is seeded, so the suite generates each app's requests once.
_PREMISE_CALLS: dict[tuple[Path, str, int], list[tuple]] = {}


def premise_calls(project: Registry, builtin: Registry, app_name: str, samples: int = 1500) -> list[tuple]:
    """(function, arguments, query) of every call a request-side rule's premise reads for an app:
    the committed training data of its adapters (English and other languages), and ``samples``
    requests generated in every phrasebook language from the built-in registry ``builtin`` (each
    call's arguments a fresh dict: a rule under test may not change another test's)."""
    from orchestrator.data.datagen import generate
    from orchestrator.data.languages import LANGUAGES

    key = (project.path, app_name, samples)
    if key not in _PREMISE_CALLS:
        app = project.app(app_name)
        other_languages = project.keyed_adapter(app.adapter_key(True))[1] / "train.jsonl"
        rows = committed_training_calls(project, app_name) + committed_training_calls(
            project, app_name, other_languages
        )
        examples, _ = generate(builtin.app(app_name), samples, seed=11, registry=builtin, languages=LANGUAGES)
        _PREMISE_CALLS[key] = [(fn, arguments, query) for fn, arguments, query, _ in rows] + [
            (app.function(ex.function), ex.arguments, ex.query) for ex in examples if ex.function
        ]
    return [(fn, dict(arguments), query) for fn, arguments, query in _PREMISE_CALLS[key]]


def smarthome_with(tmp_path: Path, function: dict) -> App:
    """The schema-only test app (``data/smarthome.json``, no phrasebook) with one more function,
    in a fresh registry under ``tmp_path``."""
    from orchestrator.registry import Function, tools_from_file

    registry = Registry(path=tmp_path / "registry.yaml")
    description, functions = tools_from_file(DATA / "smarthome.json")
    return registry.add_app("smarthome", description, [*functions, Function(**function)])
