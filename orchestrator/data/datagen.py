"""Offline training data for one app, generated from its tool schemas (the paper used Gemini).

Each function gets an equal share of requests phrased from templates: hand-written phrasebooks
for the built-in apps (``orchestrator/data/phrasebooks/APP.yaml``), and templates derived from the function
name, description and parameter schemas for any other app. Slot values come from typed pools
(``values.py``) and become the call's arguments. A share of requests are rewritten the way people
type and speak (lower case without punctuation, a wake word or filler, a typo outside the values).

A share of "no call" requests teaches the adapter to refuse: operations the app lacks on its own
objects and its verbs on objects it does not control ("cancel my alarm", "turn off the bedroom
lights": ``siblings.py``, from the schemas), hard negatives from the phrasebook (requests that
share the app's words but ask for what none of its functions does: "rate this book" for
DoorDash), real requests from the shipped corpus that no app serves or that another app serves,
other apps' generated requests, and general questions. Every call is validated against
its schema before it is kept; the rejects are counted. Everything is reproducible from a seed.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestrator.atomic import atomic_write_text
from orchestrator.calls import answer_text, counts, free_text, ordered_arguments, stand_in, validate_arguments
from orchestrator.corpus import out_of_scope_for, served_by
from orchestrator.data import templates
from orchestrator.data.phrasebook import load_hard_negatives, load_phrasebook, load_translations
from orchestrator.data.schema_phrasing import auto_template, name_words
from orchestrator.data.siblings import neighbour_requests, sibling_requests
from orchestrator.data.values import (
    COINED_SHARE,
    POOLS,
    coined_name,
    kind_for,
    number_surface,
    number_value,
    string_value,
)
from orchestrator.errors import OrchError
from orchestrator.registry import App, Function, Registry

GENERIC_VERBS = {"get", "set", "search", "find", "make", "toggle", "create", "open", "send", "show", "adjust"}

IRRELEVANT_TEMPLATES = [
    "what's the capital of (Peru|France|Japan|Kenya|Canada|Australia|Brazil|Norway)",
    "who (wrote|directed|painted|invented) (Hamlet|the Mona Lisa|Inception|the telephone|Pride and Prejudice)",
    "how do I (fix a flat tire|boil an egg|change a lightbulb|tie a tie|make sourdough|unclog a drain|learn python)",
    "(tell me|do you know) a joke[ about (cats|programmers|doctors|the weather)]",
    "what is {a} (plus|times|minus|divided by) {b}",
    "(translate|how do you say) (good morning|thank you|where is the bathroom) (in|to) (Spanish|French|German)",
    "(summarize|rewrite|proofread) this (article|paragraph|essay|email) for me",
    "(define|what does) (serendipity|photosynthesis|inflation|entropy|ubiquitous)[ mean]",
    "how (tall|old|far|big) is (Mount Everest|the moon|the Eiffel Tower|the universe|the Pacific Ocean)",
    "(write|compose) a (poem|haiku|story|limerick) about (the ocean|love|autumn|robots|my dog)",
    "explain (quantum physics|black holes|how vaccines work|the stock market) (simply|to a kid|in one sentence)",
    "(recommend|suggest) a (book|movie|podcast|board game) about (history|space|friendship|mystery)",
    "what year did (World War II end|the Berlin Wall fall|humans land on the moon|the Titanic sink)",
    "(is a tomato a fruit|why is the sky blue|how many legs does a spider have|do fish sleep)",
    "(what's the meaning of life|are you conscious|what's your name|who made you)",
    "(help me|can you help me) (write a cover letter|plan a workout|study for my exam|name my cat)",
    "(convert|how many) (10 miles|5 pounds|3 cups|100 fahrenheit) (to|in) (kilometers|kilograms|milliliters|celsius)",
    "(what's|what is) the (square root of|factorial of) {a}",
    "(give me|list) (three|five|some) (fun facts|tips|ideas) about (penguins|saving money|sleep|Rome)",
    "(hello|hi there|good morning|thanks|thank you so much|never mind|ok cool)",
    "(spell|how do you spell) (necessary|rhythm|pharaoh|Wednesday)",
    "what (rhymes with|is a synonym for) (orange|happy|fast|big)",
    "(how does|why does) (a rainbow form|ice float|the heart pump blood|the internet work)",
    "(debug|explain) this (python code|SQL query|error message)",
    "who (won|is playing in) the (last Super Bowl|World Cup final|NBA finals)",
]


@dataclass
class Example:
    query: str
    function: str | None
    arguments: dict[str, Any]
    answer: str

    def to_json(self) -> str:
        return json.dumps(
            {"query": self.query, "function": self.function, "arguments": self.arguments, "answer": self.answer},
            ensure_ascii=False,
        )


@dataclass
class GenerationReport:
    kept: int = 0
    rejected: int = 0
    duplicates: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def reject(self, reason: str) -> None:
        self.rejected += 1
        key = reason[:80]
        self.reasons[key] = self.reasons.get(key, 0) + 1


def render_hard_negative(template: str, rng: random.Random) -> str:
    def fill(slot: str) -> str:
        if slot == "n":
            return number_surface(rng.randint(1, 10), rng)
        if slot not in POOLS:
            raise KeyError(f"hard negative names unknown pool {slot!r}")
        return string_value(slot, rng)

    return _tidy(templates.render(templates.parse(template), rng, fill))


# ----- filling one template ---------------------------------------------------------------------
class SlotFiller:
    """Chooses a value per parameter, renders its surface text and records the typed argument."""

    def __init__(
        self,
        fn: Function,
        spec: dict[str, Any],
        rng: random.Random,
        language: str = "en",
        coin: random.Random | None = None,
    ) -> None:
        self.fn = fn
        self.language = language
        self.props = fn.parameters.get("properties", {})
        self.kinds = dict(spec.get("values") or {})
        self.surface = spec.get("surface") or {}
        self.rng = rng
        # Values of the phrasebook's ``coined`` kinds are a made-up name a share of the time, drawn from
        # this side stream: ``rng`` draws as it always did, so the data of every other app (which
        # renders this app's requests as its "no call") stays as its adapters were trained on.
        self.coin = coin
        self.coined = set(spec.get("coined") or ())
        self.arguments: dict[str, Any] = {}
        self.text: dict[str, str] = {}

    def __call__(self, param: str) -> str:
        if param in self.text:
            return self.text[param]
        if param not in self.props and param in POOLS:
            # Context the request gives that no parameter takes ("a steakhouse in {place}").
            return self.rng.choice(POOLS[param])
        if param not in self.props:
            raise KeyError(f"template names unknown parameter {param!r}")
        schema = self.props[param]
        value, surface = self._choose(param, schema)
        self.arguments[param] = value
        self.text[param] = surface
        return surface

    def _choose(self, param: str, schema: dict[str, Any]) -> tuple[Any, str]:
        rng = self.rng
        forms = self.surface.get(param) or {}
        kind = schema.get("type")
        if "enum" in schema:
            value = rng.choice(schema["enum"])
            options = _surface_options(forms, value) or [str(value).replace("_", " ")]
            return value, rng.choice(options)
        if kind == "boolean":
            value = rng.random() < 0.5
            options = _surface_options(forms, value) or (["on", "enabled"] if value else ["off", "disabled"])
            return value, rng.choice(options)
        if kind in ("integer", "number"):
            value = number_value(schema, rng)
            return value, number_surface(value, rng, self.language)
        pool = self.kinds.get(param) or kind_for(param, schema)
        value = string_value(pool, rng) if pool in POOLS else rng.choice(POOLS["text"])
        if self.coin and pool in self.coined and self.coin.random() < COINED_SHARE:
            value = coined_name(self.coin)
        if rng.random() < 0.1:
            value = value.lower()
        return value, value


def _surface_options(forms: dict[Any, Any], value: Any) -> list[str]:
    for key, options in forms.items():
        if key == value or str(key).lower() == str(value).lower():
            return list(options)
    return []


# ----- the dataset ------------------------------------------------------------------------------
def askable(fn: Function) -> list[str]:
    """The required parameters a request may leave out and the user be asked for: free text
    with no length floor (an empty string stands for "not said") and counts of people or things
    (their minimum does, which ``value_words`` asks for when the request says no number)."""
    props = fn.parameters.get("properties", {})
    return [
        p
        for p in fn.parameters.get("required", [])
        if (free_text(props.get(p, {})) and not props[p].get("minLength")) or counts(p, props.get(p, {}))
    ]


def unsaid_value(schema: dict[str, Any]) -> Any:
    """What an incomplete request's target writes for an askable value it leaves out."""
    return "" if free_text(schema) else stand_in(schema)


