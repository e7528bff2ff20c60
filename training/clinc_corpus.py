"""Write ``orchestrator/corpus/clinc150.jsonl`` from CLINC150 (``../shared/corpora/clinc150``).

Run once by a developer (``python -m training.clinc_corpus``); orch reads only the written file.
Labels: an intent a built-in function serves becomes that app; an intent that only partly maps,
or maps to two apps, is left out, except where one app serves a part its words tell apart
(``IN_PART``: the lines that add a calendar entry are android's, ``"by_line": true``); every other
intent, and CLINC's own out-of-scope lines that name nothing a built-in app does, become "none"
(``app: null``).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from orchestrator.corpus import CORPUS

SOURCE = Path("../shared/corpora/clinc150/train.jsonl")
SERVED = {
    "alarm": "android",
    "timer": "android",
    "weather": "android",
    "play_music": "android",
    "text": "android",
    "make_call": "android",
    # "remind me to call mom at 5": a reminder is a calendar entry (create_calendar_event).
    "reminder_update": "android",
    "restaurant_reservation": "yelp",
    "restaurant_reviews": "yelp",
    "restaurant_suggestion": "yelp",
}
# Half served, or served by two apps: neither a clean positive nor a clean negative.
LEFT_OUT = {
    "change_volume", "directions", "order_status", "smart_home", "sync_device", "share_location", "distance",
    "traffic", "next_song", "order", "accept_reservations", "meal_suggestion",
}  # fmt: skip
# Intents one app serves in part, labelled line by line: a line that adds an entry ("add my dentist
# appointment to the calendar", "schedule a meeting with steve at 5") is create_calendar_event's;
# one that removes, clears or moves one, books a meeting room ("are any meeting rooms open") or
# asks how is left out.
IN_PART = {"calendar_update": "android", "schedule_meeting": "android"}
ADDS_AN_ENTRY = re.compile(
    r"\b(add|added|put|schedule|scheduled|mark|pencil|enter|set up|set a|create|hook up|arrange|write down|book|"
    r"get me a meeting|meet with|lunch with)\b"
)
ANOTHER_PART = re.compile(
    r"\b(remove|delete|clear|cleared|erase|cancel|rid|off|undo|no longer|open|rooms?|how|process|trouble|availab\w*|"
    r"free)\b"
)
# CLINC's "oos" is outside its 150 intents, not outside our apps ("any headlines from my area").
SERVED_WORDS = re.compile(
    r"\b(news|headlines?|stories|open|opens|hours|weather|play|playing|call|text|timer|alarm|volume|brightness|"
    r"screen|restaurants?|reservations?|order|photo|picture|wifi|bluetooth|flashlight|navigate|directions|videos?|"
    r"youtube|music|song|temperature|seat|window|email|contact|calendar|reviews?|events?|concerts?)\b"
)


def adds_an_entry(text: str) -> bool:
    """Whether a line of an ``IN_PART`` intent asks to add an entry, and nothing else of it."""
    return bool(ADDS_AN_ENTRY.search(text.lower())) and not ANOTHER_PART.search(text.lower())


def main(source: Path = SOURCE) -> None:
    rows = []
    for line in source.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        intent, text = raw["intent"], raw["text"].strip().strip('"')
        if intent in IN_PART:
            if adds_an_entry(text):
                rows.append({"text": text, "intent": intent, "app": IN_PART[intent], "by_line": True})
            continue
        if intent in LEFT_OUT or not text or (intent == "oos" and SERVED_WORDS.search(text.lower())):
            continue
        rows.append({"text": text, "intent": intent, "app": SERVED.get(intent)})
    CORPUS.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {len(rows)} lines to {CORPUS}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
