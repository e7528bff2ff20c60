"""A switch is told what it switches: "turn on the wemo plug" must not turn on the phone's Wi-Fi.

A function whose every parameter is a boolean (``toggle_wifi(on)``, ``set_do_not_disturb(enabled)``)
is asked for with words that fit any switch ("turn on", "switch off", "disable"); only the thing
named tells one switch from another. An adapter that knows two or three switches picks one of them
for "turn wemo on", "turn off bluetooth" or "turn off the ringer", and the call flips a switch the
user never named: the wrong action. So a switch's call stands only when the request names what it
switches, by one of the switch's **own words**, slips included: a word its phrasings say (its
templates in every phrasebook language and the names its phrasebook gives the object, and its
name's words after the verb, all an app phrased from its schemas alone has), less the words the
shipped phrasebooks say for two apps or more ("turn", "the", "打") and the words of the app's other
switches ("enable", "schalte"). Otherwise there is no call. In scripts written without spaces each
character and each pair of adjacent ones is a word ("冷气" names the air conditioning, though 冷
and 气 are in other words).

Only switches: a number, a choice or a free text is a value the request said, which ties the call
to its function, and the phrasebooks teach settings asked for without their object ("make it
higher" is the car's volume); a switch carries nothing but on or off.

A setting (a switch, a number or a choice) is not asked of a thing of a home either: a request
that names one (``siblings.HOME_THINGS``: a lamp, the blinds, a bedroom) that none of the
setting's phrasings say gets no call (``names_a_home_thing``). "turn off the fan in the master
bedroom" switched the car's fan off, and "lower the blinds" opened its windows. The flashlight says
"light" in its phrasings, so "turn the light on" stays its own.

And a mode that silences everything (Do Not Disturb) is not switched for the notifications of one
thing: "turn off notifications for whatsapp" would silence the whole phone, and "turn on
notification for all news on the stock market" turned Do Not Disturb off (``silences_one_thing``).
Nor is the volume of all notifications set to nothing: "mute notifications from the family group
chat" gave ``set_volume(level=0, volume_type="notification")``.
Notifications for a while ("for an hour", "for tonight") or for everything are the mode's own.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from typing import Any

from orchestrator.corpus import GENERIC_WORDS, function_name_words
from orchestrator.data.languages import LANGUAGES
from orchestrator.data.phrasebook import PHRASEBOOK_DIR, load_phrasebook, read_phrasebook_file, spec_texts
from orchestrator.data.schema_phrasing import schema_text
from orchestrator.data.siblings import HOME_THINGS, takes_a_setting
from orchestrator.registry import App, Function
from orchestrator.request.said import names_one_of, tokens
from orchestrator.request.value_words import switches_a_silencing_mode

# Per app (by name and function names): its switches' own words. The phrasebooks ship with the package.
_OWN_WORDS: dict[tuple[str, tuple[str, ...]], dict[str, frozenset[str]]] = {}
# Per (app, function): the words a setting's phrasings say.
_SETTING_WORDS: dict[tuple[str, str], frozenset[str]] = {}
# Notifications of one thing: "notifications for whatsapp", "alerts from my bank", "notification
# for all news on the stock market"; not those of everything or for a while ("for all apps", "for
# an hour", "for tonight", "for the next 2 hours").
_NOTIFICATIONS_OF_ONE_THING = re.compile(
    r"\b(?:notifications?|alerts?)\s+(?:for|from|about|on|of)\s+(?!(?:all\s+(?:apps|notifications)|everything|everyone"
    r"|(?:the|my|this)\s+phone|now|today|tonight|the\s+night|(?:the\s+)?(?:next|rest)\b|(?:a\s+few|\w+)"
    r"\s+(?:minutes?|hours?|days?)\b))\w",
    re.IGNORECASE,
)


def is_switch(fn: Function) -> bool:
    """Whether every parameter of ``fn`` is a boolean (and it has one)."""
    properties = fn.parameters.get("properties", {}).values()
    return bool(properties) and all(spec.get("type") == "boolean" for spec in properties)


def switches_something_else(app: App, fn: Function, query: str) -> bool:
    """Whether ``fn`` is a switch and ``query`` names none of its own words (module docstring)."""
    if not is_switch(fn):
        return False
    own = own_words(app)[fn.name]
    return bool(own) and not names_one_of(own, query)


def names_a_home_thing(app: App, fn: Function, query: str) -> bool:
    """Whether ``fn`` sets a setting and ``query`` names a thing of a home its phrasings do not
    say (module docstring)."""
    if not takes_a_setting(fn):
        return False
    return bool((tokens(query) & HOME_THINGS) - _setting_words(app, fn))


def silences_one_thing(fn: Function, query: str, arguments: dict[str, Any] | None = None) -> bool:
    """Whether ``fn`` switches a mode that silences everything, or the call turns the volume of
    all notifications to nothing, and ``query`` asks about the notifications of one thing (module
    docstring)."""
    silencing = switches_a_silencing_mode(fn) or _mutes_notifications(fn, arguments or {})
    return silencing and bool(_NOTIFICATIONS_OF_ONE_THING.search(query))


def _mutes_notifications(fn: Function, arguments: dict[str, Any]) -> bool:
    """Whether the call sets a level to a minimum of 0 and chooses notifications
    (``set_volume(level=0, volume_type="notification")``)."""
    properties = fn.parameters.get("properties", {})
    to_nothing = any(
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and value == 0 == properties.get(name, {}).get("minimum")
        for name, value in arguments.items()
    )
    return to_nothing and any(
        isinstance(value, str) and "notification" in value.lower() for value in arguments.values()
    )


def _setting_words(app: App, fn: Function) -> frozenset[str]:
    """What a setting's phrasings say, and its schema: the words of its name, its description,
    its parameters' names and descriptions and its choices ("set the vacuum room to bedroom" is a
    home app's own)."""
    key = (app.name, fn.name)
    if key not in _SETTING_WORDS:
        _SETTING_WORDS[key] = frozenset(_phrasing_words(app, fn) | tokens(" ".join(schema_text(fn))))
    return _SETTING_WORDS[key]


