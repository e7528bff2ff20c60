"""Where a route starts and where it ends, by the words the request puts before each: a place said
after "from" is where it starts, one said after "to" where it ends.

The adapters learnt routes from templates that say both ends in the order "from {origin} to
{destination}" or "to {destination} from {origin}", and copy the value; a crowd request said
another way got its ends swapped or joined: "calculate distance from boston to new york" gave
``destination="boston"``, "navigate from home to work" (a car's navigation, which has no start)
``destination="home"``, and "navigate to the golden gate bridge from my hotel"
``destination="the golden gate bridge from my hotel"``. A call that routes the user to where they
are is a wrong action.

A function's ends are its free-text parameters named for them (``origin``, ``source``,
``pickup``, ``departure`` ...; ``destination``, ``dropoff``, ``arrival`` ...), so an app added from
a tools file gets the rule too. The words are English ones; other languages keep the adapter's
values.
"""

from __future__ import annotations

import re
from typing import Any

from orchestrator.calls import free_text
from orchestrator.registry import Function
from orchestrator.request.grounding import NOT_WRITTEN

# Parameter names for a route's start and its end; times ("start_time", "departure_date") are not ends.
_NAMED_PLACE = r"(_(location|place|address|city|point|airport))?$"
_START = re.compile(rf"^(origin|source|start|from|pickup|pick_up|departure){_NAMED_PLACE}")
_END = re.compile(rf"^(destination|dest|to|dropoff|drop_off|arrival|end){_NAMED_PLACE}")
# The words before a place that say which end it is.
_FROM = r"from"
_TO = r"to|towards|toward"
# Words that end the place said after "to" ("to new york by train", "to work and back").
_AFTER_PLACE = (
    "from", "by", "via", "using", "avoiding", "with", "and", "then", "please", "now", "today",
    "tonight", "tomorrow",
)  # fmt: skip
_TO_WORD = re.compile(rf"(?<!\w)(?:{_TO})\s+", re.IGNORECASE)
_PLACE = re.compile(rf"(.+?)\s*(?=(?:\s(?:{'|'.join(_AFTER_PLACE)})(?!\w))|[,;!?]|\.?\s*$)", re.IGNORECASE)


def route_ends(fn: Function, arguments: dict[str, Any], text: str) -> tuple[dict[str, Any], dict[str, str]]:
    """``arguments`` with each end of a route where the request's words put it, and what changed
    (``grounding.ground``'s form: parameter -> ``"old -> new"``). An end value the request says
    only after "from" moves to the start (or goes, where the function has no start) and the place
    said after "to" becomes the end; an end value that runs on into "from <place>" is cut there,
    the rest becoming the start where the function has one and none is written."""
    start, end = _end_names(fn)
    value = arguments.get(end) if end else None
    if not isinstance(value, str) or not value.strip():
        return arguments, {}
    changed = dict(arguments)
    place = re.escape(value.strip())
    said_from = _said_after(_FROM, place, text)
    if said_from and not _said_after(_TO, place, text):
        other_end = _place_after_to(text, said_from.start())
        if other_end is None or other_end.lower() == value.strip().lower():
            return arguments, {}
        changed[end] = other_end
        if start and arguments.get(start) in (None, "", other_end):
            changed[start] = value
    else:
        head, joined, tail = (part.strip() for part in value.partition(" from "))
        if not (joined and head and tail and _said_after(_TO, re.escape(head), text)):
            return arguments, {}
        changed[end] = head
        if start and not arguments.get(start):
            changed[start] = tail
    changes = {
        name: f"{arguments.get(name) or NOT_WRITTEN} -> {changed[name]}"
        for name in changed
        if changed[name] != arguments.get(name)
    }
    return changed, changes


def _end_names(fn: Function) -> tuple[str | None, str | None]:
    """``fn``'s free-text parameters for where a route starts and where it ends (None: it has none)."""
    properties = fn.parameters.get("properties", {})
    texts = [name for name, schema in properties.items() if free_text(schema)]
    start = next((name for name in texts if _START.match(name.lower())), None)
    end = next((name for name in texts if _END.match(name.lower())), None)
    return start, end


def _said_after(words: str, place: str, text: str) -> re.Match[str] | None:
    return re.search(rf"(?<!\w)(?:{words})\s+{place}(?!\w)", text, re.IGNORECASE)


def _place_after_to(text: str, start_said_at: int) -> str | None:
    """The place the request says after "to": the first "to" after where it says the start ("how to
    get from boston to new york"), else the last one before it ("how to get to new york from
    boston")."""
    places = [(m.start(), _PLACE.match(text, m.end())) for m in _TO_WORD.finditer(text)]
    places = [(at, place.group(1)) for at, place in places if place and place.group(1).strip()]
    after = [place for at, place in places if at > start_said_at]
    before = [place for at, place in places if at < start_said_at]
    return after[0] if after else (before[-1] if before else None)
