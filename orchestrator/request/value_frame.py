"""A free-text value against the request's frame, the words the data generator puts around
values: a value keeps the qualifiers the request puts around it ("order a large pepperoni pizza"
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
these ("txt" of "text"). The words right after it are read the same way, the politeness the
generator ends a request with included ("thanks", "asap"): the model also cut the head noun a
value ends with ("search youtube for advanced excel tutorials" gave "advanced excel", "news
about the stock market crash" "the stock market"). Only a value that names a thing asked for (a
dish, a topic, a kind of business or event, a device, a title) is widened: a name of a person, a
business or a place, a code, a time or a date is left as written ("call my sister Anna" is no
call to "sister Anna", "3pm Sunday" no date), and so is a value in a script written without
spaces, which has no words to widen over.

A message is all the request dictates: the words between it and who it is for that the
function's own templates never say are the message's ("text sarah i'm on my way" gave "on my
way"), and the "that" of reported speech is not ("text john that i'll be late"). So are the words
that end the request after it where they say only when, for a function that takes no time ("text
dave see you on friday" gave "see you"), unless they are the generator's closing "now".

The other way round, the model sometimes copies the frame itself: "how do I walk to the train
station from here" gave ``origin="from"``, "trending news" ``query="trending news"``. An optional
value whose every word the function's own phrasebook templates say outside their slots (in any
language) is dropped, and the schema's default applies. A required one that names someone or
something (a person, a business, a place, a code: no thing asked for) is asked for: "i needed to
book a table somewhere" gave ``business_name="table"``; "play music" keeps ``query="music"``, a
thing asked for, and plays some. The app's name is frame too: a request says it to say where to
look ("reviews on yelp" gave ``business_name="yelp"``). A time or a date is left to its own
rules (templates say "am", "tomorrow"), and so is a name the request gives what it makes
(``value_words.given_names``: "alarm for 8 called wake up", whose templates say "wake up" too).

A time is where the time goes: "remind me every day at 9 to take my pills" gave
``title="every day at 9"`` and ``start_time="take my pills"``. Where the call's one time or date
says no time and one thing it names says only when, the two trade places. And a clock time is no
date: "book a table for 2 tonight at olive garden at 7" gave ``date="7"`` and no time; where a
function takes one time, a date that is a clock time the request says, beside no time, is the
time. So is a name ("get me a table for two people at 7" gave ``business_name="7"``), which is
then asked for.

Nor is a time or a date made of the template's words, nor a thing of its time: "put dentist
appointment on thursday in my calendar" gave ``start_time="thursday in my calendar"``, "add a
meeting at 4 pm to the calendar" ``title="meeting at 4 pm"``. A time or a date is cut to its
longest run of words that says when, where every word left out is a word of the function's own
templates or joins a time; a thing that ends with a time or a date of the call, or with one
followed only by such words, is cut before it.

And a time or a date is not made of another value of the call: "send me a reminder to water the
plants at 6 pm" gave ``title="water the plants"`` and ``start_time="water the plants at 6 pm"``,
"on february fourteenth make dinner reservations at the restaurant" ``date="the restaurant"``
beside ``business_name="the restaurant"``. A time or a date that begins or ends with another
value is cut to the rest, less the words joining the two ("at"), where the rest still says when;
one that is another value and nothing more is unsaid (dropped, or asked for when required).

A time is all of the clock time or the time from now the request says ("four pm" gave
``time="pm"``, "in two hours" ``time="two hours"``), and the one time of an event is its start, not
its end, unless the request says "until" ("remind me to call mom at 5 pm" gave ``end_time="5
pm"`` and asked for the start). A thing looked for is no time ("news from yesterday" gave
``query="yesterday"``), and a song keeps who it is by ("play Let It Be by the Beatles" gave
``query="the Beatles"``).

And a time or a date keeps the day the request says straight after it, or the part of the day:
"wake me up at 6:15 tomorrow" gave ``time="6:15"``, "wake me up at five thirty am on friday"
``time="five thirty am"``, "reserve a spot for tomorrow night" ``date="tomorrow"``. A booking
with a date apart from its time keeps the day for the date. One template of ``set_alarm`` ("I
need to wake up at {time}[ tomorrow]") taught the model to leave "tomorrow" out; no other
committed training call has a day after its time that is not its date
(``tests/test_value_frame.py``).
"""

from __future__ import annotations

import re
from typing import Any

