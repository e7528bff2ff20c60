"""What a boolean switch's two values are called, read from its schema: one reading for the
generator that phrases requests (``data/schema_phrasing.py``: "unlock the back door") and the
value rules that read them back (``request/value_words.py``: "unlock" -> false).

A switch is a boolean named ``on``, ``enabled``, ... ("turn on" / "turn off"), or one whose
description says what true does and, or by a plain opposite, what false does: "True to lock,
false to unlock.", "True to turn on." ("turn off"), "True to enable." ("disable").
"""

from __future__ import annotations

import re
from typing import Any

# Booleans whose name alone says they switch something on.
SWITCH_NAMES = {"on", "enabled", "enable", "active", "power"}
_TRUE_TO = re.compile(r"\btrue to ([a-z ]+?)\s*(?:[,.;]|$)", re.IGNORECASE)
_FALSE_TO = re.compile(r"\bfalse to ([a-z ]+?)\s*(?:[,.;]|$)", re.IGNORECASE)
# A switch's verb for true, to its verb for false, word by word ("turn on" -> "turn off").
OPPOSITES = {
    "on": "off", "lock": "unlock", "open": "close", "start": "stop", "enable": "disable", "show": "hide",
    "mute": "unmute", "pause": "resume", "activate": "deactivate", "connect": "disconnect", "arm": "disarm",
}  # fmt: skip
OPPOSITES |= {off: on for on, off in OPPOSITES.items()}


def switch_verbs(param: str, schema: dict[str, Any]) -> tuple[str, str] | None:
    """(the verb for true, the verb for false) of a boolean that switches its object, or None."""
    if schema.get("type") != "boolean":
        return None
    description = schema.get("description", "") or ""
    said_true, said_false = _TRUE_TO.search(description), _FALSE_TO.search(description)
    if said_true:
        true = said_true.group(1).lower()
        false = said_false.group(1).lower() if said_false else _opposite(true)
        return (true, false) if false else None
    return ("turn on", "turn off") if param.lower() in SWITCH_NAMES else None


def _opposite(phrase: str) -> str | None:
    words = phrase.split()
    for i, word in enumerate(words):
        if word in OPPOSITES:
            return " ".join([*words[:i], OPPOSITES[word], *words[i + 1 :]])
    return None
