"""App lifecycle: add, train, remove, and keep the router's examples and threshold current."""

from __future__ import annotations

import hashlib
import json
import math
import random
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from orchestrator.catalog import BUILTIN_APPS, builtin_tools
from orchestrator.errors import OrchError
from orchestrator.registry import TUNED_PARTS, App, Calibration, Registry, tools_from_file

if TYPE_CHECKING:
    from orchestrator.request.decision import Pooling, Verdict

ROUTER_EXAMPLES_PER_FUNCTION = 6
CALIBRATION_PER_FUNCTION = 6
CALIBRATION_HARD = 20
CALIBRATION_SIBLINGS = 30
# Per function and per app in each other language the router's head learns (``router.head_languages``).
CALIBRATION_FOREIGN_PER_FUNCTION = 3
CALIBRATION_FOREIGN_HARD = 10
WRONG_CALL_COST = 2.0
# The vetoes ``orch calibrate`` tries: an adapter's call probability below which it never calls.
# A veto is an adapter's confident "no" (at most 1 to 9 for a call); between that and even odds an
# adapter is unsure, which the pooled score weighs. Calibration requests cannot draw this line:
# the adapters are sure of them either way, so vetoes up to 0.5 cost them the same.
VETOES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1)
# The fewest served and unserved requests in other languages for which ``orch calibrate`` fits
# their decision apart; with fewer, they share the English one.
MIN_CALIBRATION_KIND = 30
# The files of an adapter folder that decide what it answers (not its training data).
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors", "orch_manifest.json")


def router_examples_for(app: App, registry: Registry, seed: int = 101) -> list[str]:
    """A few generated requests per function: what the router compares new requests against."""
    from orchestrator.data.datagen import generate

    count = ROUTER_EXAMPLES_PER_FUNCTION * len(app.functions)
    examples, _ = generate(app, count + 1, seed=seed, registry=registry, negative_rate=0.0)
    return [ex.query for ex in examples if ex.function is not None]


def add_app(registry: Registry, name: str, tools_file: str | Path | None = None) -> App:
    """Register a built-in app, or any app from an OpenAI tools file; tokens are allocated here."""
    if tools_file is None:
        if name not in BUILTIN_APPS:
            raise OrchError(f"{name!r} is not a built-in app ({', '.join(BUILTIN_APPS)}); pass --tools FILE.json")
        description, functions = builtin_tools(name)
    else:
        description, functions = tools_from_file(tools_file)
    app = registry.add_app(name, description, functions)
    app.router_examples = router_examples_for(app, registry)
    return app


def remove_app(registry: Registry, name: str, delete_adapter: bool = False) -> App:
    app = registry.remove_app(name)
    entries = app.adapter_entries(registry.base_model).values()
    paths = [path for entry in entries for path in (entry["path"], entry.get("other_languages", {}).get("path"))]
    for path in paths if delete_adapter else ():
        if path and (registry.path.parent / path).is_dir():
            shutil.rmtree(registry.path.parent / path)
    return app


