"""Pick the candidate apps for a request, or none: a classifier over sentence embeddings
(``router.encoder``, ``encoder.py``) whose "none" class is learned from real requests, not a
threshold on similarity.

Classes are the registry's apps plus none. Training texts (``router_training_set``):

* each app: its stored router examples, requests generated from its schemas (spoken and typed
  the way people do), its function descriptions, and the shipped real requests it serves (those
  of intents it serves in part too, labelled line by line: "schedule a meeting with steve at 5");
* each app also: its **sibling operations**, requests about its own objects for an operation it
  lacks ("cancel my alarm", "what alarms do I have"), generated from its schemas
  (``sibling_groups``) and taken from its phrasebook's hard negatives (``own_object_negatives``).
  The router names the app whose object a request is about; that app's adapter, which learnt them
  as "no call", refuses them. Learnt as none, they pulled the app's real requests down with them
  ("add this song to my playlist" drew "play my playlist"), and the pooled decision learnt to give
  the adapter's "no" little weight (``docs/accuracy.md``);
* none: shipped real requests no app serves (CLINC150, a few per intent; labelled against the
  built-in apps, so "cancel my reservation at outback" is a real sibling request for them, minus
  any that mention a user app's function words, which may be its own requests), the phrasebooks'
  other hard negatives (the same verb on something else: "rate this book" for DoorDash), the
  objects next to the apps' own ("turn off the bedroom lights"), and general questions;
* over a multilingual encoder, the same in every language the phrasebooks speak
  (``languages.LANGUAGES``): each function's requests and each app's hard negatives in it. The
  encoder carries them to languages without phrasebooks.

Where the registry names one (``router.tuned_english``, written by ``orch train-router``), a
second encoder reads the requests in English: all-MiniLM-L6-v2 with a LoRA tuned on the English
training texts (``training/router_encoder.py``), with a head of its own fitted here as the first
is. An English request's probabilities are the mean of the two heads'. The frozen encoder's head
is at its ceiling on crowd-written requests (fourteen ways of fitting it moved slurp_dev by two
points at most); the tuned one reads indirect phrasings better ("should i wear shorts today") but
is sure of none on names it never saw ("play the best Becca"), and each errs where the other
does not: their mean is right more often than either (``docs/accuracy.md``).

Over a multilingual encoder the router also reads whether a request is in English: a second
logistic regression on the same embeddings, English training texts against the other languages'
(``language_matrix``). An app's adapter for other languages answers the requests it reads as not
English (``App.adapter_key``); it costs one matrix product, no second encoding.

Each class is a union of unlike requests (an app's functions, the corpus's many out-of-scope
intents), which one linear boundary per class separates badly. So the head is a multinomial
logistic regression (L2) over **sub-classes** (each function, each corpus intent, each app's hard
negatives, ...) on the normalised embeddings, and a class's probability is the sum of its
sub-classes'. It is less sure of generated in-scope requests than one class per app, but the
right app stays among the candidates, where the adapters' view decides (``docs/design.md`` has
the measurements). Examples weigh by their class's square root of
inverse frequency, however many sub-classes it has (full balancing sent more unserved requests to
an app). The router does not decide alone: it names the candidate apps (the best
two above ``router.floor``) and their probabilities, and the decision combines them with each
candidate adapter's own first-token view (``orchestrator/request/decision.py``). The fitted head is cached
under ``~/.cache/orch/router``, keyed by everything its training texts derive from, so adding or
removing an app refits it on next use (embeddings of unchanged groups are cached too).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save

from orchestrator.atomic import atomic_write_bytes
from orchestrator.corpus import (
    CORPUS,
    content_words,
    is_heldout,
    is_unseen_kind,
    load_corpus,
    object_words,
    served_by,
    words_of,
)
from orchestrator.engines.base_model import cache_root
from orchestrator.errors import OrchError
from orchestrator.registry import TUNED_PARTS, App, Registry
from orchestrator.request.encoder import ENCODERS, EncoderChoice, encoder_engine, load_tuned_encoder

NONE = "<none>"
GENERATED_PER_FUNCTION = 20
# Per function and other language, over a multilingual encoder.
FOREIGN_PER_FUNCTION = 10
# The seed of the generated requests the head learns; calibration draws with another.
ROUTER_SEED = 202
FOREIGN_HARD_NEGATIVES_PER_APP = 60
CORPUS_NONE_PER_INTENT = 25
HARD_NEGATIVES_PER_APP = 120
SIBLINGS_PER_APP = 120
NEIGHBOURS = 120
# A place in a home or an office: a hard negative naming one is the same control somewhere the app
# does not reach, and the head learns those as a none sub-class of their own.
AT_A_PLACE = re.compile(
    r"\b(at home|in the house|in the (living room|bedroom|kitchen|office|garage)|at the office)\b", re.IGNORECASE
)
# The head over a tuned English encoder (``orch train-router``): the head it was tuned with had no
# penalty, and a weak one reproduces its decisions (``docs/accuracy.md``).
TUNED_L2 = 1e-6
# Bump when the recipe changes in a way the cache key cannot see.
RECIPE = "logreg-subclasses-v6+language+own-siblings+placed"


@dataclass
class Route:
    """The router's view of one request: the app it would pick and every class's probability."""

    app: str | None
    scores: dict[str, float]
    candidates: list[tuple[str, float]]
    other_language: bool = False


def router_training_set(
    registry: Registry, calibrating: bool = False, languages: tuple[str, ...] = ()
) -> dict[str, list[str]]:
    """Training texts per sub-class, named ``CLASS:PART``. Each app and none is a union of many
    kinds of request (an app's functions, a corpus's intents), which one linear boundary per class
    separates badly; the head learns one sub-class per part and a class's probability is the sum
    of its parts'. ``none:corpus:*`` is filtered per registry at fit time (``_corpus_none_mask``).
    ``languages``: other languages to learn from the phrasebooks in them. ``calibrating``: the
    set of the router ``orch calibrate`` asks (``Router``)."""
    from orchestrator.data.datagen import (
        default_none_examples,
        generate,
        load_hard_negatives,
        render_hard_negative,
        requests_in,
    )
    from orchestrator.data.phrasebook import words_beyond_the_labels

    groups: dict[str, list[str]] = {}
    for app in registry.apps.values():
        generated, _ = generate(
            app, GENERATED_PER_FUNCTION * len(app.functions) + 1, seed=ROUTER_SEED, registry=registry, negative_rate=0.0
        )
        for fn in app.functions:
            own = [ex.query for ex in generated if ex.function == fn.name]
            groups[f"{app.name}:{fn.name}"] = [*own, f"{fn.name.replace('_', ' ')}: {fn.description}"]
        groups[f"{app.name}:examples"] = [*app.router_examples, *([app.description] if app.description else [])]
        for line in () if calibrating else served_by(app.name, by_line=True):
            groups.setdefault(f"{app.name}:corpus:{line.intent}", []).append(line.text)
        for language in languages:
            for name, texts in requests_in(app, language, FOREIGN_PER_FUNCTION, seed=ROUTER_SEED).items():
                groups[f"{app.name}:{name}"] += texts
    for intent, texts in corpus_none_texts(calibrating).items():
        groups[f"{NONE}:corpus:{intent}"] = texts
    groups[f"{NONE}:general"] = default_none_examples()
    # The phrasebooks' "no app serves this" knows only the apps that have phrasebooks: a user's
    # smart-home app serves "turn on the lights in the kitchen".
    words = words_beyond_the_labels(list(registry.apps.values()))
    rng = random.Random(303)
    for app in registry.apps.values():
        hard = load_hard_negatives(app, others_too=False)
        rendered = [render_hard_negative(rng.choice(hard), rng) for _ in range(HARD_NEGATIVES_PER_APP if hard else 0)]
        kept = [text for text in dict.fromkeys(rendered) if not (words & words_of(text))]
        siblings = own_object_negatives(app, list(registry.apps.values()), kept)
        groups[f"{app.name}:hard"] = siblings
        # "turn up the AC at home" differs from vehicle's "turn up the AC" by where only; in one
        # sub-class with the rest it pulled the plain request to none (docs/accuracy.md).
        about_its_own, placed, elsewhere = set(siblings), [], []
        for text in kept:
            if text not in about_its_own:
                (placed if AT_A_PLACE.search(text) else elsewhere).append(text)
        groups[f"{NONE}:placed:{app.name}"], groups[f"{NONE}:hard:{app.name}"] = placed, elsewhere
        for language in languages:
            own = load_hard_negatives(app, others_too=False, language=language)
            rendered = [
                render_hard_negative(rng.choice(own), rng) for _ in range(FOREIGN_HARD_NEGATIVES_PER_APP if own else 0)
            ]
            groups[f"{NONE}:hard:{app.name}:{language}"] = rendered
    groups.update(sibling_groups(registry))
    return {name: list(dict.fromkeys(texts)) for name, texts in groups.items() if texts}


def training_matrix(
    registry: Registry,
    embed: Callable[[list[str]], torch.Tensor],
    calibrating: bool = False,
    languages: tuple[str, ...] = (),
    groups: dict[str, list[str]] | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The router's training texts embedded by ``embed`` (normalised rows), their sub-class
    labels, and each sub-class's class index (the registry's apps, then none). ``groups``: the
    training set (``router_training_set``) when the caller has it already."""
    groups = groups if groups is not None else router_training_set(registry, calibrating, languages)
    kept, parent = training_groups(registry, groups)
    blocks = [embed(texts) for texts in kept]
    labels = torch.cat([torch.full((len(block),), index) for index, block in enumerate(blocks)])
    return torch.cat(blocks), labels, parent


