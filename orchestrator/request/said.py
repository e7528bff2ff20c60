"""What a request says, word by word, in any script: the words the request-side rules
(``switch_object.py``, ``choices.py``) look for, and whether it says one of them, slips included."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from orchestrator.corpus import fold_plural
from orchestrator.request.grounding import UNSPACED, UNSPACED_CHARACTER

# A word; a run of currency signs is one too ("$$$" is a price).
_TOKEN = re.compile(rf"[{UNSPACED}]+|[^\W_{UNSPACED}]+|[$€£¥₹]+")
_UNSPACED_RUN = re.compile(rf"[{UNSPACED}]+")
# How alike a word of the request and a word looked for must be (difflib's ratio) to be a slip of it.
MIN_SIMILARITY = 0.75
# A word looked for this long is said by a longer word it begins: German joins nouns, and
# "Weckerlautstärke" says "Wecker" (shorter words begin too many others: "back" of "background").
MIN_COMPOUND_HEAD = 5


def tokens(text: str) -> set[str]:
    """A text's lower-case words (plurals folded); in unspaced scripts each character and each
    pair of adjacent ones ("冷气": 冷, 气, 冷气; the characters alone are in many words)."""
    found: set[str] = set()
    for word in _TOKEN.findall(text.lower()):
        if _UNSPACED_RUN.fullmatch(word):
            found.update(word, (word[i : i + 2] for i in range(len(word) - 1)))
        else:
            found.add(fold_plural(word))
    return {
        token
        for token in found
        if unicodedata.category(token[0]) == "Sc" or unicodedata.category(token[0])[0] not in "PS"
    }


def names_one_of(words: frozenset[str], query: str) -> bool:
    """Whether ``query`` says one of ``words``, begins a compound with one (``MIN_COMPOUND_HEAD``),
    or says a slip of one ("wfii", "flashliht": a word of three letters or more as alike as
    ``MIN_SIMILARITY`` to one of four or more)."""
    said = tokens(query)
    if words & said:
        return True
    if any(len(own) >= MIN_COMPOUND_HEAD and word.startswith(own) for word in said for own in words):
        return True
    return any(
        len(word) >= 3 and len(own) >= 4 and SequenceMatcher(None, word, own).ratio() >= MIN_SIMILARITY
        for word in said
        for own in words
    )


def times_said(value: str, text: str) -> int:
    """How often lower-case ``text`` says lower-case ``value``: as whole words, or as characters
    where ``value`` is in a script written without spaces."""
    if UNSPACED_CHARACTER.search(value):
        return text.count(value)
    return len(re.findall(rf"(?<!\w){re.escape(value)}(?!\w)", text))
