"""Requests about an app's objects for operations it does not offer, and requests with its verbs on
objects it does not control: "no call" material derived from the schemas alone, so every app,
built in or added with ``orch add-app``, learns to refuse them.

A call there does something else than what was asked: "cancel my alarm" must not set an alarm,
"turn off the bedroom lights" must not switch off the phone's flashlight. Two kinds:

* **siblings**: for each function that makes or changes something (``set_alarm``,
  ``send_email``, ``make_reservation``), the object named by its name ("alarm", and the other
  names a built-in's phrasebook gives it: a calendar event is also a reminder) with the operations
  people ask for next: remove (cancel, delete, get rid of), look up (show, list, "do I have"),
  change (reschedule, edit) and undo. An operation is left out where some function of the app
  already does it to that object (DoorDash's ``cancel_order`` serves "cancel my order"), and
  switching off or changing is left out where a parameter is a setting's value (a boolean, a
  number or a choice: ``toggle_flashlight`` serves "turn it off", ``set_volume`` "change it"),
  and removing and undoing too where a value turns it off (a boolean, or a level that may be 0).
* **neighbours**: things people ask assistants to do to objects close to an app's (room lights and
  smart plugs next to a flashlight, tweets next to text messages, taxis next to navigation). A
  neighbour is left out where it shares a content word with the app's functions, so an app that
  controls lights keeps "turn on the kitchen lights" (and "dim the lamp": words for one kind of
  thing count as one, ``corpus.SAME_KIND``).
"""

from __future__ import annotations

import random
import re

from orchestrator.corpus import GENERIC_WORDS, content_words, words_of
from orchestrator.data import templates
from orchestrator.data.phrasebook import object_names
from orchestrator.registry import App, Function

# Verbs whose functions make or change something: the ones with sibling operations to refuse.
MAKING_VERBS = {
    "set", "create", "send", "make", "add", "order", "book", "schedule", "toggle", "turn", "start",
    "enable", "take", "play", "connect", "post", "write", "save", "reserve", "call",
}  # fmt: skip
# Words that name the app or service, not the object ("find_route_google_maps"), and the words
# that place it ("play_on_speaker" acts on a speaker).
NOT_OBJECTS = {"a", "an", "the", "my", "google", "maps", "app", "new", "on", "in", "at", "to", "from", "with", "via"}

# Operations, each with the verbs a function name would carry to offer it, and request templates
# ({obj}: the object, {objs}: its plural).
OPERATIONS: dict[str, tuple[set[str], list[str]]] = {
    "remove": (
        {"cancel", "delete", "remove", "clear", "dismiss", "unset"},
        [
            "(cancel|delete|remove|get rid of|clear) (my|the|that) {obj}",
            "(cancel|delete|remove|clear|get rid of) (all|all of) my {objs}",
            "(please |can you |)(cancel|delete|remove) (every|each) {obj}[ (I have|I set|I made)]",
            "I (don't|do not) (need|want) (the|my|that) {obj} anymore[,] (cancel|delete|remove) it",
            "(erase|wipe) (my|all my|the) {objs}",
            "(delete|cancel|remove) the {obj} (for|at|on) {time}",
            "(cancel|delete|remove|get rid of) [(the |my )]{time} {obj}",
            "(cancel|delete|remove) {obj} (for|at) {time}",
        ],
    ),
    "switch off": (
        {"stop", "disable", "end", "off", "toggle"},
        [
            "(turn off|switch off|stop|silence) (my|the|that) {obj}",
            "(stop|turn off) the {obj} (for|at) {time}",
        ],
    ),
    "look up": (
        {"get", "list", "show", "check", "find", "search", "read", "track", "view", "query", "lookup", "fetch"},
        [
            "(show|list|tell) me [all ]my {objs}",
            "(what|which) {objs} do I have[ (set|today|tomorrow|this week)]",
            "(do I have|have I got|is there) ({a}|any) {obj}[ (set|for tomorrow|today|this week)]",
            "(check|read|review|look at) my {objs}",
            "how many {objs} do I have",
            "(when|what time) is my[ next] {obj}",
            "(what's|what is) my (next|last|latest) {obj}",
            "(tell me|remind me) (about|of) my {objs}",
            "(is|are) (there|my) {objs} (set|on|scheduled)",
            "did I (set|make|get|schedule) ({a}|any) {obj}[ (for|at) {time}]",
            "(any|are there any|got any) new {objs}[ from {person}]",
            "[(my |the )]next {obj}[ please]",
            "(open|show me|find) (the|my) {obj} (named|called|for|from) {person}",
        ],
    ),
    "look up a setting": (
        {"get", "show", "check", "read", "query", "fetch"},
        [
            "(what's|what is) the {obj}[ (set to|at right now|now)]",
            "(check|tell me) the {obj}",
            "(is|are) the {obj} (on|off|up|down)",
            "how (high|low|strong) is the {obj}[ right now]",
        ],
    ),
    "change": (
        {"update", "edit", "change", "modify", "reschedule", "move", "rename", "snooze"},
        [
            "(reschedule|move|push back|postpone) my {obj}[ (to|until) {time}]",
            "(edit|rename|update|modify) (my|the|that) {obj}",
            "(change|move) (my|the) {obj} (from|at) {time} to {time2}",
            "snooze (my|the) {obj}",
        ],
    ),
    "undo": (
        {"undo", "unsend", "revert", "recall"},
        [
            "(undo|take back|revert) (that|the last|my last) {obj}",
            "(unsend|recall) the {obj} I just (sent|made)",
        ],
    ),
}
# Operations a setting's value already covers: a boolean or a number turns it off ("fan speed 0"),
# and a new value is the change.
COVERED_BY_A_VALUE = {"switch off", "change"}
# A switch (a boolean, or a level that may be 0) also covers removing and undoing: "cancel do not
# disturb" and "undo that defrost" turn it off.
COVERED_BY_A_SWITCH = COVERED_BY_A_VALUE | {"remove", "undo"}
# Operations a function that cancels or removes an object also does to it.
CANCEL_COVERS = {"switch off", "undo"}
# A setting is looked up as a value ("what's the volume"), an object as things one has.
LOOK_UPS = {True: "look up a setting", False: "look up"}