def learned_in_other_languages(registry: Registry, languages: tuple[str, ...]) -> set[str]:
    """The requests in ``languages`` the head learns for the apps' functions (not their hard
    negatives): what calibration must not weigh again, and what the language head calls other."""
    from orchestrator.data.datagen import requests_in

    return {
        text
        for app in registry.apps.values()
        for language in languages
        for texts in requests_in(app, language, FOREIGN_PER_FUNCTION, seed=ROUTER_SEED).values()
        for text in texts
    }


def language_matrix(
    registry: Registry,
    embed: Callable[[list[str]], torch.Tensor],
    groups: dict[str, list[str]],
    languages: tuple[str, ...],
) -> tuple[torch.Tensor, torch.Tensor]:
    """The router's training texts (``groups``, from ``router_training_set``) embedded by
    ``embed``, each labelled 1 when it is in one of ``languages`` (the phrasebooks' requests and
    hard negatives in them) and 0 when in English (everything else: generated, corpus, sibling and
    general requests)."""
    other = learned_in_other_languages(registry, languages)
    blocks, labels = [], []
    for group, texts in groups.items():
        translated = group.startswith(f"{NONE}:hard:") and group.rsplit(":", 1)[-1] in languages
        blocks.append(embed(texts))
        labels += [int(translated or text in other) for text in texts]
    return torch.cat(blocks), torch.tensor(labels)