from orchestrator.calls import free_text
from orchestrator.data.datagen import SUFFIXES, WAKE_WORDS
from orchestrator.data.languages import LANGUAGES
from orchestrator.data.phrasebook import (
    PHRASEBOOK_DIR,
    load_phrasebook,
    read_phrasebook_file,
    spec_texts,
    template_text,
)
from orchestrator.data.schema_phrasing import ENDINGS, LEADS, schema_text
from orchestrator.data.values import kind_for
from orchestrator.registry import App, Function
from orchestrator.request.grounding import DROPPED, NEEDS_INPUT, NOT_WRITTEN, UNSPACED_CHARACTER
from orchestrator.request.said import times_said
from orchestrator.request.value_words import (
    END_NAME,
    NAMING_WORDS,
    START_NAME,
    given_names,
    is_number_word,
    only_says_when,
    said_times,
    says_when,
)

MAX_QUALIFIERS = 2
# A Latin-script word, apostrophes and hyphens inside it ("extra-large", "chef's").
_WORD = re.compile(r"[^\W\d_][\w'-]*")
# The word right before a position: a whole word, then only spaces.
_WORD_BEFORE = re.compile(r"(?:^|(?<=\s))([^\W\d_][\w'-]*)\s+$")
# The word right after a position: only spaces, then a whole word.
_WORD_AFTER = re.compile(r"\s+([^\W\d_][\w'-]*)(?=\s|$)")
# The kinds of value (``values.kind_for``) that name a thing asked for, which a size or a grade
# qualifies. Names (of people, businesses, places, apps), codes, times and dates are left as
# written: "call my sister Anna" is no call to "sister Anna".
_THING_KINDS = {"food", "topic", "business_kind", "event", "media", "device", "title", "label", "message", "text"}
# Who a song is by, said after it: "by" and the words up to the clause's end or to what says
# where or how it plays ("by the Eagles on Spotify").
_ARTIST_STOPS = r"(?:on|in|at|from|please|for|with|now|using|via|through|to|and then)\b"
_ARTIST_AFTER = re.compile(
    rf"\s+by\s+(?!{_ARTIST_STOPS})[^\s,.;!?]+(?:\s+(?!{_ARTIST_STOPS})[^\s,.;!?]+)*", re.IGNORECASE
)
# A song said before the "by" of who sings it, after the verb that plays it ("play Let It Be by").
_TITLE_BEFORE = re.compile(r"\b(?:play|put on|queue|hear|listen to)\s+(\S.*?)\s+by\s+$", re.IGNORECASE)
# A start's and an end's parameter names, and what says a time is an end ("until 5", "to 6 pm").
_UNTIL_BEFORE = re.compile(
    r"\b(?:until|till|til|to|through|ends?|ending|finish(?:es|ing)?)\s+(?:at\s+)?$|-\s*$", re.IGNORECASE
)
# The kinds of value that name a thing looked for, which no time is.
_LOOKED_FOR_KINDS = {"topic", "media", "food", "business_kind", "event"}
# The kinds of value that say when: their own rules read them.
WHEN_KINDS = {"time", "date"}
# The kinds of value that name someone or something: a clock time is none of them.
_NAME_KINDS = {"person", "business", "place", "destination"}
# The day a time falls on, or the part of the day, said straight after it: "6:15 tomorrow", "7:30
# tomorrow morning", "tomorrow night", "five thirty am on friday". The model wrote the time without
# it ("wake me up at 6:15 tomorrow" gave ``time="6:15"``), and an alarm, an event or a booking then
# lost its day.
_WEEKDAY = r"(?:on\s+)?(?:(?:next|this)\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_DAY_AFTER = re.compile(
    rf"\s+((?P<day>tomorrow|tonight|today|{_WEEKDAY})(?:\s+(?:morning|afternoon|evening|night))?"
    r"|morning|afternoon|evening|night)\b",
    re.IGNORECASE,
)
# What joins a day or a repeat to the clock time said right after it ("every weekday at 7").
_CLOCK_JOIN = re.compile(r"\s+(?:at\s+)?")
# The politeness the data generator closes a request with ("now", "please", "asap").
_CLOSING_WORDS = {word for suffix in SUFFIXES for word in _WORD.findall(suffix)}
# Words that join a time or a date to the value before or after it ("water the plants at 6 pm").
_WHEN_JOINS = {"at", "on", "for", "by", "from", "in", "until", "till", "to", "starting", "and"}
# The fewest letters of a word read as a slip the way ``_deletions`` reads it (``_of_the_frame_as_written``).
_SLIPPED_LETTERS = 4
# The "that" of reported speech a dictated message opens with ("text john that i'll be late").
_REPORTED_THAT = re.compile(r"^\s*that\s+", re.IGNORECASE)
# Words that point at a value without qualifying it ("my headphones", "this song").
_POSSESSIVES_AND_POINTERS = {"my", "our", "your", "his", "her", "their", "its", "this", "that", "these", "those"}
# Per app (by name and function names): its frame words and their deletions.
_FRAMES: dict[tuple[str, tuple[str, ...]], tuple[frozenset[str], frozenset[str]]] = {}
# Per (app, function): the words its own phrasebook templates say outside their slots.
_OWN_FRAMES: dict[tuple, frozenset[str]] = {}
# The phrasebooks' languages: None for English, then the others.
EVERY_LANGUAGE: tuple[str | None, ...] = (None, *LANGUAGES)
# Per (app, function, language): the app's frame words and the function's own with their deletions,
# in one language (``beyond_the_frame``).
_LANGUAGE_FRAMES: dict[tuple[str, str, str | None], tuple[frozenset[str], tuple[frozenset[str], frozenset[str]]]] = {}
# Per (app, function): those words and their deletions (``_own_frame_with_slips``).
_OWN_SLIPS: dict[tuple[str, str], tuple[frozenset[str], frozenset[str]]] = {}


