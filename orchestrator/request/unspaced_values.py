"""A value in a script written without spaces (Chinese, Japanese), as the function's phrasebook
template that the request follows frames it.

Words give a value its edges in English; in Chinese and Japanese the model must find them
among characters, and where it never learnt the language (no adapter learns Japanese) it took
the template's own text in with the value: "7時にアラームをセットして" (set an alarm at 7) gave
``time="7時にアラームをセットして"``, "ジャズをかけて" (put on jazz) ``query="ジャズをかけて"``, and
"明天早上七点叫醒我" (wake me at seven tomorrow morning) ``label="醒"``, a piece of "叫醒" (wake).
The phrasebooks say these requests in so many words: "{time}にアラームをセットして",
"{query}をかけて", "明天{time}叫醒我". So where the request, read without the spaces between its
characters, is one of the function's templates said whole, the template's slots hold its values:

- a value that holds its slot's words and more becomes the slot's words, and so does one that
  holds fewer, where every template the request follows puts the same words in that slot and
  they add only characters to the value ("设一个早上六点的闹钟" gave ``time="六点"``, not "早上六点"
  (six in the morning); "给小王发短信说我马上到" ``message="马上到"``, not "我马上到");
- a value that holds another slot's words and not its own becomes its own slot's words, where the
  templates followed read that slot one way that holds no other slot's words
  ("5時に会議のアラームをセットして", set a meeting alarm at 5, gave ``time="会議のアラーム"``:
  "{time}に{label}のアラーム..." reads the time as "5時");
- an optional value that no template the request follows has a slot for, and that is none of
  the slots' words, is dropped: the template says it in its own words, not as a value.

A template is followed only where it splits the request one way: its slots read alike as short
and as long as they can be, no two of them meet without the template's words between, and none
has a particle at its edge ("(明日|毎朝)[は]{time}に起こして" would read "明日の朝6時に起こして" as
``time="の朝6時"``). A slot with spoken forms in the phrasebook (``surface``: "評価の高い" for a
rating) reads only those, and of a choice the template's longest words are read first ("(搜|搜索)
{query}" reads "搜索猫咪视频" as "猫咪视频", not "索猫咪视频"). Of several templates the request
follows, the one that says most in its own words decides. The assistant's name and fillers the
request opens with ("hey siri") are no part of it. Requests that follow no template, and values
in a script with spaces, are left to the other rules.
"""

from __future__ import annotations

import functools
import itertools
import re
from typing import Any

from orchestrator.calls import free_text
from orchestrator.data import templates
from orchestrator.data.datagen import WAKE_WORDS
from orchestrator.data.phrasebook import function_specs
from orchestrator.registry import App, Function
from orchestrator.request.grounding import DROPPED, UNSPACED, UNSPACED_CHARACTER

# A template compiled: its slots read as short and as long as they can be, the parameters of its
# groups in order, and those read as one of their spoken forms.
_Compiled = tuple[re.Pattern[str], re.Pattern[str], tuple[str, ...], frozenset[str]]
# Spaces with a character of a script without spaces on either side: "7 時 に" reads "7時に".
_SPACE_BY_UNSPACED = re.compile(rf"(?<=[{UNSPACED}])\s+|\s+(?=[{UNSPACED}])")
# A particle at a value's edge, which joins it to the sentence and is none of its words: a template
# that leaves one in its slot splits the request elsewhere than its writer did.
_PARTICLE_AT_AN_EDGE = re.compile(r"^[のにをはがでとへもや的了]|[のにをはがでとへもや的]$")
# A character of a script with spaces (a Latin letter, a digit, a space): no widening adds one.
_OTHER_THAN_UNSPACED = re.compile(f"[^{UNSPACED}]")
# Per (app, function): its templates in scripts without spaces, compiled (``_templates``).
_TEMPLATES: dict[tuple[str, str], list[_Compiled]] = {}
# The assistant's names and the fillers a request may open with.
_OPENING = re.compile(
    "|".join(re.escape(word.strip(" ,")) + r"[\s,]+" for word in sorted(WAKE_WORDS, key=len, reverse=True)),
    re.IGNORECASE,
)