def sibling_groups(registry: Registry, seed: int = 505) -> dict[str, list[str]]:
    """A sub-class of each app for its sibling operations ("cancel my alarm"), and a none
    sub-class for the objects next to the apps' own ("turn off the bedroom lights"), from the
    schemas (``orchestrator/data/siblings``). A sibling that shares a content word with another
    app's functions is left out: it may be exactly what that app does."""
    from orchestrator.data.siblings import neighbour_requests, sibling_requests

    apps = list(registry.apps.values())
    groups = {f"{NONE}:neighbour": neighbour_requests(apps, NEIGHBOURS, seed=seed)}
    for app in apps:
        words = other_apps_words(app, apps)
        texts = sibling_requests(app, SIBLINGS_PER_APP, seed=seed)
        groups[f"{app.name}:sibling"] = [text for text in texts if not (words & words_of(text))]
    return groups


def own_object_negatives(app: App, apps: list[App], negatives: list[str]) -> list[str]:
    """The hard negatives of ``app`` that are about its own objects and name nothing another app's
    functions do: its sibling operations ("what alarms do I have", "add this song to my
    playlist"). The rest use its verbs on other things ("rate this book") or belong to no app.
    Its objects are the words of its function names (``corpus.object_words``) and the other names
    its phrasebook gives them (``phrasebook.object_names``: a playlist, a reminder), the names its
    generated siblings use too (``sibling_groups``). English only."""
    from orchestrator.data.phrasebook import object_names

    own = object_words(app, [name for names in object_names(app).values() for name in names])
    others = other_apps_words(app, apps)
    return [text for text in negatives if (words := words_of(text)) & own and not words & others]


def other_apps_words(app: App, apps: list[App]) -> set[str]:
    """The content words of every other app's functions: a near miss of ``app`` that names one
    may be exactly what that other app does."""
    return content_words([other for other in apps if other is not app])


