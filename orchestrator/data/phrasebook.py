"""The built-in apps' hand-written phrasebooks (``phrasebooks/APP.yaml``): per function, request
templates (``templates``, and ``incomplete`` ones that leave a required value out), the names
people give the thing it makes (``objects``: a calendar event is also a reminder) and the value
kinds a request may fill with a name nobody has heard of (``coined``: a new restaurant); per app, hard
negatives (``negatives``, ``not_this_app``). An app without a phrasebook is phrased from its
schemas alone.

``phrasebooks/APP.LANG.yaml`` (``LANG`` in ``languages.LANGUAGES``) has the same shape for requests
written in another language, with that language's value pools: an app trained in that language
too (``orch train --languages``) takes a share of each function's requests, and its hard
negatives, from them."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

from orchestrator.corpus import content_words
from orchestrator.data import templates
from orchestrator.data.languages import LANGUAGES
from orchestrator.registry import SAFE_LOADER, App

PHRASEBOOK_DIR = Path(__file__).parent / "phrasebooks"


def _read_phrasebook(app: App, language: str | None = None) -> dict[str, Any]:
    path = PHRASEBOOK_DIR / (f"{app.name}.yaml" if language is None else f"{app.name}.{language}.yaml")
    return read_phrasebook_file(path)


def read_phrasebook_file(path: Path) -> dict[str, Any]:
    """A phrasebook file's contents ({} where there is none), a copy the caller may change: the
    files ship with the package and are parsed once per process (the request rules read them on
    a request's path, ``request/switch_object.py``, ``request/choices.py``)."""
    return copy.deepcopy(_parsed(str(path)))


@functools.cache
def _parsed(path: str) -> dict[str, Any]:
    file = Path(path)
    return (yaml.load(file.read_text(), Loader=SAFE_LOADER) or {}) if file.is_file() else {}


def load_phrasebook(app: App, language: str | None = None) -> dict[str, Any]:
    """The app's hand-written phrasings (in ``language``, English by default), if it is a
    built-in app with a phrasebook."""
    book = _read_phrasebook(app, language)
    return {
        name: spec for name, spec in (book.get("functions") or {}).items() if name in {f.name for f in app.functions}
    }


def function_specs(app: App, function: str) -> list[dict[str, Any]]:
    """``function``'s phrasebook entry in English and in every other language (empty where a
    phrasebook has none): what a rule that reads the phrasebooks' ways of saying a value walks."""
    return [load_phrasebook(app, language).get(function) or {} for language in (None, *LANGUAGES)]


def object_names(app: App) -> dict[str, list[str]]:
    """By function, the other names the phrasebook gives the thing it makes or plays ("reminder"
    for a calendar event, "playlist" for music); empty for an app without a phrasebook."""
    return {name: list(spec.get("objects") or []) for name, spec in load_phrasebook(app).items() if spec}


def load_translations(app: App, languages: tuple[str, ...] = LANGUAGES) -> dict[str, dict[str, Any]]:
    """The app's phrasebooks in ``languages`` (every other language by default), by language;
    none for an app without them."""
    books = {language: load_phrasebook(app, language) for language in languages}
    return {language: book for language, book in books.items() if book}


def load_hard_negatives(app: App, others_too: bool = True, language: str | None = None) -> list[str]:
    """Templates of requests in the app's words that none of its functions serves, from its
    phrasebook in ``language`` (English by default).

    ``negatives`` in the phrasebook are served by no app; ``not_this_app`` by another app, so they
    are "no call" for this app's adapter only (``others_too``). Their slots name value pools
    (``{media}``, ``{business}``), or ``{n}`` for a small number.
    """
    book = _read_phrasebook(app, language)
    return list(book.get("negatives") or []) + list((book.get("not_this_app") if others_too else None) or [])


def words_beyond_the_labels(apps: list[App]) -> set[str]:
    """The function words of the apps the shipped corpus's labels were not written against: all
    but the built-ins (the apps with a phrasebook). A corpus line labelled "none" does nothing a
    built-in app does, by construction, even when it names their objects ("cancel my reservation
    at outback", "what's on my calendar"); one with these words may be what such an app does."""
    return content_words([app for app in apps if not load_phrasebook(app)])


def template_text(entry: str | dict[str, Any]) -> str:
    """Every piece of fixed text in a phrasebook template entry (a template in ``templates``'
    language, or a mapping whose ``t`` is one), on every branch, joined by spaces: the words it
    says outside its slots."""
    return " ".join(templates.literals(templates.parse(entry["t"] if isinstance(entry, dict) else entry)))


def spec_texts(spec: dict[str, Any], kinds: tuple[str, ...] = ("templates", "incomplete")) -> list[str]:
    """The fixed text (``template_text``) of each template of one function's phrasebook entry, of
    the ``kinds`` given: what the rules that read a function's own words walk."""
    return [template_text(entry) for kind in kinds for entry in spec.get(kind) or []]