def validation_requests(registry: Registry, seed: int = 4242) -> tuple[list[str], list[str | None]]:
    """Labelled requests nothing trains on: generated with an unused seed (each app's requests, its
    phrasebook's hard negatives, its sibling operations and the neighbouring objects, none of them
    a text the router learned), the same in every other language the router's head learns (all the
    phrasebooks' over a multilingual encoder, none over an English one), and the shipped corpus's
    held-out fifth: its served lines (of whole intents: ``corpus.served_by``), and of its unserved
    ones (the real requests no app serves; the generated negatives are easy beside them) those of
    the kinds the calibrating router never learnt (``corpus.is_unseen_kind``) and those about the
    apps' objects ("confirm my reservation at chilis", real sibling requests). (A sample of 600 of
    them gave one router a threshold of 0.48 where all of them gave 0.56; docs/accuracy.md.)

    The other languages are there because orch serves them. Calibrated on English alone, the
    threshold was fitted to the requests the router and adapters separate best and knew nothing of
    the others: it fell to 0.43-0.57 when the head or the adapters learnt more languages, and
    English requests no app serves were called more (docs/accuracy.md)."""
    from orchestrator.corpus import content_words, is_heldout, is_unseen_heldout, load_corpus, words_of
    from orchestrator.data.datagen import generate, load_hard_negatives, render_hard_negative, requests_in
    from orchestrator.data.phrasebook import words_beyond_the_labels
    from orchestrator.request.encoder import ENCODERS
    from orchestrator.request.router import head_languages, learned_in_other_languages, sibling_groups

    rng = random.Random(seed)
    queries: list[str] = []
    labels: list[str | None] = []
    languages = head_languages(ENCODERS[registry.router_encoder])
    learned = learned_in_other_languages(registry, languages)
    for app in registry.apps.values():
        examples, _ = generate(
            app,
            CALIBRATION_PER_FUNCTION * len(app.functions) + 1,
            seed=seed,
            registry=registry,
            negative_rate=0.0,
            exclude={q.lower() for q in app.router_examples},
        )
        queries += [ex.query for ex in examples if ex.function]
        labels += [app.name for ex in examples if ex.function]
        hard = load_hard_negatives(app, others_too=False)
        negatives = [render_hard_negative(rng.choice(hard), rng) for _ in range(CALIBRATION_HARD if hard else 0)]
        queries += negatives
        labels += [None] * len(negatives)
        for language in languages:
            for texts in requests_in(app, language, CALIBRATION_FOREIGN_PER_FUNCTION, seed=seed).values():
                unseen = [text for text in texts if text not in learned]
                queries += unseen
                labels += [app.name] * len(unseen)
            own = load_hard_negatives(app, others_too=False, language=language)
            count = CALIBRATION_FOREIGN_HARD if own else 0
            negatives = [render_hard_negative(rng.choice(own), rng) for _ in range(count)]
            queries += negatives
            labels += [None] * len(negatives)
    trained = {text for texts in sibling_groups(registry).values() for text in texts}
    for texts in sibling_groups(registry, seed=seed).values():
        unseen = [text for text in texts if text not in trained]
        negatives = rng.sample(unseen, min(CALIBRATION_SIBLINGS, len(unseen)))
        queries += negatives
        labels += [None] * len(negatives)
    words = words_beyond_the_labels(list(registry.apps.values()))
    objects = content_words(list(registry.apps.values()))
    heldout = [line for line in load_corpus() if is_heldout(line)]
    served = [line for line in heldout if line.is_request_of(registry.apps)]
    unserved = [
        line
        for line in heldout
        if line.app is None
        and (is_unseen_heldout(line) or objects & words_of(line.text))
        and not (words & words_of(line.text))
    ]
    for line in served + unserved:
        queries.append(line.text)
        labels.append(line.app)
    return queries, labels


