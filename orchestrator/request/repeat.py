"""A request to do again what was done before says so: "order something from Panda Express" is
a new order, not a repeat of the last one.

A function that repeats ("reorder_last", "redial", "resend_message") differs from its app's
function that does the thing afresh ("order_food") by the request's word for again: "reorder",
"my usual", "same as last time", "nochmal", "lo mismo", "上次", "いつもの". DoorDash's adapter,
given an order that names a restaurant and no dish, answered ``reorder_last(restaurant=...)``
("start an order from Five Guys", "I want to order from Sweetgreen tonight"): the call places an
order the user never asked for, the wrong action. So a repeating function's call stands only
where the request, outside the values the call carries, says again in one of orch's languages;
otherwise there is no call. Every template of DoorDash's ``reorder_last`` in every phrasebook
language says one (``tests/test_repeat.py``).

Such a request asks for the thing afresh, and where the app has the function that does it (the
repeat's verb without its "re": "reorder_last" -> "order_food", "resend_message" ->
"send_message"), the call is that function's, with the values the repeat carried (``as_asked``):
"start an order from Five Guys" is ``order_food(restaurant="Five Guys")``, which asks for the
dish, where it had been no call.

A function repeats when a word of its name is a verb of repeating (``_REPEATING_NAMES``); "last"
alone names what a look-up reads ("get_last_email": "read my email"), not a repeat.
"""

from __future__ import annotations

import re
from typing import Any

from orchestrator.corpus import function_name_words
from orchestrator.registry import App, Function
from orchestrator.request.grounding import NEEDS_INPUT, NOT_WRITTEN, request_outside_values
from orchestrator.request.said import names_one_of

_REPEATING_NAMES = {"reorder", "repeat", "redo", "redial", "resend", "rebook", "replay", "again"}
# Saying again, by language: words (slips included, as ``said.names_one_of`` reads them) and, where
# it takes more than one word, is written without spaces or has a slip that is another word ("some"
# of "same", "order" of "reorder"), phrases with their slips spelt out ("sme", "reodrer").
_AGAIN_WORDS = frozenset({
    "again", "usual", "regular", "last", "previous", "before", "repeat", "redo", "redial",
    "resend", "rebook", "replay", "nochmal", "wieder", "wiederhole", "wiederhol", "erneut", "gleiche", "dasselbe",
    "letzte", "letztes", "letzten", "vorige", "übliche", "mismo", "misma", "último", "última", "anterior",
    "habitual", "repite", "repetir",
})  # fmt: skip
_AGAIN_PHRASES = re.compile(
    r"\b(?:s[ae]?me|re-?o\w*r\w*|one more time|as always"
    r"|noch einmal|otra vez|de nuevo|de siempre|vuelve a|volver a)\b"
    r"|再|上次|上一次|一样|同样|老样子|重复|重新|照旧|もう一度|同じ|前回|この前|いつもの|繰り返"
)


def repeats(fn: Function) -> bool:
    """Whether ``fn`` does again what was done before (module docstring)."""
    return bool(set(function_name_words(fn.name)) & _REPEATING_NAMES)


def repeats_unasked(fn: Function, query: str, arguments: dict[str, Any] | None = None) -> bool:
    """Whether ``fn`` repeats and ``query`` does not say again outside the values the call carries."""
    if not repeats(fn):
        return False
    text = request_outside_values(query, arguments)
    return not (_AGAIN_PHRASES.search(text) or names_one_of(_AGAIN_WORDS, text))


def afresh(app: App, fn: Function) -> Function | None:
    """The function of ``app`` that does afresh what ``fn`` repeats: the one whose name's verb is
    the repeating word without its "re" ("reorder_last" -> "order_food"); None where no function,
    or more than one, has that verb, or ``fn`` does not repeat."""
    verbs = [word[2:] for word in function_name_words(fn.name) if word in _REPEATING_NAMES and word.startswith("re")]
    if len(verbs) != 1:
        return None
    found = [other for other in app.functions if other is not fn and function_name_words(other.name)[0] == verbs[0]]
    return found[0] if len(found) == 1 else None


def as_asked(
    app: App, fn: Function, arguments: dict[str, Any], query: str
) -> tuple[Function, dict[str, Any], dict[str, str]]:
    """The call ``query`` asks for where ``app``'s adapter started ``fn`` with ``arguments``: that
    call, or where ``fn`` repeats, the request does not say again and the app does the thing
    afresh (``afresh``), the afresh function's call with the values both functions take (of one
    type) and each required value it lacks asked for; with what changed, as ``ground`` writes
    it. Not decoded again: made to start a function it did not want, the adapter wrote the
    restaurant as the dish ("start an order from Five Guys" -> ``order_food(item="Five Guys")``)
    and a verb as one ("confirm the order" -> ``item="confirm"``)."""
    fresh = afresh(app, fn)
    if fresh is None or not repeats_unasked(fn, query, arguments):
        return fn, arguments, {}
    carried = carried_over(fn, fresh, arguments)
    asked = {
        name: f"{NOT_WRITTEN} -> {NEEDS_INPUT}" for name in fresh.parameters.get("required", []) if name not in carried
    }
    return fresh, carried, asked


def carried_over(source: Function, target: Function, arguments: dict[str, Any]) -> dict[str, Any]:
    """The values of ``source``'s call that ``target`` takes too: a parameter of the same name and
    type."""
    properties, own = target.parameters.get("properties", {}), source.parameters.get("properties", {})
    return {
        name: value
        for name, value in arguments.items()
        if name in properties and properties[name].get("type") == own.get(name, {}).get("type")
    }
