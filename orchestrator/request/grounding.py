"""Free-text argument values are spans of the request: snap a value the request never said to
the span it misspelt, drop an optional one it made up, and ask for a required one.

Every free-text string the adapters learn (a string parameter with no ``enum``, ``const``,
``format`` or ``pattern``) is copied from the request: the data generator renders the value into
the text. So a value that is not in the request is a copying slip ("Mobi Malibu" for "Nobu
Malibu", "B Brooklyn" for "Brooklyn") or an invention (a restaurant nobody named, an alarm at
"12345"), and so is a value cut out of a word ("Yose" for "Yosemite"), widened to the whole
word. A slip is replaced by the request's most similar span. An invention of an optional
parameter is dropped (the function's default applies); of a required one, it is taken out and
the call comes back needing that input (``NEEDS_INPUT``): the user is asked, nothing runs. An
empty value is the adapters' own way to say the request left it out (they learn it from
incomplete requests, ``orchestrator/data/datagen.py``), and is treated the same way. A span of
the wrong kind is treated as invented too: a place that is a time word ("weather for tonight":
``location="tonight"``), an identifier that is neither digits nor digits said as words ("how far
is it from new york": ``order_id="new york"``). Values whose schema fixes their form (enums,
dates, patterns) are the grammar's business.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

from orchestrator.calls import free_text, validate_arguments
from orchestrator.errors import OrchError
from orchestrator.registry import Function

# How alike a span and a value must be (difflib's ratio) for the span to replace it. Below this
# the value is not a misspelt span but something the request did not say.
MIN_SIMILARITY = 0.6
# Longest span tried, in words, beyond the value's own length.
EXTRA_WORDS = 2
# A word is a run of non-space characters, except in scripts written without spaces (Chinese,
# Japanese), where each character is one: "找布鲁克林附近" has the span "布鲁克林".
UNSPACED = "\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_WORD = re.compile(rf"[{UNSPACED}]|[^\s{UNSPACED}]+")
UNSPACED_CHARACTER = re.compile(rf"[{UNSPACED}]")
_PUNCTUATION = re.compile(r"[.,!?;\"]")
NEEDS_INPUT = "(needs input)"
DROPPED = "(dropped)"
# A value the adapter did not write that a rule reads from the request (``value_words``, ``choices``).
NOT_WRITTEN = "(not written)"
# A parameter named for a place, and the words for times that are never one.
_PLACE = re.compile(r"location|place|city|destination|origin|address|area|where", re.IGNORECASE)
# Words for where the user is, which name no place: an optional place said so is left to its
# default, and a route does not start "from here" (``route_ends``).
WHERE_THE_USER_IS = {
    "here", "nearby", "near me", "near here", "around here", "around me", "close by", "close to me", "near by",
    "my area", "in my area", "the area", "this area", "local", "my location", "my current location", "where i am",
    "hier", "aquí", "acá",
}  # fmt: skip
# A parameter that names something by its code ("order_id", "booking id"), and the words a code's
# digits are said in ("order one two three").
_IDENTIFIER = re.compile(r"(^|_)id$|\bid\b", re.IGNORECASE)
DIGIT_WORDS = {"zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
TIME_WORDS = {
    "today", "tonight", "tomorrow", "yesterday", "now", "noon", "midnight", "morning", "afternoon",
    "evening", "night", "weekend", "week", "this week", "next week", "this weekend", "later", "soon",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "right now",
}  # fmt: skip
_EDGE = "\"'.,!?;:()[]{}，。？！、：；「」¿¡"


# An email address as written ("jane@work.com", "bob.smith+news@mail.co.uk"), in Latin letters: a
# Chinese request runs straight into it ("写一封邮件给tom@example.com").
_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def spans(query: str, max_words: int) -> list[str]:
    """Every run of up to ``max_words`` consecutive words of the request, as written (edge
    punctuation cut: "Brooklyn," is the span "Brooklyn"; a Chinese span is a run of characters)."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(query)]
    found: list[str] = []
    for i in range(len(words)):
        for j in range(i, min(len(words), i + max_words)):
            text = query[words[i][0] : words[j][1]].strip(_EDGE)
            if text:
                found.append(text)
    return list(dict.fromkeys(found))


def said(value: str, query: str) -> bool:
    return _norm(value) in _norm(query)


def whole_words(value: str, query: str) -> str:
    """``value`` widened to whole words when every place the request says it starts or ends inside
    a word ("Yose" of "head to Yosemite" is "Yosemite", "1357" of "order 13579" is "13579"): no
    value the adapters learn does (``tests/test_grounding.py`` checks the committed data), so such
    a cut is a copying slip. An email address is one word, dots and all ("jane@work" of
    "jane@work.com"). A value that stands whole somewhere in the request, or is not written there
    as it is, comes back unchanged; scripts written without spaces have no words to cut."""
    addresses = [address for address in _ADDRESS.findall(query) if value.lower() in address.lower()]
    if "@" in value and len(addresses) == 1:
        return addresses[0]
    pattern = re.compile(r"\s+".join(map(re.escape, value.split())), re.IGNORECASE)
    widened = []
    for match in pattern.finditer(query) if value.strip() else ():
        start, end = match.start(), match.end()
        if not (_inside_word(query, start) or _inside_word(query, end)):
            return value
        while start > 0 and _word_character(query[start - 1]):
            start -= 1
        while end < len(query) and _word_character(query[end]):
            end += 1
        widened.append(query[start:end])
    return widened[0] if widened else value


