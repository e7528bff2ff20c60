"""Write ``orchestrator/corpus/clinc150.jsonl`` from CLINC150 (``../shared/corpora/clinc150``).

Run once by a developer (``python -m training.clinc_corpus``); orch reads only the written file.
Labels: an intent a built-in function serves becomes that app; an intent that only partly maps,
or maps to two apps, is left out; every other intent, and CLINC's own out-of-scope lines that name
nothing a built-in app does, become "none" (``app: null``).
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
# ("schedule_meeting" mixes "schedule a meeting with steve for 5", a calendar event, with "are any
# meeting rooms open".)
LEFT_OUT = {
    "change_volume", "directions", "calendar_update", "order_status", "smart_home", "sync_device", "share_location",
    "distance", "traffic", "next_song", "order", "accept_reservations", "meal_suggestion", "schedule_meeting",
}  # fmt: skip
# CLINC's "oos" is outside its 150 intents, not outside our apps ("any headlines from my area").
SERVED_WORDS = re.compile(
    r"\b(news|headlines?|stories|open|opens|hours|weather|play|playing|call|text|timer|alarm|volume|brightness|"
    r"screen|restaurants?|reservations?|order|photo|picture|wifi|bluetooth|flashlight|navigate|directions|videos?|"
    r"youtube|music|song|temperature|seat|window|email|contact|calendar|reviews?|events?|concerts?)\b"
)


def main(source: Path = SOURCE) -> None:
    rows = []
    for line in source.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        intent, text = raw["intent"], raw["text"].strip().strip('"')
        if intent in LEFT_OUT or not text or (intent == "oos" and SERVED_WORDS.search(text.lower())):
            continue
        rows.append({"text": text, "intent": intent, "app": SERVED.get(intent)})
    CORPUS.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {len(rows)} lines to {CORPUS}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
