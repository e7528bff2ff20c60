"""Two values of one call are two things the request says: an optional value that the request
says only inside another value of the call is that value's word, not a second value. "are there
any good Ethiopian restaurants near me that are open now" gave ``term="Ethiopian restaurants"``
and ``location="Ethiopian"``; "finde einen Tisch in einer beliebten Churrascaria" gave
``term="beliebten Churrascaria"`` and ``location="Churrascaria"``; "点两份宫保鸡丁" (order two kung pao
chicken) gave the dish as the restaurant too.

The adapters copy each value from the request, and a small model sometimes copies one span
twice: the whole for one parameter, a word at its edge (or all of it) for another. Where an
optional value is the start or the end of another value of the call (whole words; characters in
a script written without spaces), or the same as a required one, and the request says it once,
it is dropped: the filter is absent and the schema's default applies. A required value is left
as written (asking for it would lose what the adapter read, and the wider value may be the one
that is wrong), and so are times and dates, which their own rules set apart from the other
values (``value_frame.when_apart_from_other_values``). No call the adapters learnt has one value
inside another, or two the same, that its request says once (``tests/test_one_span.py``).
"""

from __future__ import annotations

from typing import Any

from orchestrator.calls import free_text
from orchestrator.data.values import kind_for
from orchestrator.registry import Function
from orchestrator.request.grounding import DROPPED, UNSPACED_CHARACTER
from orchestrator.request.said import times_said
from orchestrator.request.value_frame import WHEN_KINDS


def one_value_per_span(fn: Function, arguments: dict[str, Any], query: str) -> tuple[dict[str, Any], dict]:
    """``arguments`` without each optional free-text value that is the start or the end of another
    free-text value of the call, or the same as a required one, and that ``query`` says only once;
    and what was dropped (``ground``'s form)."""
    properties = fn.parameters.get("properties", {})
    required = set(fn.parameters.get("required", []))
    text = query.lower()
    values = {
        name: value.strip().lower()
        for name, value in arguments.items()
        if isinstance(value, str) and value.strip() and free_text(properties.get(name, {}))
    }
    dropped = {
        name: DROPPED
        for name, value in values.items()
        if name not in required
        and kind_for(name, properties[name]) not in WHEN_KINDS
        and times_said(value, text) == 1
        and any(
            other != name and (_at_an_edge(value, wider) or (wider == value and other in required))
            for other, wider in values.items()
        )
    }
    return {name: value for name, value in arguments.items() if name not in dropped}, dropped


def _at_an_edge(value: str, wider: str) -> bool:
    """Whether ``value`` is the start or the end of the longer ``wider``, in whole words (in
    characters in a script written without spaces)."""
    if len(wider) <= len(value):
        return False
    if UNSPACED_CHARACTER.search(value):
        return wider.startswith(value) or wider.endswith(value)
    return wider.startswith(value + " ") or wider.endswith(" " + value)
