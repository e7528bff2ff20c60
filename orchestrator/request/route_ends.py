"""Where a route starts and where it ends, by the words the request puts before each: a place said
after "from" ("von", "desde", "de") is where it starts, one said after "to" ("nach", "a",
"hasta") where it ends.

The adapters learnt routes from templates that say both ends in the order "from {origin} to
{destination}" or "to {destination} from {origin}", and copy the value; a crowd request said
another way got its ends swapped or joined: "calculate distance from boston to new york" gave
``destination="boston"``, "navigate from home to work" (a car's navigation, which has no start)
``destination="home"``, "navigate to the golden gate bridge from my hotel" ``destination="the
golden gate bridge from my hotel"``, "ruta de Madrid a Valencia" ``destination="Madrid"`` and
"Wegbeschreibung nach Köln von Bonn aus" ``origin="Köln"``. A call that routes the user to where
they are is a wrong action. And the adapters often leave out a start the request says ("Route
von Leipzig nach Dresden", "de Alicante a Elche"), which then defaults to where the user is.

A function's ends are its free-text parameters named for them (``origin``, ``source``,
``pickup``, ``departure`` ...; ``destination``, ``dropoff``, ``arrival`` ...), so an app added from
a tools file gets the rule too. The words are English, German and Spanish ones; Chinese and
Japanese requests keep the adapter's values (their adapters put 从/から and 到/まで places right).
"""

from __future__ import annotations

import re
from typing import Any

from orchestrator.calls import free_text
from orchestrator.registry import Function
from orchestrator.request.grounding import NOT_WRITTEN, WHERE_THE_USER_IS

# Parameter names for a route's start and its end; times ("start_time", "departure_date") are not ends.
_NAMED_PLACE = r"(_(location|place|address|city|point|airport))?$"
_START = re.compile(rf"^(origin|source|start|from|pickup|pick_up|departure){_NAMED_PLACE}")
_END = re.compile(rf"^(destination|dest|to|dropoff|drop_off|arrival|end){_NAMED_PLACE}")
# The words before a place that say which end it is, per language: (start, end). A pair is read
# together, so Spanish "a" never says an end in English ("route to denver from boston in a hurry").
_CUES = (
    ("from", "to|towards|toward"),
    ("von|vom|ab", "nach|bis|zum|zur"),
    ("desde|de", "a|al|hasta|hacia"),
)
_TO = "|".join(end for _, end in _CUES)
# Start words that may follow the end ("to the pier from the mall"); the others also join a
# place's own name ("la estación de tren", "das Haus von Anna"), so they say a start only before
# the end's words ("de Alicante a Elche").
_START_AFTER_END = {"from", "desde"}
# The words that join a start to an end value the adapter ran on ("the zoo from my house").
_JOINED_START = re.compile(r"\s(?:from|desde)\s", re.IGNORECASE)
# Words that end a place said after an end's words ("to new york by train", "nach Köln von Bonn
# aus"): these and every end's words.
_AFTER_PLACE = (
    "by", "via", "using", "avoiding", "with", "and", "then", "please", "now", "today", "tonight",
    "tomorrow",
    "aus", "mit", "per", "über", "und", "bitte", "jetzt", "heute", "morgen",
    "en", "por", "con", "y", "hoy", "mañana", "ahora",
    *(word for pair in _CUES for words in pair for word in words.split("|")),
)  # fmt: skip
_PLACE = re.compile(rf"(.+?)\s*(?=(?:\s(?:{'|'.join(_AFTER_PLACE)})(?!\w))|[,;!?]|\.?\s*$)", re.IGNORECASE)


def route_ends(fn: Function, arguments: dict[str, Any], text: str) -> tuple[dict[str, Any], dict[str, str]]:
    """``arguments`` with each end of a route where the request's words put it, and what changed
    (``grounding.ground``'s form: parameter -> ``"old -> new"``). An end value the request says
    only after the other end's words takes the place said after its own, and the other end, if
    the function has one and it is unwritten or that place, takes the value (the end's value goes
    where the function has no start); an end value that runs on into "from <place>" is cut there,
    the rest becoming the start where the function has one and none is written; and a start the
    request says beside the end ("Route von Leipzig nach Dresden") is made where none is written."""
    start, end = _end_names(fn)
    changed = dict(arguments)
    for start_words, end_words in _CUES:
        if end:
            changed = _where_said(changed, end, start, own=end_words, other=start_words, text=text)
        if start:
            changed = _where_said(changed, start, end, own=start_words, other=end_words, text=text)
    if end:
        changed = _joined_start_cut(changed, end, start, text)
    if start and end:
        changed = _said_start(changed, start, end, text)
    changes = {
        name: f"{arguments.get(name) or NOT_WRITTEN} -> {changed[name]}"
        for name in changed
        if changed[name] != arguments.get(name)
    }
    return (changed, changes) if changes else (arguments, {})


