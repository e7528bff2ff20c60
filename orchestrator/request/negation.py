"""Requests that tell the assistant not to do what a function does: "don't call mom" must not
call her. The adapter reads such a request as its function's (it knows "call mom"), and a call
there is the very action the user ruled out, so it becomes no call.

A request is told-not-to for a function when every time it says a word of the function's name
("call" in ``make_phone_call``, "send" in ``send_text_message``) the word follows a negation
("don't", "do not", "never"), outside the values the call carries. A function whose name is
itself negated (``set_do_not_disturb``: "don't disturb me" turns it on) is never refused, and a
negated word said again plainly ("don't set it too loud, set it to 30") asks for the call.
English only: function names are English.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from orchestrator.corpus import function_name_words
from orchestrator.registry import Function
from orchestrator.request.grounding import request_outside_values

_NEGATED = re.compile(r"\b(?:don'?t|do not|never)\s+(?:ever\s+)?([a-z]+)\b")
_NAME_NEGATION = {"not", "no", "dont", "never"}


def told_not_to(fn: Function, query: str, arguments: dict[str, Any] | None = None) -> bool:
    """Whether ``query`` rules out ``fn``'s action: a word of its name said only after a negation,
    outside the text values the call would carry ("text mom don't send money" is a message)."""
    name = set(function_name_words(fn.name))
    if _NAME_NEGATION & name:
        return False
    text = request_outside_values(query, arguments)
    negated = Counter(match.group(1) for match in _NEGATED.finditer(text) if match.group(1) in name)
    return any(len(re.findall(rf"\b{word}\b", text)) == times for word, times in negated.items())