# Objects an assistant is asked about that sit next to the apps' own, with the verbs people use
# on them. Lights, plugs and appliances (a phone has a flashlight and a screen, a car has a fan
# and a radio), social posts (next to messages and emails), lists (next to reminders and notes),
# rides and tickets (next to navigation and reservations).
NEIGHBOURS = [
    "(turn|switch) (on|off) the (kitchen|bedroom|living room|bathroom|hallway|porch|office) (lights|lamp)",
    "(turn|switch) the (lights|lamp) (on|off) in the (kitchen|bedroom|living room|bathroom|hallway)",
    "(dim|brighten) the (lights|lamp)[ in the (kitchen|bedroom|living room|dining room)]",
    "(set|change) the (lights|lamp) (to|at) {n} percent",
    "(make|change) the (lights|bulbs) (blue|red|warm white|green|purple)",
    "(turn|switch) (on|off) the (smart plug|coffee maker|robot vacuum|ceiling fan|heater in the bedroom)",
    "(start|stop) the (robot vacuum|vacuum cleaner|dishwasher|washing machine)",
    "(turn|switch) (on|off) the (tv|television)[ in the (living room|bedroom)]",
    "(lock|unlock) the (front door|back door|garage)",
    "(open|close) the (garage door|blinds|curtains) in the house",
    "set the (house|home) thermostat to {n} degrees",
    "(tweet|post on twitter|post on facebook|share on instagram) [that ]{text}",
    "(tweet|post) (a complaint|my complaint) (to|about) (the airline|my internet provider|the bank)",
    "(post|write) a (status update|facebook post|tweet) (saying|about) {text}",
    "(post|share|put|upload) (this picture|my photo|the video|that) (on|to) (facebook|twitter|instagram)",
    "(send|write) a tweet to {person} (saying|that) {text}",
    "add (milk|eggs|bread|batteries) to my (shopping|grocery) list",
    "(create|make|start) a (new |)(to do|shopping|grocery) list",
    "(book|call|get) (me |)(a taxi|an uber|a cab|a lyft) to (the airport|the station|work)",
    "(get|book|order) (me |)(a taxi|an uber|a cab|a lyft) (for right now|to pick me up|for {time})",
    "(book|buy|get) {n} (train|movie|concert|plane) tickets[ (for tonight|to Boston|for Friday)]",
    "(add|put) (a task|an item) to my to do list",
    "(order|buy) (paper towels|a phone charger|dog food) (online|on amazon)",
]
# The things and rooms of a home that NEIGHBOURS' home devices are, in every language orch reads
# (nouns as ``said.tokens`` reads them: plurals folded, Chinese and Japanese by characters). A
# phone or a car setting asked of one ("turn off the fan in the bedroom", "lower the blinds") is
# asked of a device no built-in app controls.
HOME_THINGS = frozenset({
    "light", "lamp", "bulb", "plug", "socket", "dishwasher", "vacuum", "roomba", "tv", "television", "blind",
    "curtain", "thermostat", "garage", "ceiling", "kitchen", "bedroom", "bathroom", "hallway", "porch", "living",
    "lounge", "house", "licht", "lampe", "steckdose", "fernseher", "jalousie", "rollladen", "vorhang", "küche",
    "schlafzimmer", "wohnzimmer", "badezimmer", "luz", "luce", "lámpara", "televisión", "persiana", "cortina",
    "cocina", "dormitorio", "salón", "灯", "电视", "窗帘", "卧室", "客厅", "厨房", "浴室", "ライト", "電気", "テレビ",
    "カーテン", "寝室", "リビング", "台所", "キッチン",
})  # fmt: skip
NEIGHBOUR_TEXT = ["I'm running late", "the service was terrible", "happy friday everyone", "we won the game"]
TIMES = ["7 am", "six thirty", "noon", "tomorrow morning", "friday", "9 pm", "tonight"]
PEOPLE = ["mike", "the boss", "Sarah", "john smith", "mom", "Dr. Lee"]