def _inside_word(query: str, cut: int) -> bool:
    """Whether a cut before ``query[cut]`` splits a word."""
    return 0 < cut < len(query) and _word_character(query[cut - 1]) and _word_character(query[cut])


def _word_character(char: str) -> bool:
    return char.isalnum() and not UNSPACED_CHARACTER.match(char)


def nearest_span(value: str, query: str) -> tuple[str, float]:
    """The request's span most like ``value`` and its similarity (0..1)."""
    target = _norm(value)
    best, best_ratio = "", 0.0
    for span in spans(query, len(_WORD.findall(value)) + EXTRA_WORDS):
        ratio = SequenceMatcher(None, target, _norm(span)).ratio()
        if ratio > best_ratio:
            best, best_ratio = span, ratio
    return best, best_ratio


def ground(fn: Function, arguments: dict[str, Any], query: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The arguments with every free-text value a span of ``query``, and what changed
    (parameter -> ``"old -> new"``, ``"old -> (dropped)"`` or ``"old -> (needs input)"``, the
    last for a required value the request does not give: it is left out of the arguments).
    Arguments that grounding would make schema-invalid otherwise (a ``maxLength``, say) are
    returned as they were."""
    properties = fn.parameters.get("properties", {})
    required = set(fn.parameters.get("required", []))
    grounded = dict(arguments)
    changes: dict[str, str] = {}
    for name, value in arguments.items():
        if not isinstance(value, str) or not free_text(properties.get(name, {})):
            continue
        if name not in required and _names_where_the_user_is(name, properties[name], value):
            del grounded[name]
            changes[name] = f"{value} -> {DROPPED}"
            continue
        whole = whole_words(value, query)
        if whole.strip() and said(whole, query) and not _wrong_kind(name, properties[name], whole):
            if whole != value:
                grounded[name] = whole
                changes[name] = f"{value} -> {whole}"
            continue
        span, similarity = nearest_span(value, query) if value.strip() else ("", 0.0)
        if similarity >= MIN_SIMILARITY and not _wrong_kind(name, properties[name], span):
            grounded[name] = span
            changes[name] = f"{value} -> {span}"
        else:
            del grounded[name]
            changes[name] = f"{value} -> {NEEDS_INPUT if name in required else DROPPED}"
    if not changes:
        return arguments, {}
    try:
        validate_arguments(fn, {**grounded, **{name: arguments[name] for name in missing(changes)}})
    except OrchError:
        return arguments, {}
    return grounded, changes


def outside_values(text: str, arguments: dict[str, Any]) -> str:
    """Lower-case ``text`` with the call's string values blanked out, the longest first ("pizza 4
    less" before "pizza"): where a rule looks for a value the call does not carry."""
    for value in sorted((v for v in arguments.values() if isinstance(v, str) and v.strip()), key=len, reverse=True):
        text = text.replace(value.lower(), " ")
    return text


def folded(text: str) -> str:
    """Lower case, with the typographic apostrophe typed ("don\u2019t" reads as "don't")."""
    return text.lower().replace("\u2019", "'")


def request_outside_values(query: str, arguments: dict[str, Any] | None) -> str:
    """``query`` folded (``folded``) with the call's string values, folded alike, blanked out:
    the words a rule reads as the request's own rather than as a value it carries."""
    values = {name: folded(value) if isinstance(value, str) else value for name, value in (arguments or {}).items()}
    return outside_values(folded(query), values)


def missing(changes: dict[str, str]) -> list[str]:
    """The required parameters grounding found no value for in the request."""
    return [name for name, change in changes.items() if change.endswith(NEEDS_INPUT)]


def _names_where_the_user_is(name: str, schema: dict[str, Any], value: str) -> bool:
    """Whether ``value`` of a place parameter says only where the user is ("nearby", "around
    here"), which an optional place leaves to its default: "find a quiet coffee shop nearby" gave
    ``location="nearby"``."""
    return _about_a_place(name, schema) and _norm(value).strip(_EDGE) in WHERE_THE_USER_IS


def _about_a_place(name: str, schema: dict[str, Any]) -> bool:
    """Whether a parameter's name or description is about a place."""
    return bool(_PLACE.search(name) or _PLACE.search(schema.get("description", "") or ""))


def _wrong_kind(name: str, schema: dict[str, Any], value: str) -> bool:
    """A span that cannot be the parameter's: a time word given as a place ("tonight" as a
    weather ``location``), words with no digit given as an identifier ("new york" as an
    ``order_id``)."""
    if _about_a_place(name, schema) and _norm(value).strip(_EDGE) in TIME_WORDS:
        return True
    said_as_a_code = any(c.isdigit() for c in value) or DIGIT_WORDS & set(_norm(value).split())
    return bool(_IDENTIFIER.search(name)) and not said_as_a_code


def _norm(text: str) -> str:
    """Lower case, one space between words, no stops or commas: speech to text and typing drop the
    period of "Dr. Patel", and the span is still the value (an apostrophe is kept: "McDonalds" is
    a slip of "McDonald's", snapped to it)."""
    return " ".join(_PUNCTUATION.sub("", text.lower()).split())
