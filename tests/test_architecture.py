"""The packages show the flow, and imports go one way: serving never imports training.

Layers, lowest first; a module may import its own layer and those below it, never above:

* core (``orchestrator/*.py`` but the commands, ``catalog``): the registry, calls, corpus, errors;
* ``orchestrator/data``: requests and calls generated from schemas;
* ``orchestrator/engines``: what runs the model;
* ``orchestrator/request``: the request path;
* ``orchestrator/serving`` and ``orchestrator/evaluation``: HTTP, and measuring;
* ``training/``: the trainer;
* the commands (``orchestrator/cli.py``, ``orchestrator/apps.py``), on top.

Every import statement counts, those inside functions too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

LAYERS = ["core", "data", "engines", "request", "serving", "evaluation", "training", "commands"]
# serving and evaluation sit side by side: neither imports the other.
PEERS = {("serving", "evaluation"), ("evaluation", "serving")}
COMMANDS = {"cli", "apps"}


def layer_of(module: str) -> str | None:
    """The layer of a dotted module name inside the project, None for a library."""
    parts = module.split(".")
    if parts[0] == "training":
        return "training"
    if parts[0] != "orchestrator":
        return None
    if len(parts) == 1:
        return "core"
    if parts[1] in ("data", "engines", "request", "serving", "evaluation"):
        return parts[1]
    return "commands" if parts[1] in COMMANDS else "core"


def imports_of(path: Path, module: str) -> list[str]:
    """Every module ``path`` imports, relative imports resolved against ``module``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.split(".")[: -node.level]
                base = ".".join(package + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found += [base] + [f"{base}.{alias.name}" for alias in node.names]
    return found


def violations(root: Path) -> list[str]:
    """``file: imports X (layer a may not import layer b)`` for every import against the layers."""
    found = []
    for path in sorted([*root.glob("orchestrator/**/*.py"), *root.glob("training/**/*.py")]):
        module = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        own = layer_of(module)
        for imported in imports_of(path, module):
            other = layer_of(imported)
            if other is None or other == own:
                continue
            if LAYERS.index(other) > LAYERS.index(own) or (own, other) in PEERS:
                found.append(f"{path.relative_to(root)}: imports {imported} ({own} may not import {other})")
    return sorted(set(found))


def test_imports_follow_the_layers_and_serving_never_imports_training() -> None:
    assert violations(ROOT) == []


def test_the_check_finds_a_serving_module_that_imports_training(tmp_path: Path) -> None:
    """The rule can fail: a lazy import of the trainer inside the server is caught."""
    (tmp_path / "orchestrator" / "serving").mkdir(parents=True)
    (tmp_path / "training").mkdir()
    (tmp_path / "orchestrator" / "serving" / "server.py").write_text(
        "def handler():\n    from training.trainer import train_app\n    from ..request import router\n"
    )
    assert violations(tmp_path) == [
        "orchestrator/serving/server.py: imports training.trainer (serving may not import training)",
        "orchestrator/serving/server.py: imports training.trainer.train_app (serving may not import training)",
    ]
