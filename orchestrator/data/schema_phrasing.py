"""Request templates for an app without a phrasebook (one added from a tools file), from its
function schemas alone: the name, the description's first clause and the parameters.

Two styles. **Schema-shaped** names each parameter ("turn the lights in a room on or off with room
kitchen with on enabled"): two values can always be told apart, but nobody talks like that, and
an adapter and a router that learnt only it met "turn on the kitchen lights" as something new
(``docs/accuracy.md``). **Spoken** (``spoken_template``, ``SPOKEN_SHARE`` of the requests where
the schema allows) reads the schema the way people say a request:

* the object is the function name's words after its verb (``lock_door`` -> "the door"), and a
  choice named like it goes before it ("the back door"); a choice of place goes before it too
  ("the kitchen lights") or after "in the" ("the lights in the kitchen"); free text named like it
  takes its place ("play jazz on Bose headphones");
* a switch (a boolean whose description says "True to lock, false to unlock" or "True to turn
  on", or one named ``on`` or ``enabled``) is the verb: "unlock the door", "turn off the lights";
  otherwise the function name's verb is ("start the vacuum");
* a number with a unit in its name or description is an amount of it: "for 30 minutes", "to 40
  percent", "to 22 degrees".

Every other parameter keeps its schema-shaped fragment (``param_phrase``), which names it.
A function whose name gives no object gets no spoken phrasing.
"""

from __future__ import annotations

import random
import re
from typing import Any

from orchestrator.calls import free_text
from orchestrator.data.siblings import NOT_OBJECTS
from orchestrator.data.values import kind_for
from orchestrator.registry import Function
from orchestrator.switches import switch_verbs

# ----- schema-shaped ----------------------------------------------------------------------------
LEADS = ["", "", "", "please ", "can you ", "I want to ", "I'd like to ", "could you ", "hey, ", "go ahead and "]
ENDINGS = [" please", " now", " for me"]
# Of the requests, the share phrased as people say them where the schema allows; the rest name
# each parameter.
SPOKEN_SHARE = 0.5


def name_words(name: str) -> str:
    """A function's or parameter's name as words ("play_on_speaker" -> "play on speaker")."""
    return re.sub(r"[_\-]+", " ", name).strip().lower()


def schema_text(fn: Function) -> list[str]:
    """What ``fn``'s schema says in words: its name, its description, and each parameter's name,
    description and choices. What an app phrased from its schemas alone says around its values."""
    text = [name_words(fn.name), fn.description]
    for name, spec in fn.parameters.get("properties", {}).items():
        text += [name_words(name), str(spec.get("description", "")), *map(str, spec.get("enum", []))]
    return text


def verb_phrases(fn: Function) -> list[str]:
    """Ways to name the action: from the function name and from its description's first clause,
    unless that clause names both values of a switch ("Turn the lights on or off", "Lock or unlock
    a door"): said before the switch's own value it contradicts it ("turn the lights on or off
    with on enabled" was learnt as off)."""
    phrases = [name_words(fn.name)]
    desc = re.split(r"[.;:\n]", fn.description.strip())[0].strip()
    props = fn.parameters.get("properties", {}).values()
    both_ways = re.search(r"\bor\b", desc, re.IGNORECASE) and any(spec.get("type") == "boolean" for spec in props)
    if desc and not both_ways:
        phrases.append(desc[0].lower() + desc[1:])
    return [p.replace("(", "").replace(")", "").replace("|", " ") for p in phrases if p]


# The words that introduce a value of these kinds, which tell it apart without its parameter's name.
KIND_LEADS = {
    "place": "( in| near| for| at)",
    "destination": "( to| towards)",
    "person": "( for| to| with)",
    "time": "( at| for)",
    "date": "( on| for)",
    "email": "( to| for)",
}


def param_phrase(param: str, schema: dict[str, Any]) -> str:
    """A template fragment that mentions parameter ``param`` the way people tend to.

    Every fragment names its parameter or a telling preposition, so that two values in one
    request can always be told apart (only ``auto_template`` puts one value bare after the verb).
    """
    words = name_words(param)
    kind = schema.get("type")
    if "enum" in schema or kind == "boolean":
        return f"( {{{param}}} {words}| {words} {{{param}}}| with {words} {{{param}}}| {words}: {{{param}}})"
    if kind in ("integer", "number"):
        return f"( {words} {{{param}}}| with {words} {{{param}}}| {words} to {{{param}}}| {words} of {{{param}}})"
    lead = KIND_LEADS.get(kind_for(param, schema), f"( with {words}| {words}| {words}:)")
    return f"{lead} {{{param}}}"


