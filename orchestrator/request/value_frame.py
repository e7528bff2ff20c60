"""A free-text value against the request's frame, the words the data generator puts around
values: a value keeps the qualifiers the request puts before it ("order a large pepperoni pizza"
is ``item="large pepperoni pizza"``, not "pepperoni pizza"), and a value made of the frame alone
is none (``origin="from"``).

The adapters copy free-text values from the request, and learnt where a value starts from the
data generator, whose value pools hold no sizes or grades ("medium", "small", "beginner"): met
before a value, such a word was read as part of the request's frame and cut off ("a medium iced
latte" gave "iced latte", "beginner guitar lessons" "guitar lessons"). So a free-text value is
widened leftwards over up to ``MAX_QUALIFIERS`` words the request says right before it that the
generator never puts around a value: no word of any shipped phrasebook's fixed text in any
language (verbs, articles, "from", "please", the spoken forms of enums such as "cheap" or "top
rated"), of the app's function and parameter names and descriptions (an app phrased from its
schemas alone), of the fillers requests are said with ("hey google", "um"), no possessive, no
number or count ("two", "dozen"), no word of another value of the call, and no slip of any of
these ("txt" of "text"). Only a value that names a thing asked for (a dish, a topic, a kind of
business or event, a device, a title) is widened: a name of a person, a business or a place, a
code, a time or a date is left as written ("call my sister Anna" is no call to "sister Anna",
"3pm Sunday" no date), and so is a value in a script written without spaces, which has no words
to widen over.

The other way round, the model sometimes copies the frame itself: "how do I walk to the train
station from here" gave ``origin="from"``, "trending news" ``query="trending news"``. An optional
value whose every word the function's own phrasebook templates say outside their slots (in any
language) is dropped, and the schema's default applies; a time or a date is left to its own
rules (templates say "am", "tomorrow"), and so is a name the request gives what it makes
(``value_words.given_names``: "alarm for 8 called wake up", whose templates say "wake up" too).

And a time or a date is not made of another value of the call: "send me a reminder to water the
plants at 6 pm" gave ``title="water the plants"`` and ``start_time="water the plants at 6 pm"``,
"on february fourteenth make dinner reservations at the restaurant" ``date="the restaurant"``
beside ``business_name="the restaurant"``. A time or a date that begins or ends with another
value is cut to the rest, less the words joining the two ("at"), where the rest still says when;
one that is another value and nothing more is unsaid (dropped, or asked for when required).

And a time or a date keeps the day the request says straight after it, or the part of the day:
"wake me up at 6:15 tomorrow" gave ``time="6:15"``, "reserve a spot for tomorrow night"
``date="tomorrow"``. One template of ``set_alarm`` ("I need to wake up at {time}[ tomorrow]")
taught the model to leave "tomorrow" out; no other committed training call has a day after its
time (``tests/test_value_frame.py``).
"""

from __future__ import annotations

import re
from typing import Any

from orchestrator.calls import free_text
from orchestrator.data.datagen import WAKE_WORDS
from orchestrator.data.phrasebook import PHRASEBOOK_DIR, function_specs, read_phrasebook_file, template_text
from orchestrator.data.schema_phrasing import ENDINGS, LEADS, schema_text
from orchestrator.data.values import kind_for
from orchestrator.registry import App, Function
from orchestrator.request.grounding import DROPPED, NEEDS_INPUT
from orchestrator.request.value_words import NAMING_WORDS, given_names, is_number_word, says_when

MAX_QUALIFIERS = 2
# A Latin-script word, apostrophes and hyphens inside it ("extra-large", "chef's").
_WORD = re.compile(r"[^\W\d_][\w'-]*")
# The word right before a position: a whole word, then only spaces.
_WORD_BEFORE = re.compile(r"(?:^|(?<=\s))([^\W\d_][\w'-]*)\s+$")
# The kinds of value (``values.kind_for``) that name a thing asked for, which a size or a grade
# qualifies. Names (of people, businesses, places, apps), codes, times and dates are left as
# written: "call my sister Anna" is no call to "sister Anna".
_THING_KINDS = {"food", "topic", "business_kind", "event", "media", "device", "title", "label", "message", "text"}
# The kinds of value that say when: their own rules read them.
_WHEN_KINDS = {"time", "date"}
# The day a time falls on, or the part of the day, said straight after it: "6:15 tomorrow", "7:30
# tomorrow morning", "tomorrow night". The model wrote the time without it ("wake me up at 6:15
# tomorrow" gave ``time="6:15"``), and an alarm, an event or a booking then lost its day.
_DAY_AFTER = re.compile(
    r"\s+((?P<day>tomorrow|tonight|today)(?:\s+(?:morning|afternoon|evening|night))?|morning|afternoon|evening|night)\b",
    re.IGNORECASE,
)
# Words that join a time or a date to the value before or after it ("water the plants at 6 pm").
_WHEN_JOINS = {"at", "on", "for", "by", "from", "in", "until", "till", "to", "starting", "and"}
# Words that point at a value without qualifying it ("my headphones", "this song").
_POSSESSIVES_AND_POINTERS = {"my", "our", "your", "his", "her", "their", "its", "this", "that", "these", "those"}
# Per app (by name and function names): its frame words and their deletions.
_FRAMES: dict[tuple[str, tuple[str, ...]], tuple[frozenset[str], frozenset[str]]] = {}
# Per (app, function): the words its own phrasebook templates say outside their slots.
_OWN_FRAMES: dict[tuple[str, str], frozenset[str]] = {}