def as_the_template_frames_it(
    app: App, fn: Function, arguments: dict[str, Any], query: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """``arguments`` with their free-text values as the template ``query`` follows frames them
    (module docstring), and what changed (parameter -> ``"old -> new"``)."""
    if not UNSPACED_CHARACTER.search(query):
        return arguments, {}
    squeezed = _SPACE_BY_UNSPACED.sub("", _without_opening(query))
    followed = _followed(squeezed, _templates(app, fn))
    if not followed:
        return arguments, {}
    framed = min(followed, key=lambda slots: sum(map(len, slots.values())))
    slotted = {name for slots in followed for name in slots}
    properties = fn.parameters.get("properties", {})
    required = set(fn.parameters.get("required", []))
    settled, changes = dict(arguments), {}
    for name, value in arguments.items():
        if not isinstance(value, str) or not free_text(properties.get(name, {})):
            continue
        own, words = _SPACE_BY_UNSPACED.sub("", value.strip()), framed.get(name)
        if name not in slotted and name not in required and own and not any(own in said for said in framed.values()):
            del settled[name]
            changes[name] = f"{value} -> {DROPPED}"
            continue
        if (
            words
            and words != own
            and UNSPACED_CHARACTER.search(words)
            and (words in own or _agreed_wider(own, name, followed) or _misplaced(own, name, framed, followed))
        ):
            settled[name] = _as_said(words, query)
            changes[name] = f"{value} -> {settled[name]}"
    return settled, changes


def _agreed_wider(own: str, name: str, followed: list[dict[str, str]]) -> bool:
    """Whether every template followed that has a slot ``name`` puts the same words in it, and
    they are ``own`` (not empty) with more characters of a script without spaces around it."""
    said = {slots[name] for slots in followed if name in slots}
    if len(said) != 1 or not own:
        return False
    words = said.pop()
    at = words.find(own)
    return at >= 0 and not _OTHER_THAN_UNSPACED.search(words[:at] + words[at + len(own) :])


def _misplaced(own: str, name: str, framed: dict[str, str], followed: list[dict[str, str]]) -> bool:
    """Whether ``own`` holds the words another slot of the template puts there (``framed``, the
    tightest reading) and not its own, and the templates followed put one set of words in slot
    ``name`` that holds no other slot's: the model wrote one slot's words in another's place
    ("5時に会議のアラームをセットして" gave ``time="会議のアラーム"``; "{time}に{label}のアラーム..." reads
    the time as "5時", and "{time}のアラーム..." as "5時に会議", which holds the label)."""
    others = [words for other, words in framed.items() if other != name and words]
    said = {slots[name] for slots in followed if name in slots}
    own_words = {words for words in said if not any(other in words for other in others)}
    return own_words == {framed.get(name)} and any(words in own for words in others) and framed[name] not in own


def _without_opening(query: str) -> str:
    """``query`` without the assistant's names and the fillers it opens with ("hey siri", "uh")."""
    text = query.strip()
    while opening := _OPENING.match(text):
        text = text[opening.end() :]
    return text


def _followed(squeezed: str, compiled: list[_Compiled]):
    """The slots' words of each template ``squeezed`` follows whole, where the template splits it
    one way only (its slots as short and as long as they can be read alike, no two free slots
    meeting) and leaves no particle at a slot's edge."""
    followed = []
    for shortest, longest, names, spoken in compiled:
        match, other = shortest.fullmatch(squeezed), longest.fullmatch(squeezed)
        if not match or not other or match.groups() != other.groups() or _slots_touch(match, names, spoken):
            continue
        slots: dict[str, str] = {}
        for name, words in zip(names, match.groups(), strict=True):
            if words is not None:
                slots.setdefault(name, words)
        if not any(_PARTICLE_AT_AN_EDGE.search(words) for words in slots.values()):
            followed.append(slots)
    return followed


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


def _as_said(words: str, query: str) -> str:
    """``words`` as ``query`` says them, with any spaces it puts between their characters."""
    spaced = re.search(r"\s*".join(re.escape(character) for character in words), query)
    return spaced.group(0) if spaced else words


@functools.cache
def _compiled(template: str, surfaces: tuple[tuple[str, tuple[str, ...]], ...]) -> _Compiled:
    """``template`` as two regular expressions, its free slots read as short and as long as they
    can be and a slot with spoken forms (``surfaces``: parameter -> forms) as one of them, and its
    slots' parameters in the order of their groups."""
    names: list[str] = []
    nodes, forms = templates.parse(template), dict(surfaces)
    shortest = re.compile(_regex(nodes, names, "(.+?)", forms))
    return shortest, re.compile(_regex(nodes, [], "(.+)", forms)), tuple(names), frozenset(forms) & set(names)


def _templates(app: App, fn: Function) -> list[_Compiled]:
    """``fn``'s phrasebook templates written without spaces, compiled with a group per slot, read
    once per function."""
    key = (app.name, fn.name)
    if key not in _TEMPLATES:
        _TEMPLATES[key] = _read_templates(app, fn)
    return _TEMPLATES[key]


def _read_templates(app: App, fn: Function) -> list[_Compiled]:
    found = []
    for spec in function_specs(app, fn.name):
        surfaces = tuple(
            (param, tuple(sorted({form for forms in said.values() for form in forms}, key=len, reverse=True)))
            for param, said in (spec.get("surface") or {}).items()
        )
        for kind in ("templates", "incomplete"):
            for entry in spec.get(kind) or []:
                template = entry["t"] if isinstance(entry, dict) else entry
                if UNSPACED_CHARACTER.search(template):
                    found.append(_compiled(_SPACE_BY_UNSPACED.sub("", template), surfaces))
    return found


def _regex(nodes: list, names: list[str], slot: str, forms: dict[str, tuple[str, ...]]) -> str:
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