def frame_only_dropped(app: App, fn: Function, arguments: dict[str, Any], query: str) -> tuple[dict[str, Any], dict]:
    """``arguments`` without a free-text value made of ``fn``'s frame alone, unless it is a name
    ``query`` gives ("called wake up"; module docstring): an optional one dropped, a required name
    asked for (a required thing is the model's: "play music" asks for music); an optional one that
    is another value of the call with words of the frame around it dropped too ("set an alarm for
    every weekday at 7" gave ``label="alarm for every weekday"`` beside that time); and what changed
    (parameter -> ``"old -> (dropped)"`` or ``"old -> (needs input)"``)."""
    properties = fn.parameters.get("properties", {})
    required = set(fn.parameters.get("required", []))
    frame = _own_frame(app, fn)
    given = {name.lower() for name in given_names(query)}
    changes: dict[str, str] = {}
    for name, value in arguments.items():
        schema = properties.get(name, {})
        if not isinstance(value, str) or not free_text(schema):
            continue
        kind = kind_for(name, schema)
        words = set(_WORD.findall(value.lower()))
        if kind in WHEN_KINDS or not words or value.lower() in given:
            continue
        if not words <= frame and not (name not in required and _frame_around_another(words, frame, name, arguments)):
            continue
        if name not in required:
            changes[name] = f"{value} -> {DROPPED}"
        elif kind not in _THING_KINDS:
            changes[name] = f"{value} -> {NEEDS_INPUT}"
    return {name: value for name, value in arguments.items() if name not in changes}, changes


def _frame_around_another(words: set[str], frame: frozenset[str], name: str, arguments: dict[str, Any]) -> bool:
    """Whether ``words`` are those of another value of the call with words of the frame around
    them ("alarm for every weekday" beside ``time="every weekday"``)."""
    others = {word for other, value in arguments.items() if other != name for word in _WORD.findall(_as_words(value))}
    return bool(words & others) and bool(words - others) and words - others <= frame


def times_for_things_dropped(fn: Function, arguments: dict[str, Any]) -> tuple[dict[str, Any], dict]:
    """``arguments`` without a value that names a thing looked for (a topic, a song, a dish, a kind
    of business or event) and says only when ("what's the news from 7 am this morning" gave
    ``query="7 am"``, "news from yesterday" ``query="yesterday"``), and what changed (parameter ->
    ``"old -> (dropped)"``, or ``"old -> (needs input)"`` for a required one). The time is the
    request's own framing of what it wants, not what it wants; no value the adapters learnt is
    one (``tests/test_value_frame.py``)."""
    properties = fn.parameters.get("properties", {})
    required = set(fn.parameters.get("required", []))
    changes = {
        name: f"{value} -> {NEEDS_INPUT if name in required else DROPPED}"
        for name, value in arguments.items()
        if isinstance(value, str)
        and free_text(properties.get(name, {}))
        and kind_for(name, properties[name]) in _LOOKED_FOR_KINDS
        and only_says_when(value.lower())
    }
    return {name: value for name, value in arguments.items() if name not in changes}, changes


def free_text_kinds(fn: Function) -> dict[str, str]:
    """The kind of value (``values.kind_for``) each free-text parameter of ``fn`` takes."""
    return {
        name: kind_for(name, schema)
        for name, schema in fn.parameters.get("properties", {}).items()
        if free_text(schema)
    }