def corpus_none_texts(calibrating: bool = False) -> dict[str, list[str]]:
    """A fixed sample of the shipped requests no built-in app serves, a few per intent; for the
    calibrating router, of the lines outside the held-out part and outside the intents it never
    learns (``corpus.is_unseen_kind``) only."""
    per_intent: dict[str, list[str]] = {}
    for line in load_corpus():
        if line.app is None and not (calibrating and (is_heldout(line) or is_unseen_kind(line))):
            per_intent.setdefault(line.intent, []).append(line.text)
    rng = random.Random(404)
    return {
        intent: rng.sample(lines, min(CORPUS_NONE_PER_INTENT, len(lines)))
        for intent, lines in sorted(per_intent.items())
    }


def head_languages(choice: EncoderChoice) -> tuple[str, ...]:
    """The other languages a router over ``choice`` learns from the phrasebooks: all of them over
    a multilingual encoder, none over an English one."""
    from orchestrator.data.languages import LANGUAGES

    return LANGUAGES if choice.multilingual else ()


class Router:
    """Logistic regression over the registry's apps plus a "none" class, on sentence embeddings."""

    def __init__(self, registry: Registry, encoder=None, calibrating: bool = False) -> None:
        """``encoder``: one already loaded for ``registry.router_encoder`` (shared by the routers
        of one process).

        The deployed router learns every shipped real request no app serves, the held-out ones
        too, and the shipped real requests the apps serve outside the held-out part.
        ``calibrating=True`` makes the router ``orch calibrate`` asks (``calibrate_router``): it
        leaves out the real requests the apps serve and the held-out intents no app serves, so
        it meets calibration's real requests, and whole kinds of request it never saw, as the
        deployed router meets a new source of requests (cross-fitting: the decision rule is fitted
        on views of requests their router did not learn; the deployed router then learns them)."""
        self.registry = registry
        self.calibrating = calibrating
        self.choice = ENCODERS[registry.router_encoder]
        self.languages = head_languages(self.choice)
        self.engine = encoder_engine(registry.weights)
        self.encoder = encoder or self.choice.load(self.engine)
        self.identity = self.choice.identity(self.encoder)
        self.threshold = registry.router_threshold
        self.floor = registry.router_floor
        self.pooling = registry.router_pooling
        self.veto = registry.router_veto
        self.other_language_calibration = registry.other_language_calibration
        self.classes = [*registry.apps, NONE]
        key = self._key()
        head = self._head(key)
        self.weight, self.bias, self.parent = head["weight"], head["bias"], head["parent"]
        self.language_head = (head["language_weight"], head["language_bias"]) if "language_weight" in head else None
        self.tuned = self._tuned_head(key)

    # ----- fitting --------------------------------------------------------------------------
    def _head(self, key: str) -> dict[str, torch.Tensor]:
        """(weight, bias) per sub-class, each sub-class's class index, and over a multilingual
        encoder the English-or-not head's (language_weight, language_bias); cached under ``key``
        (``_key``)."""
        path = cache_root() / "router" / f"head-{key}.safetensors"
        if path.is_file():
            return load_file(str(path))
        groups = router_training_set(self.registry, self.calibrating, self.languages)
        x, y, parent = training_matrix(self.registry, self._embed_cached, groups=groups)
        weight, bias = fit_logistic(x, y, parent, self.choice.l2)
        head = {"weight": weight.contiguous(), "bias": bias.contiguous(), "parent": parent}
        if self.languages:
            x, other = language_matrix(self.registry, self._embed_cached, groups, self.languages)
            weight, bias = fit_logistic(x, other, torch.tensor([0, 1]), self.choice.l2)
            head |= {"language_weight": weight.contiguous(), "language_bias": bias.contiguous()}
        _save_atomically(head, path)
        return head

    def _tuned_head(self, key: str) -> TunedHead | None:
        """The English head over ``orch train-router``'s encoder (its calibrating LoRA for the
        calibrating router), fitted on the English training set, or None without one."""
        if not self.registry.router_tuned_english:
            return None
        directory = self.registry.resolve(self.registry.router_tuned_english["path"]) / TUNED_PARTS[self.calibrating]
        if not (directory / "adapter_model.safetensors").is_file():
            raise OrchError(f"router.tuned_english: no tuned encoder in {directory} (run: orch train-router)")
        encoder, identity = load_tuned_encoder(directory, self.engine)
        path = cache_root() / "router" / f"english-{key}-{identity}.safetensors"
        if path.is_file():
            return TunedHead(encoder, **load_file(str(path)))
        x, y, parent = training_matrix(
            self.registry, lambda texts: self._embed_cached(texts, encoder, identity), calibrating=self.calibrating
        )
        weight, bias = fit_logistic(x, y, parent, TUNED_L2)
        head = {"weight": weight.contiguous(), "bias": bias.contiguous(), "parent": parent}
        _save_atomically(head, path)
        return TunedHead(encoder, **head)

    def _key(self) -> str:
        """Everything the head is derived from: apps, corpus, phrasebooks, the code that makes its
        training set (this module's counts included), the recipe."""
        from orchestrator import corpus
        from orchestrator.data import datagen
        from orchestrator.data.phrasebook import PHRASEBOOK_DIR

        recipe = f"{RECIPE} L2={self.choice.l2} calibrating={self.calibrating} languages={self.languages}"
        digest = hashlib.sha256(recipe.encode())
        digest.update(self.identity.encode())
        for app in self.registry.apps.values():
            tools = [fn.to_tool() for fn in app.functions]
            digest.update(json.dumps([app.name, app.description, tools, app.router_examples]).encode())
        code = [Path(__file__), Path(corpus.__file__), *sorted(Path(datagen.__file__).parent.glob("*.py"))]
        sources = [CORPUS, *code, *sorted(PHRASEBOOK_DIR.glob("*.yaml"))]
        for source in sources:
            digest.update(source.read_bytes())
        return digest.hexdigest()[:24]

    def _embed_cached(self, texts: list[str], encoder=None, identity: str | None = None) -> torch.Tensor:
        """``texts`` embedded by the router's encoder, or by ``encoder`` (``identity`` names its
        weights), cached on disk."""
        key = hashlib.sha256(json.dumps([identity or self.identity, texts]).encode()).hexdigest()[:24]
        path = cache_root() / "router" / f"{key}.safetensors"
        if path.is_file():
            return load_file(str(path))["embeddings"]
        embeddings = self.embed(texts, encoder)
        _save_atomically({"embeddings": embeddings}, path)
        return embeddings

    # ----- routing --------------------------------------------------------------------------
    def embed(self, texts: list[str], encoder=None) -> torch.Tensor:
        with torch.inference_mode():
            embeddings = (encoder or self.encoder).encode(
                texts, convert_to_tensor=True, normalize_embeddings=True, batch_size=64
            )
            return embeddings.float().cpu()

    def probabilities(self, queries: list[str]) -> torch.Tensor:
        """[n_queries, n_classes]: the probability of each app and of none (last column), the sum
        of its sub-classes'."""
        return self.read(queries)[0]

    def read(self, queries: list[str]) -> tuple[torch.Tensor, list[bool]]:
        """``probabilities`` and, from the same embeddings, whether each request is in another
        language than English (always False over an English encoder)."""
        embeddings = self.embed(queries)
        probs = class_probabilities(embeddings, self.weight, self.bias, self.parent, len(self.classes))
        other = self._reads_other_language(embeddings)
        english = [i for i, elsewhere in enumerate(other) if not elsewhere]
        if self.tuned is not None and english:
            tuned = self.tuned
            embedded = self.embed([queries[i] for i in english], tuned.encoder)
            tuned_probs = class_probabilities(embedded, tuned.weight, tuned.bias, tuned.parent, len(self.classes))
            probs[english] = (probs[english] + tuned_probs) / 2
        return probs, other

    def other_language(self, queries: list[str]) -> list[bool]:
        """Whether each request is in another language than English."""
        if self.language_head is None:
            return [False] * len(queries)
        return self._reads_other_language(self.embed(queries))

    def _reads_other_language(self, embeddings: torch.Tensor) -> list[bool]:
        if self.language_head is None:
            return [False] * len(embeddings)
        weight, bias = self.language_head
        return (embeddings @ weight.T + bias).argmax(dim=-1).bool().tolist()

    def calibration_for(self, other_language: bool) -> tuple[float, tuple[float, float, float], float]:
        """(threshold, pooling, veto) for a request in English or, where ``orch calibrate`` fitted
        one apart, in another language."""
        if other_language and self.other_language_calibration is not None:
            return self.other_language_calibration
        return self.threshold, self.pooling, self.veto

    def candidates(self, probs: torch.Tensor, limit: int = 2) -> list[tuple[str, float]]:
        """The apps worth asking, best first: the top ``limit`` apps at or above ``router.floor``."""
        apps = probs[:-1]
        order = torch.argsort(apps, descending=True)[:limit].tolist()
        return [(self.classes[i], float(apps[i])) for i in order if float(apps[i]) >= self.floor]

    def named(self, probs: torch.Tensor) -> dict[str, float]:
        """One request's probabilities by class name ("none" for no app)."""
        return {("none" if c == NONE else c): round(float(p), 4) for c, p in zip(self.classes, probs, strict=True)}

    def route(self, query: str) -> Route:
        probs, other_language = self.read([query])
        best = self.classes[int(probs[0].argmax())]
        return Route(None if best == NONE else best, self.named(probs[0]), self.candidates(probs[0]), other_language[0])


