"""A statement asks for nothing: "i love hip hop" is no request to play it, "i called my mom
this morning" no request to call her, "it's cloudy today" none to look up the forecast, and
"google" alone calls the assistant, not an app.

The adapters learnt requests ("play some hip hop", "call mom", "I'd like a pizza") and read a
sentence that names an app's thing as one: "i like jazz you should know" played jazz, "i had
pizza for dinner last night" ordered a pizza from "last night", and "my brother texted me an
hour ago" texted him. These get no call where nothing after the opening asks for an
action (no verb of a request: "i love jazz, play some", "i called mom, call her again"):

- **A taste**: the request opens by saying what the speaker likes, loves, enjoys or hates ("i
  like", "we love", "ich mag", "me encanta", "我喜欢"), where the liking is of a thing (not "i
  like to listen to jazz", which asks to hear it). "I'd like", "I would love" and "I'd love" ask
  for something and are no statement.
- **The assistant's name alone** ("google", "hey siri", "olly", "um alexa"): it wakes the
  assistant and asks nothing yet; "google" opened the Google app.
- **A report of what happened** (English): the request opens with who did it ("i", "we", "she",
  "my brother") and a verb in the past tense ("called", "had", "went", "already set"). A past
  tense said to be polite asks ("i wanted to order a pizza", "i was wondering"), and so does
  "i got to" (I have to); a question after the report asks too ("i missed the news,
  what's trending").
- **A description of how things are** (English), to a function that looks something up: the
  request opens with "it", "this", the weather or the day and a verb of being ("it's cloudy
  today", "the weather was terrible yesterday", "it's a nice day for a walk") and neither asks
  after it nor tags a question on ("it's hot today, isn't it"). A look-up answers a question, and
  the weather adapter looked up the forecast for each. What will be ("it's going to rain
  tomorrow") may be asked without a question mark, and a setting may be asked for by saying how
  things are ("it's too loud"), so neither is such a statement.
- **"Called", or a message, and no word that asks to call** (English), to a function that
  calls: "called" names a thing ("alarm at 6 called yoga") or tells what someone did ("mom
  called", "who called me"), and the adapter called "yoga" and "mom". A request to tell, text,
  message, email or write someone asks for a message, not a call: "tell bob smith" called him.
  A request to call says "call", "ring", "phone" or "dial" ("call the restaurant called Nopa",
  "call mom and tell her i'm late").
- **A question about what was done** (English), to a function that does something (not a
  look-up): the request opens with a question word and "did" ("what did I order last time", "who
  did I call yesterday", "how much did I spend") or "have", "has" or "had" and who did it ("what
  have I set"), or with one of those and who did it ("did I set an alarm", "have you sent my
  email"), and asks for no action after the question ("..., order it again"). DoorDash's
  adapter answered "what did I order last time" with ``reorder_last``: the question placed the
  order it asked about. A look-up may answer such a question ("has my order left" is
  ``track_order``'s).
"""

from __future__ import annotations

import re

from orchestrator.corpus import function_name_words, looks_up, words_of
from orchestrator.data.siblings import MAKING_VERBS
from orchestrator.registry import Function