def time_and_thing_swapped(fn: Function, arguments: dict[str, Any]) -> tuple[dict[str, Any], dict]:
    """``arguments`` with a time written where the thing is put back in its place (module
    docstring), and what changed (parameter -> ``"old -> new"``): where the call's one time or
    date says no time and one of its things (a title, a label, a topic) says only when, the two
    values trade places; where the function's one time or date is not written and an optional
    thing says only when, the thing's value is the time ("set an alarm for 7 every weekday" gave
    ``label="7 every weekday"`` and no time). No call the adapters learnt has such a pair
    (``tests/test_value_frame.py``)."""
    properties = fn.parameters.get("properties", {})
    values = {
        name: value
        for name, value in arguments.items()
        if isinstance(value, str) and value.strip() and free_text(properties.get(name, {}))
    }
    kinds = {name: kind_for(name, properties[name]) for name in values}
    things = [name for name in values if kinds[name] in _THING_KINDS and only_says_when(values[name].lower())]
    times = [name for name in values if kinds[name] in WHEN_KINDS]
    unwritten = [name for name, kind in free_text_kinds(fn).items() if kind in WHEN_KINDS]
    if len(things) != 1:
        return arguments, {}
    (thing,) = things
    if not times and len(unwritten) == 1 and thing not in fn.parameters.get("required", []):
        (when,) = unwritten
        moved = {name: value for name, value in arguments.items() if name != thing}
        return {**moved, when: values[thing]}, {when: f"{NOT_WRITTEN} -> {values[thing]}", thing: DROPPED}
    if len(times) != 1 or says_when(values[times[0]]):
        return arguments, {}
    (when,) = times
    swapped = {**arguments, when: values[thing], thing: values[when]}
    return swapped, {when: f"{values[when]} -> {values[thing]}", thing: f"{values[thing]} -> {values[when]}"}


def a_clock_time_is_no_date(fn: Function, arguments: dict[str, Any], query: str) -> tuple[dict[str, Any], dict]:
    """``arguments`` with a date or a name (of a person, a business, a place) that is a clock time
    the request says ("at 7", "8 pm") moved to the time, where the function takes one time and
    the call has none; and what changed (parameter -> ``"old -> new"``). "book a table for 2
    tonight at olive garden at 7" gave ``date="7"`` and no time, "get me a table for two people
    at 7" ``business_name="7"``. A required name is then asked for; so is one the model wrote
    beside the same time ("get a table for 3 people at 6:30" gave ``business_name="6:30"`` and
    ``time="6:30"``). No call the adapters learnt has one (``tests/test_value_frame.py``)."""
    kinds = free_text_kinds(fn)
    times = [name for name, kind in kinds.items() if kind == "time"]
    if len(times) != 1:
        return arguments, {}
    (time,) = times
    clock_times = {said.strip().lower() for said in said_times(query.lower())}
    placed = [
        name
        for name, kind in kinds.items()
        if (kind == "date" or kind in _NAME_KINDS)
        and isinstance(arguments.get(name), str)
        and arguments[name].strip().lower() in clock_times
    ]
    if len(placed) != 1:
        return arguments, {}
    (name,) = placed
    value = arguments[name]
    unsaid = NEEDS_INPUT if name in fn.parameters.get("required", []) and kinds[name] != "date" else DROPPED
    moved = {other: kept for other, kept in arguments.items() if other != name}
    if time not in arguments:
        return {**moved, time: value}, {name: f"{value} -> {unsaid}", time: f"{NOT_WRITTEN} -> {value}"}
    if str(arguments[time]).strip().lower() == value.strip().lower():  # written twice: the time's
        return moved, {name: f"{value} -> {unsaid}"}
    return arguments, {}


def when_apart_from_other_values(fn: Function, arguments: dict[str, Any]) -> tuple[dict[str, Any], dict]:
    """``arguments`` with each time or date cut free of another value of the call that begins or
    ends it (module docstring), and what changed (parameter -> ``"old -> new"``, or ``"old ->
    (dropped)"`` or ``"old -> (needs input)"`` for one that is another value alone)."""
    properties = fn.parameters.get("properties", {})
    required = set(fn.parameters.get("required", []))
    apart, changes = dict(arguments), {}
    for name, value in arguments.items():
        schema = properties.get(name, {})
        if not isinstance(value, str) or not free_text(schema) or kind_for(name, schema) not in WHEN_KINDS:
            continue
        others = [other for key, other in arguments.items()
                  if key != name and isinstance(other, str) and other.strip()
                  and kind_for(key, properties.get(key, {})) not in WHEN_KINDS]  # fmt: skip
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


def when_less_its_frame(app: App, fn: Function, arguments: dict[str, Any]) -> tuple[dict[str, Any], dict]:
    """``arguments`` with each time or date cut to the words that say when, where the rest are
    words of ``fn``'s own templates or join a time ("at", "in"), and with each thing (a title, a
    label) less a time or date of the call it ends with and such words; and what changed
    (parameter -> ``"old -> new"``). "put dentist appointment on thursday in my calendar" gave
    ``start_time="thursday in my calendar"``; "add a meeting at 4 pm to the calendar"
    ``title="meeting at 4 pm"``; "schedule a call tomorrow at 3 in my agenda" both. No value the
    adapters learnt is one (``tests/test_value_frame.py``)."""
    kinds = free_text_kinds(fn)
    frame = _own_frame(app, fn) | _WHEN_JOINS
    cut, changes = dict(arguments), {}
    for name, value in arguments.items():
        if kinds.get(name) in WHEN_KINDS and isinstance(value, str) and value.strip():
            when = _says_when_alone(value.split(), frame)
            if when and when != " ".join(value.split()):
                cut[name], changes[name] = when, f"{value} -> {when}"
    whens = [cut[name].lower().split() for name in cut if kinds.get(name) in WHEN_KINDS and isinstance(cut[name], str)]
    for name, value in arguments.items():
        if kinds.get(name) not in _THING_KINDS or not isinstance(value, str):
            continue
        thing = _less_its_time(value.split(), [when for when in whens if when], frame)
        if thing != " ".join(value.split()):
            cut[name], changes[name] = thing, f"{value} -> {thing}"
    return cut, changes


