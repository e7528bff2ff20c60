"""Requests for an operation the app lacks on a function's object, said with a verb of one
meaning: "cancel my alarm", "Lösche meine Erinnerung Dad zu texten" (delete my reminder),
"午前6時のアラームを停止" (stop the 6 am alarm). The generator teaches the adapters such requests as
no call (``data/siblings.py``), and in English they refuse most; in other languages and in
phrasings they never saw, the adapter answers the function whose object it hears, and the call
does what the user asked to undo (``set_alarm(time="午前6時のアラーム")``, a text to Dad). So it
becomes no call.

Four of the operations have such verbs: removing (cancel, delete, "get rid of", "I don't need",
löschen, 删除, 削除), switching off (stop, turn off, silence, ausschalten, 关掉, 停止), looking up ("show
me", "what are my", "is there any", zeig mir, 显示, 見せて: "アラーム を 見せ て" came back as ``set_alarm``
needing a time) and moving in time (reschedule, postpone, "push my 9 am meeting back an hour",
verschieben, 推迟, 延期: that one created a meeting titled "9 am meeting"; "change the song to ..." asks
to play one, so "change" is no cue). The rule holds for a function where the generator makes that
operation a sibling (``siblings.lacked_operations``): the function makes or sets something, no value
of it does the operation, and no other function of the app does it to the same object (DoorDash's
``cancel_order`` serves "cancel my order", a flashlight's ``on=false`` "turn the flashlight off").
Not where the verb sits inside a value the call carries ("text mom stop calling"), nor where the
request also says a verb that makes something ("cancel my 7 am alarm and set one for 8": a second
request).

The other way round, a function that looks something up is no answer to a request to make or
publish it: "upload my video to youtube" came back as ``search_youtube_videos(query="upload my
video")``, "write a review for Tartine saying it was great" as ``get_business_reviews``. A look-up
(its name's verb: get, search, find, ...) gets no call where the request says a verb of making or
publishing (upload, post, write, broadcast, leave, share, ...) with the function's object within
the next few words, outside the call's values, and no function of the app makes that object (an
app with ``post_review`` serves "write a review").

Nor is a look-up an answer to a request to be told later, or again and again: "turn on alerts for
breaking news", "notify me of the latest news on the stock market", "my facebook update in every
three hour should be available" came back as ``get_trending_news``, which reads the headlines once,
now. A look-up gets no call where the request, outside the call's values, asks to be notified or
alerted ("notify me", "alert me", "alerts for", "turn on notifications", "keep me posted",
benachrichtige mich, avísame cuando, 通知我, 知らせて) or for something every so often ("every thirty
minutes", "every morning", "whenever", "jeden Morgen", "cada hora", "每天早上", "毎朝"; not "every
day", which asks for each day's forecast as often as for a daily one). No look-up the adapters
learnt says either; a reminder or a timer that alerts ("alert me in 10 minutes") is no look-up.

Nor is a function that sends something to someone (its name's verb: send, forward, text, email,
message) an answer to a request that opens by asking to be sent something: "send me a reminder to
pick up my dog from the groomer at one pm" came back as a text to "the groomer". The user is the
receiver ("send me", "text me", "email me", schick mir, envíame, 发给我, 私に送); the call would
message someone else. No message the adapters learnt opens so.
"""

from __future__ import annotations

import re
from typing import Any

from orchestrator.corpus import GENERIC_WORDS, fold_plural, function_name_words, looks_up, words_of
from orchestrator.data.siblings import MAKING_VERBS, lacked_operations
from orchestrator.registry import App, Function
from orchestrator.request.grounding import folded, request_outside_values

# Looking up: "show me", "list my", "what are my", "do I have any", "is there an", "what's on my",
# "when is my", "tell me" or "let me know" ("let me know the time of my alarm"; not "let me know
# when it's 7", "tell me at 5 to leave" or "let me know of the meeting on tuesday", which ask to
# be told later: an alarm or a reminder), which song or who sings it, a question answered yes
# or no ("is bluetooth connected") or opened with "any" ("any alarms for tomorrow"), zeig mir,
# muéstrame, 显示, 見せて.
_LOOK_UP = re.compile(
    r"\b(?:show me|list (?:my|all|the)|what are my|do i have (?:any|an?)|is there (?:any|an?)|are there any"
    r"|what(?:'s| is) on my|when is my|what time is my"
    r"|tell me(?!\s+(?:when|at|in|on|to|after|before|once)\b)"
    r"|let me know(?!\s+(?:when|at|in|on|to|after|before|once|of|about|if|whether)\b)"
    r"|what (?:song|music|track|tune|album|band|artist)|who (?:sings|sang|is singing|performs|wrote))\b"
    r"|^(?:(?:hey|ok) \w+,? |olly |alexa,? )?(?:is|are|any|anything)\b"
    r"|\bzeig(?:e|en sie)? mir\b"
    r"|\b(?:muéstrame|enséñame)\b|显示|列出|查看|見せ|表示して"
)
# The verbs of each operation, whole words where words are spaced. An object is looked up as
# things one has, a setting as its value (``siblings.LOOK_UPS``): the same verbs.
_CUES = {
    "remove": re.compile(
        r"\b(?:cancel|delete|remove|get rid of|dismiss|erase|wipe|(?:don't|do not|no longer) (?:need|want))\b"
        r"|\b(?:lösch|entfern|stornier)\w*"
        r"|\b(?:borra|borrar|elimina|eliminar|cancela|cancelar)\b|删除|删掉|取消|削除|キャンセル|取り消"
    ),
    "switch off": re.compile(
        r"\b(?:stop|turn off|switch off|shut off|silence)\b|\b(?:ausschalten|ausmachen|stopp\w*)\b"
        r"|\b(?:apaga|apagar|detén|deten|detener)\b|关掉|关闭|停止|止め|消して|オフに"
    ),
    "look up": _LOOK_UP,
    "look up a setting": _LOOK_UP,
    "change": re.compile(
        r"\b(?:reschedule|postpone|snooze|push\s+(?:\S+\s+){0,4}?(?:back|forward)|bring\s+(?:\S+\s+){0,4}?forward"
        r"|move\s+(?:my|the|our)\s+(?:\S+\s+){0,4}?to)\b|\bverschieb\w*|推迟|延后|改到|延期"
    ),
}


