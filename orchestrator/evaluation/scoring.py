"""The project's scoring rule (../shared/README.md), in one place for training, eval and tests.

Exact match = same app and function and every argument equal after filling schema defaults on
both sides; strings compare case-insensitively without surrounding whitespace or trailing
punctuation; numbers compare by value but must carry the schema's type ("12" is not 12).
"""

from __future__ import annotations

import string
from typing import Any

from orchestrator.registry import Function

TRAILING = string.punctuation.replace(")", "").replace("'", "") + " \t\n"


def normalize_string(text: str) -> str:
    return text.strip().rstrip(TRAILING).strip().lower()


def values_equal(expected: Any, got: Any) -> bool:
    if isinstance(expected, bool) or isinstance(got, bool):
        return isinstance(expected, bool) and isinstance(got, bool) and expected == got
    if isinstance(expected, (int, float)):
        return isinstance(got, (int, float)) and float(expected) == float(got)
    if isinstance(expected, str):
        return isinstance(got, str) and normalize_string(expected) == normalize_string(got)
    if isinstance(expected, list):
        return isinstance(got, list) and len(expected) == len(got) and all(map(values_equal, expected, got))
    if isinstance(expected, dict):
        return (
            isinstance(got, dict)
            and expected.keys() == got.keys()
            and all(values_equal(expected[k], got[k]) for k in expected)
        )
    return expected == got


def arguments_match(fn: Function, got: dict[str, Any], expected: dict[str, Any]) -> bool:
    """Exact-match of arguments under the scoring rule, with schema defaults filled on both sides."""
    defaults = fn.defaults()
    got_full = {**defaults, **got}
    expected_full = {**defaults, **expected}
    if got_full.keys() != expected_full.keys():
        return False
    props = fn.parameters.get("properties", {})
    for key, want in expected_full.items():
        have = got_full[key]
        kind = props.get(key, {}).get("type")
        if kind == "integer" and not (isinstance(have, int) and not isinstance(have, bool)):
            return False
        if kind == "number" and (isinstance(have, bool) or not isinstance(have, (int, float))):
            return False
        if not values_equal(want, have):
            return False
    return True