def can_be_incomplete(fn: Function, spec: dict[str, Any]) -> bool:
    """Whether requests for ``fn`` that leave out a required value can be generated: it has an
    askable parameter and its phrasebook writes such requests (``incomplete``). An app phrased
    from its schemas alone gets none: with its few examples they cost held-out exact match."""
    return bool(askable(fn)) and bool(spec.get("incomplete"))


def _render_positive(
    fn: Function,
    spec: dict[str, Any],
    rng: random.Random,
    incomplete: bool = False,
    language: str = "en",
    coin: random.Random | None = None,
) -> tuple[str, dict[str, Any], list[str]]:
    """A request, its arguments and the text a rewrite must leave intact (its values' surfaces).

    An ``incomplete`` request leaves out askable values (the phrasebook's ``incomplete``
    templates): free text is the empty string, a count its minimum, which the adapter learns to
    write and grounding and the value rules turn into a question for the user. ``coin``: the
    side stream for made-up names (``SlotFiller``), given for the app's own requests only."""
    entries = (spec.get("incomplete") if incomplete else spec.get("templates")) or []
    entry: Any = rng.choice(entries) if entries else auto_template(fn, rng)
    fixed: dict[str, Any] = {}
    local = dict(spec)
    if isinstance(entry, dict):
        fixed = dict(entry.get("args") or {})
        if entry.get("values"):
            local["values"] = {**(spec.get("values") or {}), **entry["values"]}
        if entry.get("surface"):
            local["surface"] = {**(spec.get("surface") or {}), **entry["surface"]}
        entry = entry["t"]
    filler = SlotFiller(fn, local, rng, language, coin)
    query = templates.render(templates.parse(entry), rng, filler)
    if language == "en":
        query = _decorate(query, rng)
    arguments = {**filler.arguments, **fixed}
    if incomplete:
        unsaid = [p for p in askable(fn) if p not in arguments]
        if not unsaid:
            raise OrchError(f"{fn.name}: incomplete template {entry!r} leaves out no askable value")
        properties = fn.parameters.get("properties", {})
        arguments.update({name: unsaid_value(properties[name]) for name in unsaid})
    protected = list(filler.text.values())
    if not entries:
        # Schema-only phrasings tell values apart by naming their parameters ("with speaker
        # Beats"): those names are kept from typos like the values themselves.
        protected += [f"with {name_words(param)}" for param in filler.text]
    return _tidy(query), ordered_arguments(fn, arguments), protected


