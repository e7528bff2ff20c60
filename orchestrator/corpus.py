"""Real requests shipped with orch: CLINC150 (CC BY 3.0), each line labelled with the built-in app
that serves it or with none (``orchestrator/corpus/README.md`` says how, and carries the attribution).

They give the router and the adapters real phrasing, and real requests no app serves. A line is
labelled relative to the built-in apps only, so a line labelled "none" may be exactly what a user's
own app does (a banking app and CLINC's banking intents): the router and calibration drop the
"none" lines that share a content word with such an app's functions
(``phrasebook.words_beyond_the_labels``), and an adapter's data keeps only those that share none
with its own (``out_of_scope_for``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from orchestrator.registry import App

CORPUS = Path(__file__).parent / "corpus" / "clinc150.jsonl"
HELDOUT_PERCENT = 20
GENERIC_WORDS = {
    "get", "set", "search", "find", "make", "toggle", "create", "open", "send", "show", "adjust", "list",
    "a", "an", "the", "to", "of", "on", "off", "do", "not", "by", "for", "in", "and", "or", "my", "last",
}  # fmt: skip
# The verbs a function's name opens with when it looks something up.
LOOK_UP_VERBS = {"get", "search", "find", "check", "show", "list", "look", "read", "track", "fetch", "query", "view"}
# Words for one kind of thing. An app whose function names one serves requests that say another
# ("set_lights" serves "dim the lamp"), so every filter that keeps such requests away from "none"
# reads them all: word by word, "turn off the hallway lamp" stayed a "no app" request beside a
# lights app and drew its "turn on the kitchen lights" to none (docs/accuracy.md).
SAME_KIND = [
    {"light", "lamp", "bulb"},
    {"tv", "television"},
    {"blind", "curtain"},
    {"vacuum", "hoover"},
    {"taxi", "cab", "uber", "lyft"},
]


@dataclass(frozen=True)
class CorpusLine:
    """One request; ``by_line``: labelled by its words, its intent being served only in part."""

    text: str
    intent: str
    app: str | None
    by_line: bool = False

    def is_request_of(self, apps: Collection[str], by_line: bool = False) -> bool:
        """Whether one of ``apps`` serves this line's whole intent; with ``by_line``, also whether
        its words say so where the intent is served in part (``served_by``)."""
        return self.app in apps and (by_line or not self.by_line)


@functools.cache
def load_corpus() -> tuple[CorpusLine, ...]:
    lines = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return tuple(CorpusLine(r["text"], r["intent"], r["app"], r.get("by_line", False)) for r in lines)


def is_heldout(line: CorpusLine) -> bool:
    """A stable fifth of the corpus, by line, that no adapter trains on: it checks the router's
    decision rule."""
    return _in_fifth(line.text)


def is_unseen_kind(line: CorpusLine) -> bool:
    """Lines no app serves whose whole intent the router ``orch calibrate`` asks never learns
    (38 of 126 intents, by hash; CLINC's out-of-scope lines by line). Calibration's requests no
    app serves are the held-out lines of these intents: kinds of request neither its router nor
    any adapter has seen, as users' requests from elsewhere are. Held out by line only, they were
    near copies of lines the router learnt, and calibration counted 1% false calls where
    crowd-written sets had 5-8%. (The deployed router learns them: ``Router``'s ``calibrating``.)"""
    if line.app is not None:
        return False
    return _in_fifth(line.text if line.intent == "oos" else line.intent)


def is_unseen_heldout(line: CorpusLine) -> bool:
    """A line no app serves that is held out from the adapters by line and from the calibrating
    router by intent."""
    return is_heldout(line) and is_unseen_kind(line)


def _in_fifth(key: str) -> bool:
    digest = hashlib.sha256(key.encode()).digest()
    return digest[0] * 100 // 256 < HELDOUT_PERCENT


def content_words(apps: list[App]) -> set[str]:
    """The words that name what the apps' functions do (``rate_order`` -> rate, order)."""
    words = set()
    for app in apps:
        for fn in app.functions:
            words |= {fold_plural(w) for w in function_name_words(fn.name)}
    return _with_kin(words - GENERIC_WORDS)


def object_words(app: App, other_names: Collection[str] = ()) -> set[str]:
    """The words that name what ``app``'s functions act on: a function name's words after its
    verb (``set_alarm`` -> alarm, ``rate_order`` -> order, ``get_business_reviews`` -> business,
    review), and those of ``other_names`` for the same things ("playlist", "e-mail": a
    phrasebook's ``objects``). A request about one of them that the app cannot serve is a sibling
    operation ("cancel my alarm"), not a request about something else ("rate this book")."""
    named = {fold_plural(w) for fn in app.functions for w in function_name_words(fn.name)[1:]}
    named |= {word for name in other_names for word in words_of(name) if len(word) > 1}
    return _with_kin(named - GENERIC_WORDS)


def _with_kin(words: set[str]) -> set[str]:
    """``words`` and the other words for the same kind of thing (``SAME_KIND``)."""
    return words.union(*(kind for kind in SAME_KIND if kind & words))


def function_name_words(name: str) -> list[str]:
    """A function name split into its words, verb first (``rate_order`` -> rate, order)."""
    return [word for word in re.split(r"[_\W]+", name.lower()) if word]


def looks_up(name: str) -> bool:
    """Whether a function named ``name`` looks something up: its name's verb is one of finding
    or reading (``get_weather_forecast``, ``search_events``, ``track_order``)."""
    words = function_name_words(name)
    return bool(words) and words[0] in LOOK_UP_VERBS


def out_of_scope_for(apps: list[App], heldout: bool = False) -> list[CorpusLine]:
    """Lines no built-in app serves that mention none of ``apps``' function words."""
    words = content_words(apps)
    return [
        line
        for line in load_corpus()
        if line.app is None and is_heldout(line) == heldout and not (words & words_of(line.text))
    ]


def served_by(app: str, heldout: bool = False, by_line: bool = False) -> list[CorpusLine]:
    """Lines of the intents a built-in app serves, labelled with that app; with ``by_line``, also
    the lines its words label so of the intents it serves in part ("add my dentist appointment to
    the calendar"; ``training/clinc_corpus.py``). Only the router learns those: a label read from
    words may be wrong, and where the router errs an adapter and the decision still judge, while a
    measure of the decision (calibration) or an adapter's "no call" examples would take it as so."""
    return [line for line in load_corpus() if line.is_request_of({app}, by_line) and is_heldout(line) == heldout]


def fold_plural(word: str) -> str:
    """A word with a plural's final "s" taken off ("alarms" -> alarm; "glass" and "bus" stay)."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def words_of(text: str) -> set[str]:
    """A text's lower-case words, plurals folded, as ``content_words`` names them."""
    return {fold_plural(w) for w in re.findall(r"[a-z]+", text.lower())}