# A name of the assistant or a filler a request may open with ("olly", "hey google,").
_OPENER = r"^(?:(?:(?:hey|ok|okay)\s+\w+|olly|alexa|siri|google|so|um|uh|well|oh|yeah|honestly),?\s+)?"
# The opening: the speaker and a verb of taste not followed by "to" (an infinitive asks: "i like
# to listen to").
_TASTE = re.compile(
    _OPENER + r"(?:(?:(?:i|we)\s+(?:really\s+|just\s+|totally\s+|absolutely\s+)?"
    r"(?:liked?|loved?|enjoy(?:ed)?|adored?|hated?|disliked?)(?!\s+to\b)|ich\s+(?:mag|liebe|hasse)"
    r"|me\s+(?:gusta|encanta)n?)\b"
    r"|我(?:很|真)?(?:喜欢|喜歡|爱|愛|讨厌|討厭)(?![听聽看])|私は.{1,20}が(?:好き|嫌い)(?:です)?$)",
    re.IGNORECASE,
)
# The assistant's names and the fillers said with them, and nothing else.
_ONLY_WAKING = re.compile(
    r"(?:(?:hey|hi|ok|okay|google|siri|alexa|olly|assistant|um|uh|hmm|so|oh|yeah|alright|please)[\s,.!?]*)+"
)
# Past forms of doing that are no present form too ("set", "put" and "read" are: "i set" may
# ask, so they count only after an adverb such as "already" or "just"). "was" and "were" tell a state, which may
# be what a call records ("my food was 3 stars" rates the order). "got" is past before a
# participle or "back", "home", "up" ("i got invited"); before a thing it may say what one has
# ("i got a dentist appointment on friday").
_IRREGULAR_PAST = (
    r"had|went|got\s+(?:[a-z]+ed|back|home|up)|did|made|saw|heard|ate|drank|bought|took|came|left|forgot|told|sent|wrote|spoke"
    "|met|found|lost|gave|drove|rode|flew|slept|woke|paid|spent|brought|caught|won|began|said|sang|sold"
    "|taught|thought|felt|kept|fell|sat|broke|chose|ran|rang"
)
# Past tenses said to be polite, which ask for something: "i wanted to order", "i was wondering",
# "i was hoping", and "i got to" (I have to). "i needed to" tells what was needed ("i needed to
# finish my homework"); a request says "i need to".
_POLITE_PAST = (
    r"(?:wanted|wondered|hoped|decided|planned|used|liked|loved|would|could|should)\b"
    r"|(?:was|were)\s+(?:wondering|hoping|thinking|going|planning|looking|trying)\b|got\s+to\b"
)
# A verb of the regular past ("called", "texted", "tried"; not "need" or "speed").
_REGULAR_PAST = r"[a-z]{2,}[^e\W]ed"
_ADVERB = r"(?:already|just|recently|never|finally|also|really)\s+"
_REPORT = re.compile(
    _OPENER + r"(?:(?:yesterday|last night|earlier(?: today)?|this morning),?\s+)?"
    r"(?:i|we|he|she|they|my\s+[a-z]+)\s+"
    rf"(?!(?:{_ADVERB})?(?:{_POLITE_PAST}))"
    rf"(?:{_ADVERB}(?:set|put|read|{_REGULAR_PAST}|{_IRREGULAR_PAST})|{_REGULAR_PAST}|{_IRREGULAR_PAST})\b",
    re.IGNORECASE,
)
# Question words: a report goes on with "is" and "did" ("i called mom and she is fine"), a
# request with a question ("what's trending").
_WH_WORDS = {"what", "how", "when", "where", "which", "whether", "who", "why"}
# Words of a request after the opening: a verb that makes, undoes or asks for something, or a
# word that asks ("I changed my mind about the food, cancel it"). Not "text" or "email", which a
# report says as nouns ("she sent me a text").
_ASKING_WORDS = MAKING_VERBS | {
    "remind", "wake", "ring", "open", "search", "find", "show", "tell", "get", "give", "navigate", "cancel",
    "delete", "remove", "stop", "rate", "track", "put", "note", "mark", "remember", "let", "please", "can",
    "could", "would", "will", "again",
}  # fmt: skip


# How things are: "it", "this", the weather or the day and a verb of being ("today's" is no
# "today is": "today's local events"), not of what will be ("it's going to rain").
_DESCRIPTION = re.compile(
    _OPENER + r"(?:(?:it|this|that|the\s+(?:weather|sky|sun|air|wind|rain|snow|day|morning|night))"
    r"(?:'s|\s+(?:is|was|were|are|looks|looked|feels|felt|seems|seemed))"
    r"|(?:today|outside)\s+(?:is|was|looks|feels|seems))\b(?!\s+(?:going|gonna|about|supposed)\b)",
    re.IGNORECASE,
)
# A question tagged on: "isn't it", "is not it", "wasn't it", "right", "no".
_TAG_QUESTION = re.compile(
    r"\b(?:(?:is|was|are|were|does|did)(?:n't|\s+not)\s+(?:it|they|there)|is\s+it\s+not|right|no)\W*$", re.IGNORECASE
)
# Words that ask after a description: "it's cold, do i need a jacket", "it's hot, should i".
_ASKING_AFTER_A_DESCRIPTION = {"should", "do", "does", "need", "want", "if", "know", "wonder", "check"}