PREFIXES = ["please ", "hey, ", "can you ", "could you ", "ok, ", "quick: "]
SUFFIXES = [" please", " thanks", "?", "!", " now", " asap"]


def _decorate(text: str, rng: random.Random) -> str:
    """Politeness and punctuation people add around any request."""
    if rng.random() < 0.12 and not text.lower().startswith(("please", "can ", "could ", "hey")):
        text = rng.choice(PREFIXES) + text
    if rng.random() < 0.1:
        text += rng.choice(SUFFIXES)
    return text


# Of a function's requests, the share written in another language, when the app is trained in
# other languages too (``orch train --languages``) and has a phrasebook in them
# (``phrasebooks/APP.LANG.yaml``), split evenly between those languages.
FOREIGN_SHARE = 0.25
# Of a function's requests, the share that leave out a required value ("add the dentist to my
# calendar", "what's the weather tomorrow"): the call is still the user's, and its missing value
# is asked for. Without them an adapter learns that a request without every value is no call.
INCOMPLETE_SHARE = 0.2
# Of an app phrased from its schemas alone (the CI app: 100 examples), the share of "no call".
SCHEMA_ONLY_NEGATIVE_RATE = 0.2
# Of the "no call" requests, the share of hard negatives (the app's words, none of its functions):
# the router answers requests far from every app; near ones the adapter must refuse itself.
HARD_SHARE = 0.45
# Of the "no call" requests, the share of sibling operations and neighbour objects
# (``siblings.py``): about the app's things, for what none of its functions does.
SIBLING_SHARE = 0.4
# An app phrased from its schemas alone has no hand-written negatives: half its "no call" are
# siblings and neighbours. At 0.12 and 0.2 the CI app refused 55% of its sibling split; at 0.2
# and 0.5, with half its requests spoken (``schema_phrasing``), 97% (docs/accuracy.md).
SCHEMA_ONLY_SIBLING_SHARE = 0.5
SIBLINGS_PER_APP = 400
WAKE_WORDS = ["hey google ", "ok google ", "hey siri ", "alexa, ", "hey assistant ", "um ", "uh ", "so ", "ok so ",
              "hey ", "hmm ", "alright, ", "yeah ", "oh and "]  # fmt: skip