def _where_said(arguments: dict[str, Any], name: str, partner: str | None, own: str, other: str, text: str) -> dict:
    """``arguments`` with ``name``'s value moved to ``partner`` where the request says it only
    after ``other``'s words, and the place it says after ``own``'s words put in its stead."""
    value = arguments.get(name)
    if not isinstance(value, str) or not value.strip():
        return arguments
    place = re.escape(value.strip())
    said_other = _said_after(other, place, text)
    if not said_other or _said_after(own, place, text):
        return arguments
    own_place = _place_after(own, text, said_other.start())
    if own_place is None or own_place.lower() == value.strip().lower():
        return arguments
    moved = {**arguments, name: own_place}
    if partner and arguments.get(partner) in (None, "", own_place):
        moved[partner] = value
    return moved


def _joined_start_cut(arguments: dict[str, Any], end: str, start: str | None, text: str) -> dict:
    """``arguments`` with an end value that runs on into "from <place>" cut there, where the
    request says the rest after "to"; the place becomes the start if none is written."""
    value = arguments.get(end)
    if not isinstance(value, str):
        return arguments
    head, *tail = (part.strip() for part in _JOINED_START.split(value, maxsplit=1))
    if not (tail and head and tail[0] and _said_after(_TO, re.escape(head), text)):
        return arguments
    cut = {**arguments, end: head}
    if start and not arguments.get(start):
        cut[start] = tail[0]
    return cut


def _said_start(arguments: dict[str, Any], start: str, end: str, text: str) -> dict:
    """``arguments`` with the start the request says beside the end's value, where none is
    written: the place after a start's words of the language whose end words say the end, outside
    the end's value, and not where the user already is ("from here")."""
    value = arguments.get(end)
    if arguments.get(start) or not isinstance(value, str) or not value.strip():
        return arguments
    for start_words, end_words in _CUES:
        end_said = _said_after(end_words, re.escape(value.strip()), text)
        if not end_said:
            continue
        for cue, said in _places_after(start_words, text):
            if end_said.start() <= cue.start() < end_said.end():
                continue
            if cue.start() > end_said.start() and cue.group().strip().lower() not in _START_AFTER_END:
                continue
            if said.lower() != value.strip().lower() and said.lower() not in WHERE_THE_USER_IS:
                return {**arguments, start: said}
        return arguments
    return arguments


def _end_names(fn: Function) -> tuple[str | None, str | None]:
    """``fn``'s free-text parameters for where a route starts and where it ends (None: it has none)."""
    properties = fn.parameters.get("properties", {})
    texts = [name for name, schema in properties.items() if free_text(schema)]
    start = next((name for name in texts if _START.match(name.lower())), None)
    end = next((name for name in texts if _END.match(name.lower())), None)
    return start, end


def _said_after(words: str, place: str, text: str) -> re.Match[str] | None:
    return re.search(rf"(?<!\w)(?:{words})\s+{place}(?!\w)", text, re.IGNORECASE)


def _place_after(words: str, text: str, other_said_at: int) -> str | None:
    """The place the request says after ``words``: the first such words after where it says the
    other end ("how to get from boston to new york"), else the last before it ("how to get to new
    york from boston")."""
    found = _places_after(words, text)
    after = [place for cue, place in found if cue.start() > other_said_at]
    before = [place for cue, place in found if cue.start() < other_said_at]
    return after[0] if after else (before[-1] if before else None)


def _places_after(words: str, text: str) -> list[tuple[re.Match[str], str]]:
    """Each of ``words`` the request says with a place after it, and that place."""
    cues = re.finditer(rf"(?<!\w)(?:{words})\s+", text, re.IGNORECASE)
    places = [(cue, _PLACE.match(text, cue.end())) for cue in cues]
    return [(cue, place.group(1).strip()) for cue, place in places if place and place.group(1).strip()]