@dataclass
class TunedHead:
    """The head over the tuned English encoder: per sub-class weights, and each one's class."""

    encoder: object
    weight: torch.Tensor
    bias: torch.Tensor
    parent: torch.Tensor


def class_probabilities(
    embeddings: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, parent: torch.Tensor, classes: int
) -> torch.Tensor:
    """[n, classes]: each class's probability, the sum of its sub-classes'."""
    parts = torch.softmax(embeddings @ weight.T + bias, dim=-1)
    return torch.zeros(len(embeddings), classes).index_add_(1, parent, parts)


def _save_atomically(tensors: dict[str, torch.Tensor], path: Path) -> None:
    atomic_write_bytes(path, save(tensors))


def fit_logistic(
    x: torch.Tensor, y: torch.Tensor, parent: torch.Tensor, l2: float, steps: int = 200
) -> tuple[torch.Tensor, torch.Tensor]:
    """Multinomial logistic regression over sub-classes, L2, by L-BFGS (deterministic). Each
    example weighs by its class's square-root balanced weight, so a class's total weight does not
    depend on how many sub-classes it is split into."""
    class_weight = class_weights(y, parent)
    weight = torch.zeros(len(parent), x.shape[1], requires_grad=True)
    bias = torch.zeros(len(parent), requires_grad=True)
    optimizer = torch.optim.LBFGS([weight, bias], lr=1.0, max_iter=steps, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        logits = x @ weight.T + bias
        loss = torch.nn.functional.cross_entropy(logits, y, weight=class_weight[parent]) + l2 * (weight**2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    return weight.detach(), bias.detach()


def class_weights(y: torch.Tensor, parent: torch.Tensor) -> torch.Tensor:
    """Each class's square-root balanced weight for examples labelled ``y`` (sub-classes whose
    classes ``parent`` names): a class's total weight does not depend on its sub-classes."""
    classes = int(parent.max()) + 1
    counts = torch.bincount(parent[y], minlength=classes).clamp(min=1).float()
    return (len(y) / (classes * counts)) ** 0.5


def training_groups(registry: Registry, groups: dict[str, list[str]]) -> tuple[list[list[str]], torch.Tensor]:
    """``router_training_set``'s sub-classes as texts, the shipped "none" requests filtered for
    ``registry`` (``_corpus_none_mask``), empty ones left out, and each one's class index: what
    both the heads (``training_matrix``) and the tuned encoder learn."""
    classes = [*registry.apps, NONE]
    kept, parent = [], []
    for group, texts in groups.items():
        if group.startswith(f"{NONE}:corpus:"):
            texts = [t for t, keep in zip(texts, _corpus_none_mask(texts, registry).tolist(), strict=True) if keep]
        if texts:
            kept.append(texts)
            parent.append(classes.index(group.split(":")[0]))
    return kept, torch.tensor(parent)


def _corpus_none_mask(texts: list[str], registry: Registry) -> torch.Tensor:
    """Drop the shipped "none" requests that mention a function's words of an app their labels
    were not written against (``phrasebook.words_beyond_the_labels``): such a request may be what it does.
    The built-ins' own words stay: "cancel my reservation at outback" is none for them all."""
    from orchestrator.data.phrasebook import words_beyond_the_labels

    words = words_beyond_the_labels(list(registry.apps.values()))
    return torch.tensor([not (words & words_of(text)) for text in texts])
