"""Which of a function's phrasebook templates a request follows whole, and what its slots hold.

A template says a request in so many words around its values: "{time}にアラームをセットして",
"(play|put on) [me ](something|a song) (by|from) {query}". Where a request is one of them said
whole, and the template splits it one way only, its slots hold the request's values. Two rules read
them: ``unspaced_values`` (values in Chinese and Japanese as their template frames them) and
``left_empty`` (a required value the model wrote empty).

A template is followed only where it splits the request one way: its slots read alike as short
and as long as they can be, no two of them meet without the template's words between, and none
has a particle at its edge ("(明日|毎朝)[は]{time}に起こして" would read "明日の朝6時に起こして" as
``time="の朝6時"``). A slot with spoken forms in the phrasebook (``surface``: "評価の高い" for a
rating) reads only those, and of a choice the template's longest words are read first ("(搜|搜索)
{query}" reads "搜索猫咪视频" as "猫咪视频", not "索猫咪视频"). The assistant's name and fillers a
request opens with ("hey siri") are no part of it (``without_opening``).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from typing import Any

from orchestrator.data import templates
from orchestrator.data.datagen import WAKE_WORDS
from orchestrator.data.languages import LANGUAGES
from orchestrator.data.phrasebook import function_specs
from orchestrator.registry import App, Function

# A template compiled: its slots read as short and as long as they can be, the parameters of its
# groups in order, and those read as one of their spoken forms.
Compiled = tuple[re.Pattern[str], re.Pattern[str], tuple[str, ...], frozenset[str]]
# Spoken forms per parameter, longest first: (parameter, forms) pairs, hashable for the cache.
Surfaces = tuple[tuple[str, tuple[str, ...]], ...]
# A particle at a value's edge, which joins it to the sentence and is none of its words: a template
# that leaves one in its slot splits the request elsewhere than its writer did.
_PARTICLE_AT_AN_EDGE = re.compile(r"^[のにをはがでとへもや的了]|[のにをはがでとへもや的]$")
# The assistant's names and the fillers a request may open with.
_OPENING = re.compile(
    "|".join(re.escape(word.strip(" ,")) + r"[\s,]+" for word in sorted(WAKE_WORDS, key=len, reverse=True)),
    re.IGNORECASE,
)


def template_entries(app: App, fn: Function) -> Iterator[tuple[str | None, str, str, Surfaces]]:
    """Each of ``fn``'s phrasebook templates in every language: its language (None for English),
    its kind ("templates" or "incomplete", those written for requests that leave values out), its
    text and its slots' spoken forms."""
    for language, spec in zip((None, *LANGUAGES), function_specs(app, fn.name), strict=True):
        surfaces = tuple(
            (param, tuple(sorted({form for forms in said.values() for form in forms}, key=len, reverse=True)))
            for param, said in (spec.get("surface") or {}).items()
        )
        for kind in ("templates", "incomplete"):
            for entry in spec.get(kind) or []:
                yield language, kind, (entry["t"] if isinstance(entry, dict) else entry), surfaces


def without_opening(query: str) -> str:
    """``query`` without the assistant's names and the fillers it opens with ("hey siri", "uh")."""
    text = query.strip()
    while opening := _OPENING.match(text):
        text = text[opening.end() :]
    return text


def slots_followed(text: str, compiled: list[Compiled]) -> list[dict[str, str]]:
    """The slots' words of each template ``text`` follows whole, where the template splits it
    one way only (its slots as short and as long as they can be read alike, no two free slots
    meeting) and leaves no particle at a slot's edge."""
    found = []
    for shortest, longest, names, spoken in compiled:
        match, other = shortest.fullmatch(text), longest.fullmatch(text)
        if not match or not other or match.groups() != other.groups() or _slots_touch(match, names, spoken):
            continue
        slots: dict[str, str] = {}
        for name, words in zip(names, match.groups(), strict=True):
            if words is not None:
                slots.setdefault(name, words)
        if not any(_PARTICLE_AT_AN_EDGE.search(words) for words in slots.values()):
            found.append(slots)
    return found


def _slots_touch(match: re.Match[str], names: tuple[str, ...], spoken: frozenset[str]) -> bool:
    """Whether two free slots ``match`` filled meet with none of the template's words between them
    ("{location}の{price}{term}"): nothing tells where one ends. A slot read as one of its spoken
    forms (``spoken``) has its own edges."""
    spans = sorted(
        (match.span(group), names[group - 1] in spoken)
        for group in range(1, len(names) + 1)
        if match.group(group) is not None
    )
    return any(
        end == start and not (fixed or next_fixed)
        for ((_, end), fixed), ((start, _), next_fixed) in itertools.pairwise(spans)
    )


@functools.cache
def compiled(template: str, surfaces: Surfaces) -> Compiled:
    """``template`` as two regular expressions, its free slots read as short and as long as they
    can be and a slot with spoken forms (``surfaces``: parameter -> forms) as one of them, and its
    slots' parameters in the order of their groups."""
    names: list[str] = []
    nodes, forms = templates.parse(template), dict(surfaces)
    shortest = re.compile(_regex(nodes, names, "(.+?)", forms))
    return shortest, re.compile(_regex(nodes, [], "(.+)", forms)), tuple(names), frozenset(forms) & set(names)


def _regex(nodes: list[Any], names: list[str], slot: str, forms: dict[str, tuple[str, ...]]) -> str:
    """A regular expression for every phrasing of ``nodes``, each slot the group ``slot``, or of
    its spoken ``forms`` where it has some (its parameter appended to ``names``, in the order of
    the groups). Of a choice, the longest option is tried first: the template's own words before
    the slot's ("(搜|搜索){query}" reads "搜索猫咪视频" as the query "猫咪视频", not "索猫咪视频")."""
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(re.escape(node))
        elif isinstance(node, templates.Slot):
            names.append(node.param)
            spoken = forms.get(node.param)
            out.append("(" + "|".join(re.escape(form) for form in spoken) + ")" if spoken else slot)
        elif isinstance(node, templates.Opt):
            out.append(f"(?:{_regex(node.body, names, slot, forms)})?")
        else:
            options = sorted(node.options, key=lambda option: len("".join(templates.literals(option))), reverse=True)
            out.append("(?:" + "|".join(_regex(option, names, slot, forms) for option in options) + ")")
    return "".join(out)