def frame_only_dropped(app: App, fn: Function, arguments: dict[str, Any], query: str) -> tuple[dict[str, Any], dict]:
    """``arguments`` without an optional free-text value made of ``fn``'s frame alone, unless
    it is a name ``query`` gives ("called wake up"; module docstring), and what changed (parameter ->
    ``"old -> (dropped)"``)."""
    properties = fn.parameters.get("properties", {})
    required = set(fn.parameters.get("required", []))
    frame = _own_frame(app, fn)
    dropped = {
        name: f"{value} -> {DROPPED}"
        for name, value in arguments.items()
        if name not in required
        and isinstance(value, str)
        and free_text(properties.get(name, {}))
        and kind_for(name, properties[name]) not in _WHEN_KINDS
        and (words := _WORD.findall(value.lower()))
        and set(words) <= frame
        and value.lower() not in {given.lower() for given in given_names(query)}
    }
    return {name: value for name, value in arguments.items() if name not in dropped}, dropped


def when_apart_from_other_values(fn: Function, arguments: dict[str, Any]) -> tuple[dict[str, Any], dict]:
    """``arguments`` with each time or date cut free of another value of the call that begins or
    ends it (module docstring), and what changed (parameter -> ``"old -> new"``, or ``"old ->
    (dropped)"`` or ``"old -> (needs input)"`` for one that is another value alone)."""
    properties = fn.parameters.get("properties", {})
    required = set(fn.parameters.get("required", []))
    apart, changes = dict(arguments), {}
    for name, value in arguments.items():
        schema = properties.get(name, {})
        if not isinstance(value, str) or not free_text(schema) or kind_for(name, schema) not in _WHEN_KINDS:
            continue
        others = [other for key, other in arguments.items()
                  if key != name and isinstance(other, str) and other.strip()
                  and kind_for(key, properties.get(key, {})) not in _WHEN_KINDS]  # fmt: skip
        rest = _apart(value, others)
        if rest == value:
            continue
        if rest:
            apart[name] = rest
            changes[name] = f"{value} -> {rest}"
        else:
            del apart[name]
            changes[name] = f"{value} -> {NEEDS_INPUT if name in required else DROPPED}"
    return apart, changes


def with_its_day(fn: Function, arguments: dict[str, Any], query: str) -> tuple[dict[str, Any], dict]:
    """``arguments`` with each time or date that the request follows straight away with the day
    it falls on, or the part of that day, widened over it (``_DAY_AFTER``; module docstring), and
    what changed (parameter -> ``"old -> new"``). A function with a date apart from its time
    keeps the day for the date: only the part of the day joins the time there."""
    properties = fn.parameters.get("properties", {})
    kinds = {name: kind_for(name, schema) for name, schema in properties.items()}
    widened, changes = dict(arguments), {}
    for name, value in arguments.items():
        if not isinstance(value, str) or not value.strip() or not free_text(properties.get(name, {})):
            continue
        if kinds.get(name) not in _WHEN_KINDS:
            continue
        at = query.lower().find(value.lower())
        day = _DAY_AFTER.match(query, at + len(value)) if at >= 0 else None
        if not day or (kinds[name] == "time" and "date" in kinds.values() and day.group("day")):
            continue
        others = " ".join(v.lower() for key, v in arguments.items() if key != name and isinstance(v, str))
        if day.group(1).lower() not in others:
            widened[name] = query[at : day.end()]
            changes[name] = f"{value} -> {widened[name]}"
    return widened, changes


