"""App lifecycle: add, train, remove, and keep the router's examples and threshold current."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from orchestrator.catalog import BUILTIN_APPS, builtin_tools
from orchestrator.errors import OrchError
from orchestrator.registry import App, Registry, tools_from_file

ROUTER_EXAMPLES_PER_FUNCTION = 6
CALIBRATION_PER_FUNCTION = 6
CALIBRATION_NONE = 120


def router_examples_for(app: App, registry: Registry, seed: int = 101) -> list[str]:
    """A few generated requests per function: what the router compares new requests against."""
    from training.datagen import generate

    count = ROUTER_EXAMPLES_PER_FUNCTION * len(app.functions)
    examples, _ = generate(app, count + 1, seed=seed, registry=registry, negative_rate=0.0)
    return [ex.query for ex in examples if ex.function is not None]


def add_app(registry: Registry, name: str, tools_file: str | Path | None = None) -> App:
    """Register a built-in app, or any app from an OpenAI tools file; tokens are allocated here."""
    if tools_file is None:
        if name not in BUILTIN_APPS:
            raise OrchError(f"{name!r} is not a built-in app ({', '.join(BUILTIN_APPS)}); pass --tools FILE.json")
        description, functions = builtin_tools(name)
    else:
        description, functions = tools_from_file(tools_file)
    app = registry.add_app(name, description, functions)
    app.router_examples = router_examples_for(app, registry)
    return app


def remove_app(registry: Registry, name: str, delete_adapter: bool = False) -> App:
    app = registry.remove_app(name)
    adapter = registry.path.parent / app.adapter if app.adapter else None
    if delete_adapter and adapter is not None and adapter.is_dir():
        shutil.rmtree(adapter)
    return app


def calibrate_router(registry: Registry, router=None, seed: int = 4242) -> tuple[float, float]:
    """Set ``router.threshold`` to the value that best separates app requests from general ones.

    The labelled requests are generated with a seed the router examples never used.
    """
    from orchestrator.router import Router
    from training.datagen import generate, irrelevant_query

    if not registry.apps:
        return registry.router_threshold, 1.0
    queries: list[str] = []
    labels: list[str | None] = []
    for app in registry.apps.values():
        examples, _ = generate(
            app,
            CALIBRATION_PER_FUNCTION * len(app.functions) + 1,
            seed=seed,
            registry=registry,
            negative_rate=0.0,
            exclude={q.lower() for q in app.router_examples},
        )
        queries += [ex.query for ex in examples if ex.function]
        labels += [app.name for ex in examples if ex.function]
    rng = random.Random(seed)
    for _ in range(CALIBRATION_NONE):
        queries.append(irrelevant_query(rng))
        labels.append(None)
    router = router or Router(registry)
    threshold, accuracy = router.calibrate(queries, labels)
    registry.router_threshold = threshold
    router.threshold = threshold
    return threshold, accuracy
