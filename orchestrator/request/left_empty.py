"""A required value the model wrote empty, read where the request follows a template of the function.

An adapter learns to write a required value empty where the request does not say it ("play some
music", "email sales@acme.org"): the call then asks for it. It sometimes writes one empty where
the request does say it: "play something relaxing" and "um play something relaxing" came back
asking what to play. The phrasebooks say such requests in so many words: "(play|put on|queue)
[(the song |the album |some )]{query}", "(play|put on|blast|spin) [me ](something|a song|a
track|some songs|a tune) (by|from) {query}". So a required free-text value the model wrote empty
is read from the request where the request, less the assistant's name, the fillers and
politeness it opens with and what it closes with ("please", "?"), follows one of the function's
templates whole, in a script with spaces and any phrasebook language (``followed.py``). Of
several templates, the one that says most in its own words decides ("the kinks", not "something
by the kinks").

Not where the request follows one of the templates written for requests that leave values out
(``incomplete``: "play my playlist" asks what to play): those are the empty values the adapter
learnt. Nor where the slot holds only words of a way of asking, one slip from them included
("stuff to do", "put on some snogs"): a typo'd request that leaves the value out follows a
template loosely ("play something by the who" still asks: "the" and "who" are such words).
Those words are read in the languages whose templates the request follows, so a short name is
no article of another language ("weather in la" gave no place; "la" is Spanish template text),
while "was ist los in Salzburg", which follows an English template and a German one, reads "was
ist los" as German. Nor where the slot says only when ("a table for 6 at 8pm" names no place),
nor for a time or a date: their own rules read those. Nor for whom to call or write to: the
slot holds the rest of the request, and a wrong read would reach someone else ("call person a
for meeting", "send this message to the family group starts with a"), so the user is asked.
"""

from __future__ import annotations

import re
from typing import Any

from orchestrator.calls import free_text
from orchestrator.data.datagen import PREFIXES, SUFFIXES
from orchestrator.data.values import kind_for
from orchestrator.registry import App, Function
from orchestrator.request.followed import Compiled, compiled, slots_followed, template_entries, without_opening
from orchestrator.request.grounding import NOT_WRITTEN, UNSPACED_CHARACTER
from orchestrator.request.value_frame import WHEN_KINDS, beyond_the_frame
from orchestrator.request.value_words import only_says_when

# Per (app, function): its templates in scripts with spaces, lower-cased and compiled, by language:
# those for requests that say every value and those for requests that leave some out.
_TEMPLATES: dict[tuple[str, str], dict[str | None, tuple[list[Compiled], list[Compiled]]]] = {}
# Kinds of value left asked for: a time or a date (their own rules read those), and whom to call or
# write to, where a wrong read is a call to someone else ("call person a for meeting" would call
# "person a for meeting").
_LEFT_TO_ASK = {*WHEN_KINDS, "person"}
# Politeness a request opens with ("please", "can you", "quick:") and what it closes with.
_POLITE_OPENING = re.compile("(?:" + "|".join(re.escape(lead.strip()) for lead in PREFIXES) + r")\s+", re.IGNORECASE)
_CLOSINGS = "|".join(re.escape(end.strip()) for end in SUFFIXES)
_CLOSING = re.compile(rf"(?:\s*(?:{_CLOSINGS}|[.,;]))+$", re.IGNORECASE)


def read_where_left_empty(
    app: App, fn: Function, arguments: dict[str, Any], query: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """``arguments`` with each required free-text value the model wrote empty read from the
    template ``query`` follows (module docstring), and what changed (parameter ->
    ``"(not written) -> value"``)."""
    properties = fn.parameters.get("properties", {})
    empty = [
        name
        for name in fn.parameters.get("required", [])
        if free_text(properties.get(name, {}))
        and kind_for(name, properties[name]) not in _LEFT_TO_ASK
        and not str(arguments.get(name) or "").strip()
    ]
    if not empty or UNSPACED_CHARACTER.search(query):
        return arguments, {}
    text = _request_itself(query).lower()
    readings, left_out = [], []
    for language, (complete, incomplete) in _templates(app, fn).items():
        readings += [(language, slots) for slots in slots_followed(text, complete)]
        left_out += slots_followed(text, incomplete)
    readings += [(None, slots) for slots in left_out]
    settled, changes = dict(arguments), {}
    for name in empty:
        framed = [(language, slots) for language, slots in readings if slots.get(name)]
        if not framed or any(name not in slots for slots in left_out):
            continue
        words = min(framed, key=lambda reading: sum(map(len, reading[1].values())))[1][name].strip()
        languages = {language for language, _ in framed}
        if not all(beyond_the_frame(app, fn, words, language) for language in languages) or only_says_when(words):
            continue
        said = re.search(re.escape(words), query, re.IGNORECASE)
        settled[name] = said.group(0) if said else words
        changes[name] = f"{NOT_WRITTEN} -> {settled[name]}"
    return settled, changes


def _request_itself(query: str) -> str:
    """``query`` less the assistant's name and the fillers and politeness it opens with, and
    the politeness and punctuation it closes with."""
    text = without_opening(query)
    while polite := _POLITE_OPENING.match(text):
        text = without_opening(text[polite.end() :])
    return _CLOSING.sub("", text).strip()


def _templates(app: App, fn: Function) -> dict[str | None, tuple[list[Compiled], list[Compiled]]]:
    """``fn``'s phrasebook templates in scripts with spaces, lower-cased and compiled, by language
    (None for English): those that say every value, and those that leave some out; read once per
    function."""
    key = (app.name, fn.name)
    if key not in _TEMPLATES:
        read: dict[str | None, tuple[list[Compiled], list[Compiled]]] = {}
        for language, kind, template, surfaces in template_entries(app, fn):
            if not UNSPACED_CHARACTER.search(template):
                lowered = tuple((param, tuple(form.lower() for form in forms)) for param, forms in surfaces)
                complete, incomplete = read.setdefault(language, ([], []))
                (complete if kind == "templates" else incomplete).append(compiled(template.lower(), lowered))
        _TEMPLATES[key] = read
    return _TEMPLATES[key]