def own_words(app: App) -> dict[str, frozenset[str]]:
    """Each switch of ``app`` and its own words: what its phrasings say, less the words any request
    says (``_shared_words``) and those of the app's other switches."""
    key = (app.name, tuple(fn.name for fn in app.functions))
    if key not in _OWN_WORDS:
        said = {fn.name: _phrasing_words(app, fn) for fn in app.functions if is_switch(fn)}
        _OWN_WORDS[key] = {
            name: frozenset(words - _shared_words()).difference(*(w for other, w in said.items() if other != name))
            for name, words in said.items()
        }
    return _OWN_WORDS[key]


def _phrasing_words(app: App, fn: Function) -> set[str]:
    """The words ``fn``'s phrasings say outside their values, in every phrasebook language, and
    its name's words after the verb."""
    words = tokens(" ".join(function_name_words(fn.name)[1:]))
    for language in (None, *LANGUAGES):
        words |= _spec_words(load_phrasebook(app, language).get(fn.name) or {})
    return words


@cache
def _shared_words() -> frozenset[str]:
    """Words the shipped phrasebooks say for two apps or more ("turn", "the", "打"), and the
    generic words of function names: they name no one thing."""
    by_app: dict[str, set[str]] = {}
    for path in PHRASEBOOK_DIR.glob("*.yaml"):
        functions = read_phrasebook_file(path).get("functions") or {}
        words = by_app.setdefault(path.name.split(".")[0], set())
        for spec in functions.values():
            words |= _spec_words(spec)
    counts = Counter(word for words in by_app.values() for word in words)
    return frozenset({word for word, apps in counts.items() if apps > 1} | GENERIC_WORDS)


def _spec_words(spec: dict[str, Any]) -> set[str]:
    """The words of one phrasebook entry's templates (outside their slots) and object names."""
    return tokens(" ".join([*spec_texts(spec), *(spec.get("objects") or [])]))