def object_phrases(fn: Function) -> list[str]:
    """The object a function acts on, from its name: ``create_calendar_event`` -> "calendar
    event"; none when its first word is not a making verb."""
    words = [w for w in re.split(r"[_\W]+", fn.name.lower()) if w]
    if len(words) < 2 or words[0] not in MAKING_VERBS:
        return []
    noun = [w for w in words[1:] if w not in NOT_OBJECTS]
    return [" ".join(noun)] if noun else []


def _plural(phrase: str) -> str:
    return phrase + ("es" if phrase.endswith(("s", "sh", "ch", "x")) else "s")


def _offered(app: App, operation: str, fn: Function) -> bool:
    """Whether another function of the app does ``operation`` to something ``fn``'s name names
    (``cancel_order`` and ``order_food`` share "order"). Cancelling covers stopping and undoing:
    "stop the food I ordered" and "unsend my order" are what ``cancel_order`` is for."""
    verbs = OPERATIONS[operation][0]
    if operation in CANCEL_COVERS:
        verbs = verbs | OPERATIONS["remove"][0]
    nouns = _name_words(fn)
    others = [_name_words(other) for other in app.functions if other is not fn]
    return any(words & verbs and (words - verbs) & nouns for words in others)


def _name_words(fn: Function) -> set[str]:
    return words_of(fn.name.replace("_", " ")) - GENERIC_WORDS


def takes_a_setting(fn: Function) -> bool:
    """Whether the function sets a setting: every parameter is a value (a boolean, a number or a
    choice), none a free text that names a thing (an alarm's time, a reservation's restaurant)."""
    properties = fn.parameters.get("properties", {}).values()
    return bool(properties) and all(
        spec.get("type") in ("boolean", "integer", "number") or "enum" in spec for spec in properties
    )


def _takes_a_switch(fn: Function) -> bool:
    """Whether a value of the function turns its object off: a boolean, or a setting's number that
    may be 0 ("get rid of the seat heating" is level 0; a timer of 0 minutes is no timer)."""
    properties = fn.parameters.get("properties", {}).values()
    return any(spec.get("type") == "boolean" for spec in properties) or (
        takes_a_setting(fn)
        and any(spec.get("type") in ("integer", "number") and spec.get("minimum") == 0 for spec in properties)
    )


def sibling_templates(app: App) -> list[tuple[str, str]]:
    """(template, object) pairs of the operations the app lacks on its own objects."""
    found = []
    named = object_names(app)
    for fn in app.functions:
        names = object_phrases(fn)
        other_names = named.get(fn.name, []) if names else []
        lacked = [OPERATIONS[operation][1] for operation in lacked_operations(app, fn)] if names else []
        found += [(line, phrase) for phrase in [*names, *other_names] for lines in lacked for line in lines]
    return found


def lacked_operations(app: App, fn: Function) -> list[str]:
    """The operations (``OPERATIONS``' names) the app lacks on the object ``fn`` makes or sets:
    none that another function does to it, or that a value of ``fn`` already does ("fan speed 0"
    switches the fan off), and only the look-up that fits it (a setting is looked up as a value).
    None where ``fn`` makes nothing (``object_phrases``)."""
    if not object_phrases(fn):
        return []
    setting = takes_a_setting(fn)
    covered = COVERED_BY_A_SWITCH if _takes_a_switch(fn) else COVERED_BY_A_VALUE if setting else set()
    return [
        operation
        for operation in OPERATIONS
        if not (_offered(app, operation, fn) or operation in covered)
        and not (operation in LOOK_UPS.values() and operation != LOOK_UPS[setting])
    ]


def _fill(template: str, phrase: str, rng: random.Random) -> str:
    def fill(slot: str) -> str:
        if slot == "obj":
            return phrase
        if slot == "objs":
            return _plural(phrase)
        if slot == "a":
            return "an" if phrase[:1] in "aeiou" else "a"
        if slot in ("time", "time2"):
            return rng.choice(TIMES)
        if slot == "n":
            return str(rng.choice([2, 3, 20, 40, 50, 70, 72]))
        if slot == "text":
            return rng.choice(NEIGHBOUR_TEXT)
        if slot == "person":
            return rng.choice(PEOPLE)
        raise KeyError(f"unknown slot {slot!r}")

    return " ".join(templates.render(templates.parse(template), rng, fill).split())


def sibling_requests(app: App, count: int, seed: int = 0) -> list[str]:
    """Up to ``count`` distinct requests for operations the app lacks on its own objects."""
    pairs = sibling_templates(app)
    return templates.distinct(lambda rng: _fill(*rng.choice(pairs), rng), count, seed, tries=5) if pairs else []


def neighbour_requests(apps: list[App], count: int, seed: int = 0) -> list[str]:
    """Up to ``count`` distinct requests about objects next to the apps' own, none of which shares a
    content word with ``apps``' functions (those may be exactly what one of them does)."""
    words = content_words(apps)

    def draw(rng: random.Random) -> str:
        return _fill(rng.choice(NEIGHBOURS), "", rng)

    return [text for text in templates.distinct(draw, count, seed, tries=5) if not words & words_of(text)]
