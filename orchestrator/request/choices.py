"""An optional choice the request does not say is left to the schema: "roll down the window" opens
every window (``window`` defaults to ``all``), not the driver's.

The grammar makes the adapter write a valid choice, not one the user made: it wrote
``window="front_left"`` for "roll down the windows" and could as well add a price filter nobody
asked for. So an optional parameter with an ``enum`` keeps a value other than its default only
where the request says a word of that value: of its name ("front_left": front, left), or of the
ways the app's phrasebooks say it in any language (``surface``: "driver's", "左前"), slips
included. Otherwise the value is dropped (``grounding.DROPPED``) and the default applies, or the
filter is absent. A required choice is the adapter's to make: the request asked for the action.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from orchestrator.data.languages import LANGUAGES
from orchestrator.data.phrasebook import load_phrasebook, template_text
from orchestrator.registry import App, Function
from orchestrator.request.grounding import DROPPED
from orchestrator.request.said import names_one_of, tokens

# (app, function, parameter): the words that say each of its values. The phrasebooks ship with the package.
_CHOICE_WORDS: dict[tuple[str, str, str], dict[str, frozenset[str]]] = {}


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
    ``mode="bicycling"``)."""
    said = [str(value).replace("_", " ")]
    fixing: set[str] = set()
    others: set[str] = set()
    for language in (None, *LANGUAGES):
        spec = load_phrasebook(app, language).get(fn.name) or {}
        for entry in [spec, *(e for e in spec.get("templates") or [] if isinstance(e, dict))]:
            forms = (entry.get("surface") or {}).get(param) or {}
            said += [form for key, options in forms.items() if str(key) == str(value) for form in options]
        for entry in spec.get("templates") or []:
            fixes = isinstance(entry, dict) and str((entry.get("args") or {}).get(param)) == str(value)
            (fixing if fixes else others).update(tokens(" ".join(template_text(entry))))
    return frozenset(tokens(" ".join(said)) | (fixing - others))