def asks_for_nothing(fn: Function, query: str) -> bool:
    """Whether ``query``, answered by ``fn``, is a statement or a question that asks for no action
    (every kind in the module docstring)."""
    return (
        only_wakes(query)
        or states_a_taste(query)
        or reports_the_past(query)
        or describes_instead_of_asking(fn, query)
        or calls_unasked(fn, query)
        or asks_about_the_past(fn, query)
    )


def states_a_taste(query: str) -> bool:
    """Whether ``query`` opens with a statement of what the speaker likes and asks for no action
    (module docstring)."""
    rest = _after_opening(_TASTE, query)
    return rest is not None and not words_of(rest) & MAKING_VERBS


def only_wakes(query: str) -> bool:
    """Whether ``query`` says nothing but the assistant's name and fillers (module docstring)."""
    return bool(_ONLY_WAKING.fullmatch(query.strip().lower()))


def reports_the_past(query: str) -> bool:
    """Whether ``query`` opens by telling what someone did (a verb in the past tense) and asks for
    no action after it (module docstring)."""
    rest = _after_opening(_REPORT, query)
    return rest is not None and "?" not in rest and not words_of(rest) & (_ASKING_WORDS | _WH_WORDS)


def describes_instead_of_asking(fn: Function, query: str) -> bool:
    """Whether ``fn`` looks something up and ``query`` only describes how things are (module
    docstring)."""
    if not looks_up(fn.name):
        return False
    rest = _after_opening(_DESCRIPTION, query)
    return (
        rest is not None
        and "?" not in rest
        and not _TAG_QUESTION.search(rest)
        and not words_of(rest) & (_ASKING_WORDS | _WH_WORDS | _ASKING_AFTER_A_DESCRIPTION)
    )


# A question about the past: a question word (up to two words after it: "how much money") and
# "did", or "have", "has" or "had" and who did it ("which restaurant has a patio" asks how things
# are); or "did", "have", "has" or "had" and who did it.
_DOER = r"(?:i|you|we|he|she|they|my\s+[a-z]+)"
_PAST_QUESTION = re.compile(
    _OPENER + r"(?:(?:what|which|who|whom|when|where|how)\s+(?:\w+\s+){0,2}?(?:did|(?:have|has|had)\s+" + _DOER + ")"
    r"|(?:did|have|has|had)\s+" + _DOER + r")\b",
    re.IGNORECASE,
)
# Where the question's own clause ends and a request may follow ("what did i order last time,
# order it again", "did i set an alarm? if not set one for 7"); its own verb is the question's.
_CLAUSE_BREAK = re.compile(r"[,;?!.]|\b(?:and|then|so|but|if)\b", re.IGNORECASE)


def asks_about_the_past(fn: Function, query: str) -> bool:
    """Whether ``fn`` does something (it looks nothing up) and ``query`` asks what was done and
    asks for no action after the question's clause (module docstring)."""
    if looks_up(fn.name):
        return False
    rest = _after_opening(_PAST_QUESTION, query)
    if rest is None:
        return False
    after = _CLAUSE_BREAK.split(rest, maxsplit=1)
    return len(after) == 1 or not words_of(after[1]) & _ASKING_WORDS


# "Called" or a verb of messaging, and the words that ask to call.
_CALLED_OR_MESSAGE = re.compile(r"\b(?:called|tell|text|message|e-?mail|write)\b", re.IGNORECASE)
_ASKS_TO_CALL = re.compile(r"\b(?:call|calls|calling|ring|phone|dial|facetime)\b", re.IGNORECASE)


def calls_unasked(fn: Function, query: str) -> bool:
    """Whether ``fn`` calls (a word of its name is "call") and ``query`` says "called" or a verb of
    messaging and no word that asks to call (module docstring)."""
    return (
        "call" in function_name_words(fn.name)
        and bool(_CALLED_OR_MESSAGE.search(query))
        and not _ASKS_TO_CALL.search(query)
    )


def _after_opening(opening: re.Pattern[str], query: str) -> str | None:
    """What ``query`` says after ``opening``, or None where it does not open so; matched and cut
    in the same text (stripped, a typographic apostrophe read as "'")."""
    text = query.strip().replace("\u2019", "'")
    match = opening.search(text)
    return text[match.end() :] if match else None