def _apart(value: str, others: list[str]) -> str:
    """``value`` less another value at its start or end and the words joining them, where what is
    left says when; "" where ``value`` is another value alone."""
    words = value.split()
    folded = [word.lower() for word in words]
    for other in others:
        given = other.lower().split()
        if folded == given:
            return ""
        size = len(given)
        if len(words) <= size:
            continue
        if folded[:size] == given:
            rest = words[size:]
            while rest and rest[0].lower() in _WHEN_JOINS:
                rest = rest[1:]
        elif folded[-size:] == given:
            rest = words[:-size]
            while rest and rest[-1].lower() in _WHEN_JOINS:
                rest = rest[:-1]
        else:
            continue
        if rest and says_when(" ".join(rest)):
            return " ".join(rest)
    return value


def with_qualifiers(app: App, fn: Function, arguments: dict[str, Any], query: str) -> tuple[dict[str, Any], dict]:
    """``arguments`` with each free-text value widened over the qualifiers before it (module
    docstring), and what changed (parameter -> ``"old -> new"``)."""
    properties = fn.parameters.get("properties", {})
    widened, changes = dict(arguments), {}
    for name, value in arguments.items():
        schema = properties.get(name, {})
        if not isinstance(value, str) or not value.strip() or not free_text(schema):
            continue
        if kind_for(name, schema) not in _THING_KINDS:
            continue
        others = {word.lower() for other, v in arguments.items() if other != name and isinstance(v, str)
                  for word in _WORD.findall(v)}  # fmt: skip
        qualified = _qualified(app, value, query, others)
        if qualified != value:
            widened[name] = qualified
            changes[name] = f"{value} -> {qualified}"
    return widened, changes


def _qualified(app: App, value: str, query: str, others: set[str]) -> str:
    """``value`` as the request says it, with the qualifiers right before its first mention."""
    at = query.lower().find(value.lower())
    if at < 0:
        return value
    start = at
    for _ in range(MAX_QUALIFIERS):
        before = _WORD_BEFORE.search(query[:start])
        if not before or not _qualifier(app, before.group(1).lower(), others):
            break
        start = before.start(1)
    return query[start:at] + query[at : at + len(value)]


def _qualifier(app: App, word: str, others: set[str]) -> bool:
    words, deletions = _frame(app)
    return not (word in words or word in others or is_number_word(word) or _deletions(word) & deletions)


def _deletions(word: str) -> set[str]:
    """``word`` and every form of it with one letter less: two words share one when they are
    one slip apart (a letter dropped, added, changed or two swapped)."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _frame(app: App) -> tuple[frozenset[str], frozenset[str]]:
    """Every word the data generator puts around a value for ``app`` (module docstring), and
    their ``_deletions`` (words of three letters or more), read once per app."""
    key = (app.name, tuple(fn.name for fn in app.functions))
    if key not in _FRAMES:
        words = _frame_words(app)
        deletions = frozenset(deletion for word in words if len(word) >= 3 for deletion in _deletions(word))
        _FRAMES[key] = (words, deletions)
    return _FRAMES[key]


def _own_frame(app: App, fn: Function) -> frozenset[str]:
    """The words ``fn``'s own phrasebook templates say outside their slots, in every language."""
    key = (app.name, fn.name)
    if key not in _OWN_FRAMES:
        entries = [entry for spec in function_specs(app, fn.name) for key_ in ("templates", "incomplete")
                   for entry in spec.get(key_) or []]  # fmt: skip
        text = " ".join(re.sub(r"\{[^}]*\}", " ", " ".join(template_text(entry))) for entry in entries)
        _OWN_FRAMES[key] = frozenset(_WORD.findall(text.lower()))
    return _OWN_FRAMES[key]


def _frame_words(app: App) -> frozenset[str]:
    text = [*WAKE_WORDS, *LEADS, *ENDINGS, *NAMING_WORDS]
    for path in PHRASEBOOK_DIR.glob("*.yaml"):
        book = read_phrasebook_file(path)
        entries = list(book.get("negatives") or []) + list(book.get("not_this_app") or [])
        for spec in (book.get("functions") or {}).values():
            entries += list(spec.get("templates") or []) + list(spec.get("incomplete") or [])
            text += [said for forms in (spec.get("surface") or {}).values() for said_as in forms.values()
                     for said in said_as]  # fmt: skip
            text += list(spec.get("objects") or [])
        text += [" ".join(template_text(entry)) for entry in entries]
    for fn in app.functions:
        text += schema_text(fn)
    words = {word for chunk in text for word in _WORD.findall(re.sub(r"\{[^}]*\}", " ", chunk).lower())}
    return frozenset(words | _POSSESSIVES_AND_POINTERS)