def _says_when_alone(words: list[str], frame: frozenset[str] | set[str]) -> str:
    """The longest run of ``words`` that says when and nothing else, neither begins nor ends with
    a word that joins a time ("in"), and leaves out around it only words of ``frame``; "" where
    there is none."""
    folded = [word.lower() for word in words]
    for size in range(len(words), 0, -1):
        for start in range(len(words) - size + 1):
            end = start + size
            left_out = folded[:start] + folded[end:]
            joined = folded[start] in _WHEN_JOINS or folded[end - 1] in _WHEN_JOINS
            if not joined and all(word in frame for word in left_out) and only_says_when(" ".join(folded[start:end])):
                return " ".join(words[start:end])
    return ""


def _less_its_time(words: list[str], whens: list[list[str]], frame: frozenset[str] | set[str]) -> str:
    """``words`` less one of ``whens`` that ends them, or is followed only by ``frame`` words, and
    the words joining it ("meeting at 4 pm" less "4 pm" is "meeting"); ``words`` as they are
    where none does, or nothing would be left."""
    folded = [word.lower() for word in words]
    for when in sorted(whens, key=len, reverse=True):
        for start in range(1, len(words) - len(when) + 1):
            end = start + len(when)
            if folded[start:end] == when and all(word in frame for word in folded[end:]):
                kept = words[:start]
                while kept and kept[-1].lower() in _WHEN_JOINS:
                    kept = kept[:-1]
                return " ".join(kept) if kept else " ".join(words)
    return " ".join(words)


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
        if kinds.get(name) not in WHEN_KINDS:
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


def with_its_clock_time(fn: Function, arguments: dict[str, Any], query: str) -> tuple[dict[str, Any], dict]:
    """``arguments`` with a time that says no clock time widened over the one the request says
    straight after it ("at 7"), and what changed (parameter -> ``"old -> new"``): "set an alarm
    for every weekday at 7" gave ``time="every weekday"``, an alarm with no hour. Not where the
    function takes a date apart (the day is the date's and the clock time the time's), nor where
    the clock time is in another value of the call."""
    kinds = free_text_kinds(fn)
    said = query.lower()
    if "date" in kinds.values() or len(said) != len(query):  # cut from the request as written
        return arguments, {}
    clocks = said_times(said)
    widened, changes = dict(arguments), {}
    for name, value in arguments.items():
        if kinds.get(name) != "time" or not isinstance(value, str) or not value.strip() or said_times(value.lower()):
            continue
        at = said.find(value.lower().strip())
        after = _CLOCK_JOIN.match(said, at + len(value.strip())) if at >= 0 else None
        clock = max((c for c in clocks if after and said.startswith(c, after.end())), key=len, default=None)
        others = " ".join(_as_words(v) for key, v in arguments.items() if key != name)
        if clock is None or re.search(rf"(?<!\w){re.escape(clock)}(?!\w)", others):
            continue
        widened[name] = query[at : after.end() + len(clock)]
        changes[name] = f"{value} -> {widened[name]}"
    return widened, changes


def no_title_that_is_the_message(fn: Function, arguments: dict[str, Any], query: str) -> tuple[dict[str, Any], dict]:
    """``arguments`` without a title (a subject line) that is word for word the message beside it,
    or words of the message that the request says once, and what changed (parameter -> ``"old ->
    (needs input)"``, or ``"old -> (dropped)"`` for an optional one): "email jane@work.com saying
    I will join the call late" gave the message as the subject too, "email my boss that i'm sick
    today" ``title="sick"`` beside ``content="i'm sick"``. The request dictated a message and no
    subject; no call the adapters learnt has one (``tests/test_value_frame.py``)."""
    required = set(fn.parameters.get("required", []))
    kinds = free_text_kinds(fn)
    messages = [_as_words(value) for name, value in arguments.items() if kinds.get(name) == "message"]
    said = _as_words(query)
    changes = {
        name: f"{value} -> {NEEDS_INPUT if name in required else DROPPED}"
        for name, value in arguments.items()
        if kinds.get(name) == "title" and isinstance(value, str) and _of_the_message(_as_words(value), messages, said)
    }
    return {name: value for name, value in arguments.items() if name not in changes}, changes