def sound_like_people(
    text: str, arguments: dict[str, Any], values: list[str], rng: random.Random, fn: Function | None = None
) -> tuple[str, dict[str, Any]]:
    """Rewrite a request the way people type or dictate it; the values it mentions stay intact.

    Lower case without punctuation (speech to text) also lowers the free-text values and drops
    their punctuation ("Dr. Patel" -> "dr patel"), so every value is still a span of the request;
    a typo never falls inside a value.
    """
    if rng.random() < 0.25:
        text = _spoken(text)
        props = fn.parameters.get("properties", {}) if fn else {}
        arguments = {
            k: _spoken(v) if isinstance(v, str) and "enum" not in props.get(k, {}) else v for k, v in arguments.items()
        }
        values = [_spoken(v) for v in values]
    if rng.random() < 0.12:
        text = rng.choice(WAKE_WORDS) + text
    if rng.random() < 0.1:
        text = _typo(text, values, rng)
    return text, arguments


def _spoken(text: str) -> str:
    """``text`` as speech to text writes it: lower case, no punctuation between words."""
    return re.sub(r"[?!.,;]+(?=\s|$)", "", text.lower()).strip()


def _typo(text: str, values: list[str], rng: random.Random) -> str:
    protected = {w.lower() for value in values for w in re.findall(r"\w+", value)}
    words = text.split(" ")
    candidates = [
        i for i, w in enumerate(words) if w.isalpha() and w.isascii() and len(w) >= 4 and w.lower() not in protected
    ]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word, at = words[i], rng.randrange(1, len(words[i]) - 1)
    kind = rng.random()
    if kind < 0.4:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif kind < 0.7:
        word = word[:at] + word[at + 1 :]
    else:
        word = word[:at] + word[at] + word[at:]
    words[i] = word
    return " ".join(words)


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,.!?])", r"\1", text)
    return text


def irrelevant_query(rng: random.Random) -> str:
    def fill(param: str) -> str:
        return str(rng.randint(2, 99))

    return _tidy(templates.render(templates.parse(rng.choice(IRRELEVANT_TEMPLATES)), rng, fill))


def default_none_examples(count: int = 120, seed: int = 11) -> list[str]:
    """General requests no app serves, distinct: part of the router's "none" class."""
    return templates.distinct(irrelevant_query, count, seed, tries=4)


def _real_negatives(app: App, registry: Registry | None) -> list[str]:
    """Corpus requests that are "no call" for this app: no built-in app serves them (and they share
    no word with this app's functions), or another registered app does."""
    others = set(registry.apps) - {app.name} if registry else set()
    lines = [line.text for line in out_of_scope_for([app])]
    lines += [line.text for other in sorted(others) for line in served_by(other)]
    return lines


def _foreign_functions(app: App, registry: Registry | None) -> list[tuple[App, Function]]:
    """Other apps' functions that share no content word with this app's: safe "no call" material."""
    if registry is None:
        return []
    own = {w for fn in app.functions for w in fn.name.split("_")} - GENERIC_VERBS
    return [
        (other, fn)
        for other in registry.apps.values()
        if other.name != app.name
        for fn in other.functions
        if not (set(fn.name.split("_")) - GENERIC_VERBS) & own
    ]