def calibrate_router(registry: Registry, orchestrator=None) -> dict[str, float]:
    """Fit how the router's and the adapters' views pool (``router.pooling``), the score at which
    the best candidate gets the call (``router.threshold``) and the call probability below which an
    adapter's "no" is final (``router.veto``), on ``validation_requests``; stores them in
    ``registry`` and the orchestrator's router, and returns how the decisions fare on those requests.

    Every candidate's two views are computed once. The pooling weights are a logistic regression
    of "this candidate is the request's app" on the logits of both views. The threshold minimises
    the cost of the decisions, a wrong call (to the wrong app, or on a request no app serves)
    costing ``WRONG_CALL_COST`` times a missed one: it orders food or sends a message, a missed
    one only asks again. The veto is the greatest of ``VETOES`` whose cheapest threshold costs no
    more than the cheapest decision's by one standard error: an adapter's "no" is respected as far
    as these requests cannot tell that it costs anything, because it guards against requests
    unlike them (a request about the app's object that no generated request resembles), where
    forcing a call makes the decoder write values the user never said. (Taking the cheapest veto
    to the letter, one request's weight in 1,895 moved it from 0.1 to 0.003; docs/accuracy.md.)
    How much traffic no app serves is unknown, so requests some app serves and requests none does
    weigh the same in total, in both fits.

    The router learned the shipped corpus's own phrasing of the intents the apps serve, and on
    that corpus's held-out fifth it is right far more often than on requests from anywhere else.
    Weights fitted with it would trust the router the way only that corpus deserves. So the views
    are taken from a router fitted without those lines and without whole intents no app serves
    (``Router``'s ``calibrating``, ``corpus.is_unseen_kind``): it meets the held-out real
    requests, and kinds of request it never saw, as the deployed router meets a new source of
    requests.

    Requests the router reads as in another language than English get a decision of their own,
    fitted on those requests alone (``registry.other_language_calibration``): the apps' adapters
    for other languages answer them, and their views are not the English adapters'. With one
    decision for both, the real English requests no app serves raised the bar for every language
    (xSID in-scope fell 4-7 points; docs/accuracy.md).
    """
    from orchestrator.request.decision import decide
    from orchestrator.request.orchestrator import Orchestrator
    from orchestrator.request.router import Router

    if not registry.apps:
        raise OrchError("no apps to calibrate: add one first (orch add-app NAME)")
    orchestrator = orchestrator or Orchestrator(registry)
    queries, labels = validation_requests(registry)
    deployed = orchestrator.router
    orchestrator.router = Router(registry, encoder=deployed.encoder, calibrating=True)
    try:
        verdicts = orchestrator.judge(queries)
        other_language = orchestrator.router.other_language(queries)
    finally:
        orchestrator.router = deployed
    groups = {False: [], True: []}
    for verdict, label, other in zip(verdicts, labels, other_language, strict=True):
        groups[other].append((verdict, label))
    english = fit_decision(groups[False])
    other = fit_decision(groups[True]) if _can_fit(groups[True]) else None
    registry.calibration = english
    registry.other_language_calibration = other
    registry.calibration_inputs[registry.base_model] = calibration_inputs(registry, (queries, labels))
    deployed.threshold, deployed.pooling, deployed.veto = english
    deployed.other_language_calibration = other
    picks = [
        decide(v.candidates, *deployed.calibration_for(o)).app for v, o in zip(verdicts, other_language, strict=True)
    ]
    in_scope = [(p, a) for p, a in zip(picks, labels, strict=True) if a is not None]
    out_of_scope = [p for p, a in zip(picks, labels, strict=True) if a is None]
    report = {
        "requests": len(labels),
        "other_language_requests": len(groups[True]),
        "in_scope_app_accuracy": sum(p == a for p, a in in_scope) / max(1, len(in_scope)),
        "false_call_rate": sum(p is not None for p in out_of_scope) / max(1, len(out_of_scope)),
    }
    return report


def calibration_inputs(registry: Registry, requests: tuple[list[str], list[str | None]] | None = None) -> str:
    """A digest of what ``orch calibrate`` fits the active base's decision on: its requests and
    their labels (``validation_requests``), the calibrating routers' training texts and recipe,
    the router's encoders, the base and its prompt, the files of the apps' adapters for it, and
    the fit's own constants. ``orch calibrate`` records it beside the calibration; when today's
    differs, the calibration was fitted for other requests or weights (one committed calibration
    outlived three retrains and a phrasebook change unnoticed; docs/accuracy.md). Code is not
    read, so that a docstring changes nothing: a change to how the router's head is fitted bumps
    ``router.RECIPE``, which is read. ``requests`` are ``validation_requests``' when the caller
    has them already (``calibrate_router``), so that they are generated once."""
    from orchestrator.request.encoder import ENCODERS
    from orchestrator.request.router import RECIPE, TUNED_L2, head_languages, router_training_set

    choice = ENCODERS[registry.router_encoder]
    queries, labels = requests or validation_requests(registry)
    recipe = [RECIPE, choice.name, choice.l2, TUNED_L2, WRONG_CALL_COST, VETOES, MIN_CALIBRATION_KIND]
    texts = [router_training_set(registry, True, head_languages(choice))]
    folders: list[Path | None] = []
    if tuned := registry.router_tuned_english:
        texts.append(router_training_set(registry, True))
        folders.append(registry.resolve(tuned["path"]) / TUNED_PARTS[True])
    tools = [[app.name, [fn.to_tool() for fn in app.functions]] for app in registry.apps.values()]
    digest = hashlib.sha256(
        json.dumps([registry.base_model, registry.prompt_template, tools, recipe, queries, labels, texts]).encode()
    )
    for app in registry.apps.values():
        folders += [registry.resolve(app.adapter), registry.resolve(app.other_languages.get("path"))]
    for folder in folders:
        for name in ADAPTER_FILES:
            path = folder / name if folder else None
            digest.update(path.read_bytes() if path and path.is_file() else b"-")
    return digest.hexdigest()[:24]