def _of_the_message(title: str, messages: list[str], said: str) -> bool:
    """Whether ``title`` (as words) is one of ``messages`` or words of one that the request
    ``said`` says once."""
    if not title:
        return False
    return title in messages or (times_said(title, said) == 1 and any(times_said(title, m) for m in messages))


def the_whole_message(app: App, fn: Function, arguments: dict[str, Any], query: str) -> tuple[dict[str, Any], dict]:
    """``arguments`` with a message as the request dictates it, and what changed (parameter ->
    ``"old -> new"``): widened leftwards over the words between it and the value said before it
    (who it is for) that the function's own templates never say, in any language, nor a slip of
    one ("text sarah i'm on my way" gave ``message="on my way"``: "I'm" is a word the generator
    puts around other apps' values); and without the "that" of reported speech it opens with
    ("text john that i'll be late" gave ``message="that i'll be late"``); widened over the words
    that end the request where they say only when (``_when_after``), for a function that takes no
    time; and who it is for cut before it where the model wrote the message into that name too
    ("text emma see you tomorrow" gave ``contact_name="emma see you tomorrow"``). No message the
    adapters learnt opens with "that" or has such words around it (``tests/test_value_frame.py``)."""
    kinds = free_text_kinds(fn)
    frame = _own_frame_with_slips(app, fn)
    said, settled, changes = query.lower(), dict(arguments), {}
    for name, value in arguments.items():
        if not (isinstance(value, str) and kinds.get(name) == "message"):
            continue
        whole = _REPORTED_THAT.sub("", value) or value
        at = said.find(whole.lower())
        end = at + len(whole)
        for other, held in arguments.items():
            inside = held.lower().find(" " + whole.lower()) if kinds.get(other) == "person" and whole.strip() else -1
            if inside > 0:
                settled[other] = held[:inside].rstrip()
                changes[other] = f"{held} -> {settled[other]}"
        starts = {other: said.find(v.lower()) for other, v in settled.items()
                  if other != name and isinstance(v, str) and v.strip()}  # fmt: skip
        before = [start + len(settled[other]) for other, start in starts.items() if -1 < start < at]
        if at > 0 and before:
            gap = query[max(before) : at]
            words = list(_WORD.finditer(gap))
            kept = len(words)
            while kept and not _of_the_frame_as_written(words[kept - 1].group(0).lower(), frame):
                kept -= 1
            if kept < len(words) and not gap[words[-1].end() :].strip():
                whole = query[max(before) + words[kept].start() : end]
        if at >= 0 and not set(kinds.values()) & WHEN_KINDS:
            whole += _when_after(query[end:], settled)
        if whole != value:
            settled[name] = whole
            changes[name] = f"{value} -> {whole}"
    return settled, changes


def _when_after(rest: str, arguments: dict[str, Any]) -> str:
    """The words that end the request after a message, less its closing punctuation, where they
    say only when and are none of the politeness the data generator closes requests with ("now",
    "please") nor another value of the call: "text dave see you on friday" gave ``message="see
    you"``, for a function that takes no time. "" where they are not."""
    tail = rest.rstrip(" .!?")
    words = _WORD.findall(tail.lower())
    others = " ".join(_as_words(v) for v in arguments.values() if isinstance(v, str))
    if not words or set(words) & _CLOSING_WORDS or not only_says_when(tail.lower().strip()):
        return ""
    return "" if tail.strip().lower() in others else tail


def _of_the_frame_as_written(word: str, frame: tuple[frozenset[str], frozenset[str]]) -> bool:
    """Whether ``word`` is one of a frame's words or one slip from one. A short word is read as a
    slip only the way the data generator makes one of it (a four-letter word with an inner letter
    dropped: "tat" of "that"): two short words that each lose a letter to meet are often two slips
    apart ("i'm" and "him"), and "the" is "them" less its end. A word in a script without spaces
    is the frame's (``_WORD`` reads its run of characters as one word)."""
    if word in frame[0] or UNSPACED_CHARACTER.search(word):
        return True
    if len(word) >= _SLIPPED_LETTERS:
        return _of_the_frame(word, frame)
    return any(word == other[:i] + other[i + 1 :] for other in frame[0] if len(other) == len(word) + 1
               for i in range(1, len(other) - 1))  # fmt: skip


def _as_words(value: Any) -> str:
    """``value`` in lower case, one space between its words."""
    return " ".join(str(value).lower().split())


