"""A statement of taste asks for nothing: "i love hip hop" is no request to play it.

The adapters learnt requests ("play some hip hop", "I'd like a pizza"), and read a sentence that
names an app's thing as one: "i like jazz you should know" played jazz. A request that opens by
saying what the speaker likes, loves, enjoys or hates ("i like", "we love", "ich mag", "me
encanta", "我喜欢"), where the liking is of a thing (not "i like to listen to jazz", which asks to
hear it) and nothing after it asks for an action (no making verb: "i love jazz, play some"), gets
no call. "I'd like", "I would love" and "I'd love" ask for something and are no statement.
"""

from __future__ import annotations

import re

from orchestrator.corpus import words_of
from orchestrator.data.siblings import MAKING_VERBS

# The opening: a name of the assistant or a filler first, if any ("olly", "hey google,"), then
# the speaker and a verb of taste not followed by "to" (an infinitive asks: "i like to listen to").
_TASTE = re.compile(
    r"^(?:(?:(?:hey|ok|okay)\s+\w+|olly|alexa|siri|google|so|um|uh|well|oh|yeah|honestly),?\s+)?"
    r"(?:(?:(?:i|we)\s+(?:really\s+|just\s+|totally\s+|absolutely\s+)?"
    r"(?:liked?|loved?|enjoy(?:ed)?|adored?|hated?|disliked?)(?!\s+to\b)|ich\s+(?:mag|liebe|hasse)"
    r"|me\s+(?:gusta|encanta)n?)\b"
    r"|我(?:很|真)?(?:喜欢|喜歡|爱|愛|讨厌|討厭)(?![听聽看])|私は.{1,20}が(?:好き|嫌い)(?:です)?$)",
    re.IGNORECASE,
)


def states_a_taste(query: str) -> bool:
    """Whether ``query`` opens with a statement of what the speaker likes and asks for no action
    (module docstring)."""
    opening = _TASTE.search(query.strip())
    return bool(opening) and not words_of(query[opening.end() :]) & MAKING_VERBS
