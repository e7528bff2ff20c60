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

A template is followed only where it splits the request one way (``followed.py``). Of several
templates the request follows, the one that says most in its own words decides. Requests that
follow no template, and values in a script with spaces, are left to the other rules.
"""

from __future__ import annotations

import re
from typing import Any

from orchestrator.calls import free_text
from orchestrator.registry import App, Function
from orchestrator.request.followed import Compiled, compiled, slots_followed, template_entries, without_opening
from orchestrator.request.grounding import DROPPED, UNSPACED, UNSPACED_CHARACTER

# Spaces with a character of a script without spaces on either side: "7 時 に" reads "7時に".
_SPACE_BY_UNSPACED = re.compile(rf"(?<=[{UNSPACED}])\s+|\s+(?=[{UNSPACED}])")
# A character of a script with spaces (a Latin letter, a digit, a space): no widening adds one.
_OTHER_THAN_UNSPACED = re.compile(f"[^{UNSPACED}]")
# Per (app, function): its templates in scripts without spaces, compiled (``_templates``).
_TEMPLATES: dict[tuple[str, str], list[Compiled]] = {}


def as_the_template_frames_it(
    app: App, fn: Function, arguments: dict[str, Any], query: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """``arguments`` with their free-text values as the template ``query`` follows frames them
    (module docstring), and what changed (parameter -> ``"old -> new"``)."""
    if not UNSPACED_CHARACTER.search(query):
        return arguments, {}
    squeezed = _SPACE_BY_UNSPACED.sub("", without_opening(query))
    followed = slots_followed(squeezed, _templates(app, fn))
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


def _as_said(words: str, query: str) -> str:
    """``words`` as ``query`` says them, with any spaces it puts between their characters."""
    spaced = re.search(r"\s*".join(re.escape(character) for character in words), query)
    return spaced.group(0) if spaced else words


def _templates(app: App, fn: Function) -> list[Compiled]:
    """``fn``'s phrasebook templates written without spaces, compiled with a group per slot, read
    once per function."""
    key = (app.name, fn.name)
    if key not in _TEMPLATES:
        _TEMPLATES[key] = _read_templates(app, fn)
    return _TEMPLATES[key]


def _read_templates(app: App, fn: Function) -> list[Compiled]:
    return [
        compiled(_SPACE_BY_UNSPACED.sub("", template), surfaces)
        for _, _, template, surfaces in template_entries(app, fn)
        if UNSPACED_CHARACTER.search(template)
    ]