def a_lone_end_as_the_start(fn: Function, arguments: dict[str, Any], query: str) -> tuple[dict[str, Any], dict]:
    """``arguments`` with the one time of a function that takes a start and an end moved to the
    start, where the model wrote it as the end, wrote no start, and the request says no "until"
    or "to" before it; and what changed (parameter -> ``"old -> new"``). "remind me to call mom at
    5 pm tomorrow" gave ``end_time="5 pm"`` beside a start that was the title, which asked for
    the start the request gives: nobody says when an event ends and not when it starts."""
    properties = fn.parameters.get("properties", {})
    when = [name for name, schema in properties.items() if free_text(schema) and kind_for(name, schema) in WHEN_KINDS]
    start = next((name for name in when if START_NAME.search(name)), None)
    end = next((name for name in when if END_NAME.search(name)), None)
    if start is None or end is None or start in arguments or not isinstance(arguments.get(end), str):
        return arguments, {}
    value = arguments[end]
    at = query.lower().find(value.lower())
    if at < 0 or _UNTIL_BEFORE.search(query[:at]):
        return arguments, {}
    moved = {**{k: v for k, v in arguments.items() if k != end}, start: value}
    return moved, {start: f"{NOT_WRITTEN} -> {value}", end: f"{value} -> {DROPPED}"}


def with_the_whole_time(fn: Function, arguments: dict[str, Any], query: str) -> tuple[dict[str, Any], dict]:
    """``arguments`` with each time that is a part of one clock time or time from now the request
    says widened to all of it, and what changed (parameter -> ``"old -> new"``): "four pm" gave
    ``time="pm"`` and "wake me up in two hours" ``time="two hours"``, which an alarm reads as two
    o'clock. No time the adapters learnt is a part of one (``tests/test_value_frame.py``)."""
    properties = fn.parameters.get("properties", {})
    widened, changes = dict(arguments), {}
    said = query.lower()
    if len(said) != len(query):  # the time is cut from the request as written, where lower() keeps places
        return arguments, {}
    times = said_times(said)
    for name, value in arguments.items():
        schema = properties.get(name, {})
        if not isinstance(value, str) or not value.strip() or not free_text(schema) or kind_for(name, schema) != "time":
            continue
        part = re.compile(rf"(?<!\w){re.escape(value.lower().strip())}(?!\w)")
        wholes = {time for time in times if part.search(time) and time != value.lower().strip()}
        if len(wholes) != 1:
            continue
        whole = wholes.pop()
        at = said.find(whole)
        widened[name] = query[at : at + len(whole)]
        changes[name] = f"{value} -> {widened[name]}"
    return widened, changes


def with_its_artist(app: App, fn: Function, arguments: dict[str, Any], query: str) -> tuple[dict[str, Any], dict]:
    """``arguments`` with a song, album or artist widened over the other side of the "by" the
    request joins them with, and what changed (parameter -> ``"old -> new"``): "play Let It Be by
    the Beatles" gave ``query="the Beatles"``, "play Bohemian Rhapsody by Queen" ``query="Bohemian
    Rhapsody"``. The templates say "by" only after words of their own ("a song by {query}"), and
    the model learnt to keep one side. A side made of those words alone ("something by the Who")
    is not taken in, nor one of their slips ("the tne by Cesaria Evora"). Only a parameter whose
    description names an artist is read so."""
    properties = fn.parameters.get("properties", {})
    frame = _own_frame_with_slips(app, fn)
    widened, changes = dict(arguments), {}
    for name, value in arguments.items():
        schema = properties.get(name, {})
        if not isinstance(value, str) or not value.strip() or not free_text(schema):
            continue
        if "artist" not in (schema.get("description", "") or "").lower():
            continue
        at = query.lower().find(value.lower())
        if at < 0 or not _beyond(value, frame):
            continue
        end = at + len(value)
        after = _ARTIST_AFTER.match(query, end)
        before = _TITLE_BEFORE.search(query[:at])
        if after:
            whole = query[at : after.end()]
        elif before and _beyond(before.group(1), frame):
            whole = query[before.start(1) : end]
        else:
            continue
        widened[name] = whole
        changes[name] = f"{value} -> {whole}"
    return widened, changes


def beyond_the_frame(app: App, fn: Function, text: str, language: str | None) -> bool:
    """Whether ``text`` says a word of a value: none of the words the data generator puts around
    a value for ``app`` in ``language`` (None for English: "something", "stuff") and not one slip
    from those of ``fn``'s own templates in it ("snogs", "evens"). Read in the request's language
    alone, a short name is no article of another ("la" in "weather in la"); slips are read against
    the function's own words alone: one slip from any of the app's words, many a name would not
    be one ("kinks" from "links")."""
    key = (app.name, fn.name, language)
    if key not in _LANGUAGE_FRAMES:
        _LANGUAGE_FRAMES[key] = (_frame_words(app, (language,)), _with_slips(_own_frame(app, fn, (language,))))
    words, own = _LANGUAGE_FRAMES[key]
    return any(word not in words and not _of_the_frame(word, own) for word in _WORD.findall(text.lower()))