def auto_template(fn: Function, rng: random.Random) -> str | dict[str, Any]:
    """One random phrasing template for a function: spoken (``spoken_template``, as an entry
    with its switch's surface forms) ``SPOKEN_SHARE`` of the time where the schema allows, else
    schema-shaped."""
    props = fn.parameters.get("properties", {})
    required = [p for p in props if p in fn.parameters.get("required", [])]
    chosen = [p for p in props if p in required or rng.random() < 0.5]
    if rng.random() < 0.15:
        # Mostly schema order, the order the JSON answer lists them in: with ~20 examples per
        # function, a model learns that mapping reliably; crossings stay a minority.
        rng.shuffle(chosen)
    if rng.random() < SPOKEN_SHARE and (spoken := spoken_template(fn, chosen, place_first=rng.random() < 0.5)):
        text, surface = spoken
        return {"t": rng.choice(LEADS) + text + rng.choice(["", "", "", *ENDINGS]), "surface": surface}
    strings = [p for p in chosen if props[p].get("type") == "string" and "enum" not in props[p]]
    verb = rng.choice(verb_phrases(fn))
    # A verb that ends in a parameter's name ("play on speaker") makes "play on speaker jazz"
    # ambiguous: such parameters are named with "with", and no value follows the verb bare.
    named_in_verb = {p for p in props if re.search(rf"\b{re.escape(name_words(p))}\b", verb.lower())}
    text = rng.choice(LEADS) + verb
    for param in chosen:
        if strings and param == strings[0] and not named_in_verb and rng.random() < 0.5:
            text += f" {{{param}}}"
        elif param in named_in_verb:
            text += f" with {name_words(param)} {{{param}}}"
        else:
            text += param_phrase(param, props[param])
    if rng.random() < 0.2:
        text += rng.choice([*ENDINGS, "!"])
    return text


# ----- spoken -----------------------------------------------------------------------------------
# Choices that name where: they go before the object or after "in the".
PLACES = {"room", "location", "place", "zone", "area", "floor"}
# Units a number's name or description gives, and how a request says an amount of each.
UNITS = {
    "percent": "( to| at) {{{p}}} percent",
    "degrees": "( to| at) {{{p}}} degrees",
    "minutes": " for {{{p}}} minutes",
    "seconds": " for {{{p}}} seconds",
    "hours": " for {{{p}}} hours",
}


def object_noun(fn: Function) -> str:
    """What the function acts on, from its name: the words after its verb (``set_lights`` ->
    "lights", ``play_on_speaker`` -> "speaker"); "" for a one-word name."""
    return " ".join(w for w in name_words(fn.name).split()[1:] if w not in NOT_OBJECTS)


def unit_of(param: str, schema: dict[str, Any]) -> str | None:
    """The unit a number's name or description gives (``minutes``; "Brightness percent.")."""
    if schema.get("type") not in ("integer", "number") or "enum" in schema:
        return None
    said = f"{param} {schema.get('description', '')}".lower()
    return next((unit for unit in UNITS if re.search(rf"\b{unit.rstrip('s')}s?\b", said)), None)


def spoken_template(fn: Function, chosen: list[str], place_first: bool) -> tuple[str, dict[str, Any]] | None:
    """A template for ``fn`` that says the ``chosen`` parameters as people do, and the surface
    forms of its switch (value -> verbs), or None when the name gives no object. ``place_first``:
    a choice of place goes before the object ("the kitchen lights"), else after it."""
    noun = object_noun(fn)
    if not noun:
        return None
    props = fn.parameters.get("properties", {})
    switches = {p: verbs for p in chosen if (verbs := switch_verbs(p, props[p]))}
    switch = next(iter(switches), None)
    # A choice named like the object, or a place, goes before it: "the back door", "the kitchen lights".
    before = [p for p in chosen if "enum" in props[p] and (_same(p, noun) or (place_first and p in PLACES))]
    # Free text named like the object names it: "on the speaker" -> "on Bose headphones".
    naming = [p for p in chosen if free_text(props[p]) and _same(p, noun)][:1]
    words = name_words(fn.name).split()
    verb = f"{{{switch}}}" if switch else words[0]
    the_object = f"{{{naming[0]}}}" if naming else f"the {''.join(f'{{{p}}} ' for p in before[:1])}{noun}"
    # "play_on_speaker": what is played comes between the verb and the place ("play jazz on the speaker").
    place = next((w for w in words[1:2] if w in NOT_OBJECTS), None)
    said = [p for p in chosen if _said_bare(p, props[p], noun)][:1] if place else []
    text = f"{verb} {''.join(f'{{{p}}} ' for p in said)}{place + ' ' if place else ''}{the_object}"
    for param in chosen:
        schema = props[param]
        if param == switch or param in before[:1] or param in said or param in naming:
            continue
        if "enum" in schema and param in PLACES:
            text += f" in the {{{param}}}"
        elif unit := unit_of(param, schema):
            text += UNITS[unit].format(p=param)
        elif re.search(rf"\b{re.escape(name_words(param))}\b", text.split("{")[0] + noun):
            text += f" with {name_words(param)} {{{param}}}"
        else:
            text += param_phrase(param, schema)
    surface = {switch: {True: [switches[switch][0]], False: [switches[switch][1]]}} if switch else {}
    return text, surface


def _said_bare(param: str, schema: dict[str, Any], noun: str) -> bool:
    """Whether a value may stand bare after the verb: free text of no kind with its own
    preposition, not named like the object."""
    return free_text(schema) and kind_for(param, schema) not in KIND_LEADS and not _same(param, noun)


def _same(param: str, noun: str) -> bool:
    return param.lower().rstrip("s") == noun.split()[-1].rstrip("s")