def generate(
    app: App,
    samples: int,
    seed: int = 0,
    registry: Registry | None = None,
    negative_rate: float = 0.2,
    exclude: set[str] | None = None,
    languages: tuple[str, ...] = (),
) -> tuple[list[Example], GenerationReport]:
    """``samples`` examples for ``app``: functions in equal shares plus a share of "no call";
    in English, and in ``languages`` too where the app has phrasebooks in them."""
    if samples < len(app.functions) + 1:
        raise OrchError(f"--samples {samples} is too few for {len(app.functions)} functions")
    rng = random.Random(seed)
    book = load_phrasebook(app)
    translations = load_translations(app, languages)
    report = GenerationReport()
    seen = set(exclude or ())
    if not book:
        # No corpus lines and hard negatives for an app phrased from its schemas alone: beside
        # schema-shaped requests ("set lights with room kitchen") natural negatives taught "natural
        # means no call", and it refused "turn on the lights in the kitchen".
        negative_rate = min(negative_rate, SCHEMA_ONLY_NEGATIVE_RATE)
    negatives = max(1, round(samples * negative_rate))
    plan: list[Function | None] = [app.functions[i % len(app.functions)] for i in range(samples - negatives)]
    plan += [None] * negatives
    foreign = _foreign_functions(app, registry)
    foreign_books = {other.name: load_phrasebook(other) for other, _ in foreign}
    hard = load_hard_negatives(app)
    # Other languages' hard negatives come in the share their positives do (``FOREIGN_SHARE``):
    # drawn from one pool with the English ones, they took 35-45% of the draws and the adapters
    # trained in three languages called English requests the English-only ones refused.
    foreign_hard = [t for language in languages for t in load_hard_negatives(app, language=language)]
    real = _real_negatives(app, registry) if negatives and book else []
    sibling_share = SIBLING_SHARE if book else SCHEMA_ONLY_SIBLING_SHARE
    siblings = sibling_requests(app, SIBLINGS_PER_APP, seed) + neighbour_requests([app], SIBLINGS_PER_APP // 4, seed)
    # An adapter for other languages answers no English request by name, so its English share
    # keeps pool names (docs/accuracy.md: retrained with made-up ones, it lost Chinese bookings).
    coin = None if languages else random.Random(f"coined names {seed}")
    examples: list[Example] = []
    for target in plan:
        for _attempt in range(20):
            try:
                arguments: dict[str, Any] = {}
                if target is None:
                    query = _negative(rng, siblings, (hard, foreign_hard), real, foreign, foreign_books, sibling_share)
                    query, _ = sound_like_people(query, {}, [], rng)
                else:
                    spec, language = _phrasing(target, book, translations, rng)
                    incomplete = can_be_incomplete(target, spec) and rng.random() < INCOMPLETE_SHARE
                    query, arguments, values = _render_positive(target, spec, rng, incomplete, language, coin)
                    query, arguments = sound_like_people(query, arguments, values, rng, target)
                    validate_arguments(target, arguments)
            except (OrchError, KeyError, templates.TemplateError) as err:
                report.reject(str(err))
                continue
            if query.lower() in seen:
                report.duplicates += 1
                continue
            seen.add(query.lower())
            name = target.name if target else None
            examples.append(Example(query, name, arguments, answer_text(app, name, arguments)))
            report.kept += 1
            break
    rng.shuffle(examples)
    return examples, report


def requests_in(app: App, language: str, per_function: int, seed: int) -> dict[str, list[str]]:
    """Up to ``per_function`` requests for each of ``app``'s functions that its phrasebook in
    ``language`` phrases (a share of them incomplete, as in training): what a router that reads
    that language learns the app from."""
    book = load_phrasebook(app, language)
    rng = random.Random(seed)
    found: dict[str, list[str]] = {}
    for fn in app.functions:
        if fn.name not in book:
            continue
        texts: dict[str, None] = {}
        for _attempt in range(3 * per_function):
            incomplete = can_be_incomplete(fn, book[fn.name]) and rng.random() < INCOMPLETE_SHARE
            try:
                texts[_render_positive(fn, book[fn.name], rng, incomplete, language)[0]] = None
            except (OrchError, KeyError, templates.TemplateError):
                continue
            if len(texts) == per_function:
                break
        found[fn.name] = list(texts)
    return found


def _phrasing(
    fn: Function, book: dict[str, Any], translations: dict[str, dict[str, Any]], rng: random.Random
) -> tuple[dict[str, Any], str]:
    """The phrasebook entry to phrase one request for ``fn`` from, and its language: another
    language's for ``FOREIGN_SHARE`` of the requests where one phrases ``fn``."""
    languages = [language for language, other in translations.items() if fn.name in other]
    if languages and rng.random() < FOREIGN_SHARE:
        language = rng.choice(languages)
        return translations[language][fn.name], language
    return book.get(fn.name, {}), "en"


def _negative(
    rng: random.Random,
    siblings: list[str],
    hard: tuple[list[str], list[str]],
    real: list[str],
    foreign: list[tuple[App, Function]],
    foreign_books: dict[str, dict[str, Any]],
    sibling_share: float,
) -> str:
    """One "no call" request: a sibling operation or neighbour object, a hard negative, a real
    one, another app's, or a general question. ``hard``: the app's English hard negatives and
    those of its other languages."""
    if siblings and rng.random() < sibling_share:
        return rng.choice(siblings)
    draw = rng.random()
    english, translated = hard
    if (english or translated) and draw < HARD_SHARE:
        # No extra draw without other languages: English-only data stays as it was generated.
        pool = translated if translated and (not english or rng.random() < FOREIGN_SHARE) else english
        return render_hard_negative(rng.choice(pool), rng)
    if real and draw < 0.65:
        return rng.choice(real)
    if foreign and draw < (0.85 if english or translated or real else 0.3):
        other, fn = rng.choice(foreign)
        return _render_positive(fn, foreign_books[other.name].get(fn.name, {}), rng)[0]
    return irrelevant_query(rng)


def write_jsonl(path: Path, examples: list[Example]) -> None:
    atomic_write_text(path, "".join(ex.to_json() + "\n" for ex in examples))


def read_jsonl(path: Path) -> list[Example]:
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    return [Example(r["query"], r["function"], r["arguments"], r["answer"]) for r in rows]
