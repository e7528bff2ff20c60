"""The built-in apps' function sets (copies of ../shared/catalog, the product contract)."""

from __future__ import annotations

from pathlib import Path

from orchestrator.errors import OrchError
from orchestrator.registry import Function, tools_from_file

CATALOG_DIR = Path(__file__).parent
BUILTIN_APPS = ("android", "vehicle", "yelp", "doordash")


def builtin_tools(name: str) -> tuple[str, list[Function]]:
    """Description and functions of a built-in app."""
    if name not in BUILTIN_APPS:
        raise OrchError(f"{name!r} is not a built-in app ({', '.join(BUILTIN_APPS)}); use --tools FILE.json")
    return tools_from_file(CATALOG_DIR / f"{name}.json")