def _beyond(text: str, frame: tuple[frozenset[str], frozenset[str]]) -> bool:
    """Whether ``text`` says a word that is not of ``frame`` (``_of_the_frame``)."""
    return any(not _of_the_frame(word, frame) for word in _WORD.findall(text.lower()))


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
    """``value`` as the request says it, with the qualifiers right before its first mention and
    right after it (none after a value that ends inside a word)."""
    at = query.lower().find(value.lower())
    if at < 0:
        return value
    start = at
    for _ in range(MAX_QUALIFIERS):
        before = _WORD_BEFORE.search(query[:start])
        if not before or not _qualifier(app, before.group(1).lower(), others):
            break
        start = before.start(1)
    end = at + len(value)
    if end < len(query) and query[end].isalnum():
        return query[start:end]
    for _ in range(MAX_QUALIFIERS):
        after = _WORD_AFTER.match(query, end)
        if not after or not _qualifier(app, after.group(1).lower(), others):
            break
        end = after.end(1)
    return query[start:end]


def _qualifier(app: App, word: str, others: set[str]) -> bool:
    return not (word in others or is_number_word(word) or _of_the_frame(word, _frame(app)))


def _of_the_frame(word: str, frame: tuple[frozenset[str], frozenset[str]]) -> bool:
    """Whether ``word`` is one of a frame's words or one slip from one of three letters or more
    (``frame``: the words and their ``_deletions``, ``_with_slips``)."""
    words, deletions = frame
    return word in words or bool(_deletions(word) & deletions)


def _with_slips(words: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    """``words`` and the ``_deletions`` of those of three letters or more."""
    return words, frozenset(deletion for word in words if len(word) >= 3 for deletion in _deletions(word))


def _deletions(word: str) -> set[str]:
    """``word`` and every form of it with one letter less: two words share one when they are
    one slip apart (a letter dropped, added, changed or two swapped)."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _frame(app: App) -> tuple[frozenset[str], frozenset[str]]:
    """Every word the data generator puts around a value for ``app`` (module docstring), and
    their ``_deletions`` (words of three letters or more), read once per app."""
    key = (app.name, tuple(fn.name for fn in app.functions))
    if key not in _FRAMES:
        _FRAMES[key] = _with_slips(_frame_words(app))
    return _FRAMES[key]


def _own_frame(app: App, fn: Function, languages: tuple[str | None, ...] = EVERY_LANGUAGE) -> frozenset[str]:
    """The words ``fn``'s own phrasebook templates say outside their slots, in ``languages`` (every
    one by default; None is English), and the app's name: a request says it to say where to look
    ("reviews on yelp"), never as a value of its own calls."""
    key = (app.name, fn.name, languages)
    if key not in _OWN_FRAMES:
        specs = [load_phrasebook(app, language).get(fn.name) or {} for language in languages]
        said = [said for spec in specs for said in spec_texts(spec)]
        text = " ".join([*said, app.name.replace("_", " ")])
        _OWN_FRAMES[key] = frozenset(_WORD.findall(text.lower()))
    return _OWN_FRAMES[key]


def _own_frame_with_slips(app: App, fn: Function) -> tuple[frozenset[str], frozenset[str]]:
    """``_own_frame`` with its ``_deletions`` (``_with_slips``), read once per function."""
    key = (app.name, fn.name)
    if key not in _OWN_SLIPS:
        _OWN_SLIPS[key] = _with_slips(_own_frame(app, fn))
    return _OWN_SLIPS[key]


def _frame_words(app: App, languages: tuple[str | None, ...] = EVERY_LANGUAGE) -> frozenset[str]:
    """The words of ``_frame``, from the phrasebooks in ``languages`` (every one by default; None
    is English)."""
    text = [*WAKE_WORDS, *SUFFIXES, *LEADS, *ENDINGS, *NAMING_WORDS]
    for path in PHRASEBOOK_DIR.glob("*.yaml"):
        parts = path.name.split(".")
        if (parts[1] if len(parts) == 3 else None) not in languages:
            continue
        book = read_phrasebook_file(path)
        entries = list(book.get("negatives") or []) + list(book.get("not_this_app") or [])
        for spec in (book.get("functions") or {}).values():
            entries += list(spec.get("templates") or []) + list(spec.get("incomplete") or [])
            text += [said for forms in (spec.get("surface") or {}).values() for said_as in forms.values()
                     for said in said_as]  # fmt: skip
            text += list(spec.get("objects") or [])
        text += [template_text(entry) for entry in entries]
    for fn in app.functions:
        text += schema_text(fn)
    words = {word for chunk in text for word in _WORD.findall(re.sub(r"\{[^}]*\}", " ", chunk).lower())}
    return frozenset(words | _POSSESSIVES_AND_POINTERS)