def fit_decision(requests: list[tuple[Verdict, str | None]]) -> Calibration:
    """(threshold, pooling, veto) fitted on ``requests``' views and labels (``calibrate_router``)."""
    weights = request_weights(requests)
    rows = [
        (c.router, c.adapter, c.app == label, weight)
        for (v, label), weight in zip(requests, weights, strict=True)
        for c in v.candidates
    ]
    pooling = fit_pooling(rows)
    threshold, veto = fit_threshold(requests, pooling)
    return threshold, pooling, veto


def request_weights(requests: list[tuple[Verdict, str | None]]) -> list[float]:
    """Each request's weight in calibration: served and unserved requests weigh half each."""
    served = sum(label is not None for _, label in requests)
    return [0.5 / served if label else 0.5 / (len(requests) - served) for _, label in requests]


def fit_threshold(requests: list[tuple[Verdict, str | None]], pooling: Pooling) -> tuple[float, float]:
    """(threshold, veto) under ``pooling``: the greatest veto within error of the cheapest
    (``greatest_veto_within_error``), and the middle of its cheapest thresholds' plateau."""
    from orchestrator.request.decision import decide

    weights = request_weights(requests)

    def request_costs(threshold: float, veto: float) -> list[float]:
        picks = [decide(v.candidates, threshold, pooling, veto).app for v, _ in requests]
        return [_cost(p, label) * w for p, (_, label), w in zip(picks, requests, weights, strict=True)]

    grid = [step / 100 for step in range(5, 96)]
    table = {veto: [request_costs(t, veto) for t in grid] for veto in VETOES}
    veto = greatest_veto_within_error(table)
    costs = [sum(row) for row in table[veto]]
    plateau = [t for t, c in zip(grid, costs, strict=True) if c <= min(costs) + 1e-12]
    return plateau[len(plateau) // 2], veto


def _can_fit(requests: list[tuple[Verdict, str | None]]) -> bool:
    """Whether a group of calibration requests holds both kinds, enough of each to fit on."""
    served = sum(label is not None for _, label in requests)
    return min(served, len(requests) - served) >= MIN_CALIBRATION_KIND


def greatest_veto_within_error(table: dict[float, list[list[float]]]) -> float:
    """The greatest veto whose cheapest threshold's total cost is within one standard error of
    the cheapest of all; ``table[veto][i]`` holds each request's weighted cost at the i-th
    threshold. The error is the total's under resampling the requests, ``sqrt(n * var)`` of the
    per-request costs of the cheapest decision."""
    cheapest = {veto: min(rows, key=sum) for veto, rows in table.items()}
    best = min(cheapest.values(), key=sum)
    mean = sum(best) / len(best)
    error = math.sqrt(len(best) * sum((c - mean) ** 2 for c in best) / max(1, len(best) - 1))
    return max(veto for veto, row in cheapest.items() if sum(row) <= sum(best) + error)


def fit_pooling(rows: list[tuple[float, float, bool, float]], l2: float = 1e-3) -> tuple[float, float, float]:
    """Weighted logistic regression of the label on (logit p, logit q): weights and bias."""
    from orchestrator.request.decision import logit

    features = [[logit(p), logit(q)] for p, q, _, _ in rows]
    weights, bias = fit_log_odds(features, [ok for *_, ok, _ in rows], [w for *_, w in rows], l2)
    a, b = weights
    return round(a, 4), round(b, 4), round(bias, 4)


def fit_log_odds(
    features: list[list[float]], labels: list[bool], weights: list[float], l2: float = 1e-3
) -> tuple[list[float], float]:
    """Weighted logistic regression of ``labels`` on ``features`` (one row each, weighed by
    ``weights``): a weight per feature and a bias (L-BFGS, deterministic)."""
    import torch

    x = torch.tensor(features)
    y = torch.tensor([float(label) for label in labels])
    sample = torch.tensor(weights)
    sample = sample * len(labels) / sample.sum()
    w = torch.ones(x.shape[1], requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.LBFGS([w, b], lr=1.0, max_iter=200, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        losses = torch.nn.functional.binary_cross_entropy_with_logits(x @ w + b, y, reduction="none")
        loss = (losses * sample).mean() + l2 * (w**2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    return w.detach().tolist(), float(b.detach()[0])


def _cost(pick: str | None, label: str | None) -> float:
    if pick == label:
        return 0.0
    return WRONG_CALL_COST if pick is not None else 1.0