# Asking to be told later or again and again, which no look-up does: notified or alerted, kept
# posted, or every so often (module docstring).
_TOLD_LATER = re.compile(
    r"\b(?:notify|alert|ping) me\b|\b(?:alerts?|notifications?|push notifications?) (?:for|about|on|when|if|of)\b"
    r"|\b(?:turn on|switch on|enable|set up|get) (?:\w+ )?(?:alerts|notifications)\b"
    r"|\bkeep me (?:posted|updated|informed)\b|\bsubscribe\b|\bwhenever\b"
    r"|\bevery (?:(?:\w+ ){1,2})?(?:minutes?|hours?)\b|\bevery (?:morning|evening|night)\b"
    r"|\bbenachrichtige\b|\bjeden (?:morgen|abend)\b|\bjede stunde\b|\bavísame cuando\b|\bcada (?:hora|mañana|noche)\b"
    r"|通知我|提醒我|每小时|每隔|每天早上|每天晚上|知らせて|通知して|毎朝|毎晩|毎時"
)
# Asking to be sent something, opening the request: the user is the one who receives
# (module docstring).
_SENT_TO_ME = re.compile(
    r"\b(?:send|text|message|e-?mail|mail|forward|shoot) me\b|\b(?:schick|sende) mir\b|\b(?:envíame|mándame)\b"
    r"|发给我|给我发|私に送"
)
# The verbs of a function that sends something to someone (``send_email``, ``send_text_message``).
_SENDING_VERBS = {"send", "forward", "text", "email", "message"}
# Verbs that make or publish what a look-up finds, and how many words may come between one and
# the thing ("upload my holiday video").
_PUBLISHING = re.compile(r"\b(?:upload|post|write|publish|broadcast|leave|submit|share|record|film|compose|add)\b")
_PUBLISHED_WITHIN = 3
# What a request may say before its verb: a name of the assistant, "please", "can you", "I want to".
_POLITE_OPENING = re.compile(
    r"\b(?:hey|ok|okay|olly|alexa|siri|google|please|can|could|would|will|you|i|want|wanna|to|like|d|help|me|let)\b|[,']"
)


def asks_another_operation(app: App, fn: Function, query: str, arguments: dict[str, Any] | None = None) -> bool:
    """Whether ``query`` asks to remove, switch off or look up what ``fn`` makes, an operation its
    app lacks, outside the values the call carries and with no verb that makes something; or
    asks to make or publish what ``fn`` looks up, or to be told it later or again and again; or
    asks to be sent what ``fn`` sends to someone (module docstring)."""
    cues = [_CUES[operation] for operation in lacked_operations(app, fn) if operation in _CUES]
    said = folded(query)
    text = request_outside_values(query, arguments)
    if _publishes_what_it_looks_up(app, fn, text, said) or (looks_up(fn.name) and _TOLD_LATER.search(text)):
        return True
    if _asks_to_receive(fn, said):
        return True
    if not any(cue.search(text) for cue in cues):
        return False
    rest = text
    for cue in _CUES.values():
        rest = cue.sub(" ", rest)
    return not words_of(rest) & MAKING_VERBS


def _asks_to_receive(fn: Function, said: str) -> bool:
    """Whether ``fn`` sends something to someone and ``said`` (the whole request) opens by asking
    to be sent something ("send me a reminder to ...", "text me the address")."""
    words = function_name_words(fn.name)
    return bool(words) and words[0] in _SENDING_VERBS and _opening(_SENT_TO_ME, said) is not None


def _opening(pattern: re.Pattern[str], said: str) -> re.Match[str] | None:
    """The first match of ``pattern`` in ``said`` where only politeness comes before it (an
    assistant's name, "please", "can you", "I want to"): what the request opens by asking."""
    match = pattern.search(said)
    return match if match and not _POLITE_OPENING.sub("", said[: match.start()]).strip() else None


def _publishes_what_it_looks_up(app: App, fn: Function, text: str, said: str) -> bool:
    """Whether ``fn`` looks something up, the request says a verb of publishing with its object in
    the next few words, and no function of the app makes that object: anywhere in ``text`` (the
    request outside the call's values), or opening ``said`` (the whole request), since the model
    may copy the whole request into a search's query ("upload my video" for "upload my video to
    youtube"), where "how to upload videos" asks."""
    if not looks_up(fn.name):
        return False
    made = {
        fold_plural(word)
        for other in app.functions
        if not looks_up(other.name)
        for word in function_name_words(other.name)[1:]
    }
    objects = {fold_plural(word) for word in function_name_words(fn.name)[1:]} - GENERIC_WORDS - made
    published = [(match, text) for match in _PUBLISHING.finditer(text)]
    opening = _opening(_PUBLISHING, said)
    if opening:
        published.append((opening, said))
    for match, where in published:
        following = re.findall(r"[a-z]+", where[match.end() :])[: _PUBLISHED_WITHIN + 1]
        if {fold_plural(word) for word in following} & objects:
            return True
    return False
