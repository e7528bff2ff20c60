"""An optional choice the request does not say is left to the schema: "roll down the window" opens
every window (``window`` defaults to ``all``), not the driver's; one it does say is made, even where
the adapter left it out: "take a selfie in 4k" uses the front camera.

The grammar makes the adapter write a valid choice, not one the user made: it wrote
``window="front_left"`` for "roll down the windows" and could as well add a price filter nobody
asked for. So an optional parameter with an ``enum`` keeps a value other than its default only
where the request says a word of that value: of its name ("front_left": front, left), or of the
ways the app's phrasebooks say it in any language (``surface``: "driver's", "左前"), slips
included. Otherwise the value is dropped (``grounding.DROPPED``) and the default applies, or the
filter is absent. A required choice is the adapter's to make: the request asked for the action.

The other way round, the adapter leaves out choices the request makes (``camera`` for "take a
selfie", ``sort_by`` for "top rated sushi"): a template that says a value without setting it
teaches it to, and a small model drops optional values anyway. So an optional choice the adapter
did not write is set where the request's words, outside the call's other values, say exactly one
value of it other than its default (``said_choices``). The words are matched as written (no slips:
a guessed word must not add a value), and a word of another value ("Spanish politics" as the
news ``query``) says no choice. And a choice the adapter wrote against the request's words
("passenger seat heating on medium" came back with ``seat="driver"``, the default it learnt most)
is the one the request says, where it says exactly one value and no word of the written one, as
written: "Öffne das Fenster auf der Fahrerseite" (the driver's side) came back as the
passenger's, and "Fahrerseite" reads as a slip of its "Beifahrerseite".
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from orchestrator.data.phrasebook import function_specs, spec_texts, template_text
from orchestrator.registry import App, Function
from orchestrator.request.grounding import DROPPED, NOT_WRITTEN, UNSPACED_CHARACTER, outside_values
from orchestrator.request.said import names_one_of, tokens

# A value's name shorter than this is a code ("de", "es"), not a word a request says.
MIN_NAME_LETTERS = 3
# Surfaces that alone mostly say something else: "back" ("turn the defrost back on"), "all", "my".
_NOT_A_CHOICE_ALONE = frozenset({"back", "all", "all the", "every", "my", "mi"})
# (app, function, parameter, value): what finds the value said in a request (``_saying``).
_SAYING: dict[tuple[str, str, str, str], re.Pattern[str]] = {}

# (app, function, parameter): the words that say each of its values. The phrasebooks ship with the package.
_CHOICE_WORDS: dict[tuple[str, str, str], dict[str, frozenset[str]]] = {}
# (app, function): the words the app's other functions' templates say (``_other_functions_words``).
_OTHER_WORDS: dict[tuple[str, str], frozenset[str]] = {}


def unsaid_choices(app: App, fn: Function, arguments: dict[str, Any], query: str) -> tuple[dict[str, Any], dict]:
    """``arguments`` without the optional choices ``query`` does not say, and what was dropped
    (``grounding.ground``'s form)."""
    properties = fn.parameters.get("properties", {})
    required = set(fn.parameters.get("required", []))
    dropped = {
        name: DROPPED
        for name, value in arguments.items()
        if name not in required
        and "enum" in properties.get(name, {})
        and value != properties[name].get("default")
        and not names_one_of(choice_words(app, fn, name, value), query)
    }
    return {name: value for name, value in arguments.items() if name not in dropped}, dropped


def said_choices(app: App, fn: Function, arguments: dict[str, Any], query: str) -> tuple[dict[str, Any], dict]:
    """``arguments`` with each optional choice the adapter left out that ``query`` says by exactly
    one value other than its default, and each choice the adapter wrote that ``query`` does not
    say, by any of its words as written (``choice_words``), where it says exactly one other value
    ("passenger seat heating on medium" came back with the driver's seat); and what was set
    (``ground``'s form: ``"(not written) -> value"``, ``"driver -> passenger"``). A value is said
    by its name or one of its phrasebook surfaces, whole (``_saying``), outside the call's other
    values."""
    properties = fn.parameters.get("properties", {})
    required = set(fn.parameters.get("required", []))
    rest = outside_values(query.lower(), arguments)
    changed: dict[str, tuple[Any, Any]] = {}
    for name, schema in properties.items():
        if "enum" not in schema or (name not in arguments and name in required):
            continue
        named = [value for value in schema["enum"] if _saying(app, fn, name, value).search(rest)]
        if len(named) != 1:
            continue
        if name not in arguments and named[0] != schema.get("default"):
            changed[name] = (NOT_WRITTEN, named[0])
        elif (
            name in arguments
            and arguments[name] != named[0]
            and not choice_words(app, fn, name, arguments[name]) & tokens(query)
        ):
            changed[name] = (arguments[name], named[0])
    return {**arguments, **{name: new for name, (_, new) in changed.items()}}, {
        name: f"{old} -> {new}" for name, (old, new) in changed.items()
    }


def surface_forms(app: App, fn: Function, param: str, value: Any) -> list[str]:
    """The ways to say ``value`` of ``fn``'s ``param``: its phrasebook surfaces in every language
    ("driver's", "左前") and its name where that is a word ("front_left": "front left"; a code or
    a number such as "de" or "2" says something else in a request: "dime los titulares de hoy")."""
    name = str(value).replace("_", " ")
    said = [name] if len(name) >= MIN_NAME_LETTERS and re.search(r"[^\W\d_]", name) else []
    for spec in function_specs(app, fn.name):
        for entry in [spec, *(e for e in spec.get("templates") or [] if isinstance(e, dict))]:
            forms = (entry.get("surface") or {}).get(param) or {}
            said += [str(form) for key, options in forms.items() if str(key) == str(value) for form in options]
    return list(dict.fromkeys(form.lower() for form in said if form.strip()))


def _saying(app: App, fn: Function, param: str, value: Any) -> re.Pattern[str]:
    """What finds ``value`` of ``fn``'s ``param`` said whole in a lower-case request: one of its
    ``surface_forms`` as words where it is written in words, as characters in an unspaced script.
    A form that mostly says something else alone (a particle, a determiner, one character of an
    unspaced script: "turn the defrost back on", 后 of 然后) says no choice."""
    key = (app.name, fn.name, param, str(value))
    if key not in _SAYING:
        forms = [f for f in surface_forms(app, fn, param, value) if f not in _NOT_A_CHOICE_ALONE]
        unspaced = [re.escape(f) for f in forms if UNSPACED_CHARACTER.search(f) and len(f) > 1]
        spaced = [re.escape(f) for f in forms if not UNSPACED_CHARACTER.search(f)]
        patterns = [*unspaced, *([rf"(?<!\w)(?:{'|'.join(spaced)})(?!\w)"] if spaced else [])]
        _SAYING[key] = re.compile("|".join(patterns) if patterns else r"(?!)")
    return _SAYING[key]


def choice_words(app: App, fn: Function, param: str, value: Any) -> frozenset[str]:
    """The words that say ``value`` of ``fn``'s ``param``, less those that say half its values or
    more ("by" of "by bike" says most modes; "rear" of "rear left" is kept)."""
    key = (app.name, fn.name, param)
    if key not in _CHOICE_WORDS:
        values = fn.parameters["properties"][param]["enum"]
        words = {str(each): _value_words(app, fn, param, each) for each in values}
        said = Counter(word for each in words.values() for word in each)
        _CHOICE_WORDS[key] = {
            each: frozenset(word for word in own if said[word] <= len(values) / 2) or own for each, own in words.items()
        }
    return _CHOICE_WORDS[key][str(value)]


def _value_words(app: App, fn: Function, param: str, value: Any) -> frozenset[str]:
    """The words that say ``value``: its name's, its phrasebook surfaces' in every language, and
    the words only the templates that fix it say ("cycle to {destination}" fixes
    ``mode="bicycling"``). A word of a surface ("on foot", "mit der Bahn") or of those templates
    says the value only where the app's other functions' templates do not say it too (a surface
    made only of such words, "my side", keeps them all): "take the bus to {destination}" and "walk
    me to {destination}" fix a mode, but "take", "me", "on" and "der" frame every request ("take a
    photo", "call me", "turn on"), and a slip of one kept a mode nobody said ("route to denver from
    salt lake city": "lake" of "take", transit)."""
    fixing: set[str] = set()
    others: set[str] = set()
    for spec in function_specs(app, fn.name):
        for entry in spec.get("templates") or []:
            fixes = isinstance(entry, dict) and str((entry.get("args") or {}).get(param)) == str(value)
            (fixing if fixes else others).update(tokens(template_text(entry)))
    framing = _other_functions_words(app, fn.name)
    # The name however short: a value the request may say ("price 2") is not dropped.
    words = tokens(str(value).replace("_", " ")) | (fixing - others - framing)
    for form in surface_forms(app, fn, param, value):
        # A surface made only of such words ("my side") says the value by all of them.
        words |= (tokens(form) - framing) or tokens(form)
    return frozenset(words)


def _other_functions_words(app: App, function: str) -> frozenset[str]:
    """The words the templates of ``app``'s functions other than ``function`` say outside their
    slots, in every language."""
    key = (app.name, function)
    if key not in _OTHER_WORDS:
        _OTHER_WORDS[key] = frozenset(
            word
            for other in app.functions
            if other.name != function
            for spec in function_specs(app, other.name)
            for text in spec_texts(spec, ("templates",))
            for word in tokens(text)
        )
    return _OTHER_WORDS[key]
