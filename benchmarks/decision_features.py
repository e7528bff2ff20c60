"""Would the call decision separate better on other evidence than the router's and the adapter's
probability? One table.

The decision pools, per candidate app, the router's probability ``p`` and the adapter's call
probability ``q`` in log-odds (``orchestrator/request/decision.py``). The router's head gives more
than ``p``: its probability of none, so how sure it is that *some* app serves the request when two
apps share its mass ("navigate to the nearest Costco": vehicle 0.52, yelp 0.31). This replays the
decision with other features on the adapter views ``benchmarks/router_recipes.py --views`` keeps
(each app's ``q`` for calibration's requests and the measuring sets): per feature set the weights
are fitted by the same weighted logistic regression as ``orch calibrate`` (``apps.fit_log_odds``),
the threshold and veto by the same search (``apps.fit_threshold``), English and other languages
apart, on calibration's requests alone; then the measuring sets are decided again. App level, as
``router_recipes.py``; the last column is the best in-scope rate on the first set at any
threshold whose false calls stay within 5% (a curve to compare feature sets on).

    python benchmarks/router_recipes.py --recipes main --views views.json   # once: the views
    python benchmarks/decision_features.py --views views.json [--every-app]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.router_recipes import rates  # noqa: E402
from orchestrator.apps import _can_fit, fit_log_odds, fit_threshold, request_weights  # noqa: E402
from orchestrator.registry import load_registry  # noqa: E402
from orchestrator.request import router as routing  # noqa: E402
from orchestrator.request.decision import Candidate, Verdict, decide, logit  # noqa: E402

# Each feature set: the features of one candidate from its router probability p, its adapter's
# call probability q and the router's probability of none.
FEATURES: dict[str, Callable[[float, float, float], list[float]]] = {
    "router, adapter (main)": lambda p, q, none: [logit(p), logit(q)],
    "router against none only, adapter": lambda p, q, none: [logit(p / (p + none)), logit(q)],
    "router, adapter, some app": lambda p, q, none: [logit(p), logit(q), logit(1 - none)],
    "router, adapter, router against none": lambda p, q, none: [logit(p), logit(q), logit(p / (p + none))],
    "adapter alone": lambda p, q, none: [logit(q)],
    "router alone": lambda p, q, none: [logit(p)],
}
# A candidate's pre-pooled score passes through ``decide`` unchanged under this pooling.
AS_IS = (1.0, 0.0, 0.0)


def views(router: routing.Router, rows: list[dict], every_app: bool) -> list[list[tuple[str, float, float, float]]]:
    """Each request's candidates as (app, p, q, probability of none): the router's best two above
    its floor, or every app."""
    apps = router.classes[:-1]
    found = []
    for row, probs in zip(rows, router.probabilities([row["query"] for row in rows]), strict=True):
        listed = [(app, float(probs[i])) for i, app in enumerate(apps)] if every_app else router.candidates(probs)
        found.append([(app, p, row["q"][app], float(probs[-1])) for app, p in listed])
    return found


def pooled(found, features, weights: list[float], bias: float) -> list[list[Candidate]]:
    """Each request's candidates, the router view replaced by the pooled score (decide them under
    ``AS_IS``)."""

    def score(p: float, q: float, none: float) -> float:
        z = sum(w * f for w, f in zip(weights, features(p, q, none), strict=True)) + bias
        return 1 / (1 + math.exp(-z))

    return [[Candidate(app, score(p, q, none), q) for app, p, q, none in request] for request in found]


def fit(found, labels: list[str | None], features) -> tuple[list[float], float, float, float]:
    """Weights, bias, threshold and veto fitted on calibration's views (one language group)."""
    request_weight = request_weights([(None, label) for label in labels])
    rows = [
        (features(p, q, none), app == label, weight)
        for request, label, weight in zip(found, labels, request_weight, strict=True)
        for app, p, q, none in request
    ]
    weights, bias = fit_log_odds(*(list(column) for column in zip(*rows, strict=True)))
    requests = [
        (Verdict(None, 0.5, c), label) for c, label in zip(pooled(found, features, weights, bias), labels, strict=True)
    ]
    threshold, veto = fit_threshold(requests, AS_IS)
    return weights, bias, threshold, veto


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--views", type=Path, required=True, help="the file router_recipes.py --views wrote")
    parser.add_argument("--every-app", action="store_true", help="every app a candidate, not the router's best two")
    args = parser.parse_args()
    if not args.views.is_file():
        sys.exit(f"error: {args.views} not found: run benchmarks/router_recipes.py --recipes main --views {args.views}")
    data = json.loads(args.views.read_text())
    registry = load_registry(ROOT / "registry.yaml")
    deployed = routing.Router(registry)
    calibrating = routing.Router(registry, encoder=deployed.encoder, calibrating=True)
    calibration = data.pop("calibration")
    found = views(calibrating, calibration, args.every_app)
    measured = {name: views(deployed, rows, args.every_app) for name, rows in data.items()}
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    print(
        f"machine: {machine}; app-level in scope / false calls (%); candidates: "
        + ("every app" if args.every_app else "the router's best two")
    )
    print(
        "| features | English weights; bias; threshold; veto | "
        + " | ".join(data)
        + f" | in scope at <= 5% false calls, {next(iter(data))} |"
    )
    # Calibration's views by language (English, other), each as (views, labels).
    groups = {False: ([], []), True: ([], [])}
    for row, request in zip(calibration, found, strict=True):
        groups[row["other"]][0].append(request)
        groups[row["other"]][1].append(row["label"])
    other_fits = _can_fit([(None, label) for label in groups[True][1]])
    for name, features in FEATURES.items():
        english = fit(*groups[False], features)
        decisions = {False: english, True: fit(*groups[True], features) if other_fits else english}
        cells, curve = [], []
        for set_name, rows in data.items():
            calls = []
            for row, request in zip(rows, measured[set_name], strict=True):
                weights, bias, threshold, veto = decisions[row["other"]]
                calls.append(decide(pooled([request], features, weights, bias)[0], threshold, AS_IS, veto).app)
            cells.append("{:.1f} / {:.1f}".format(*rates(calls, rows)))
        first = next(iter(data))
        weights, bias, threshold, veto = decisions[False]
        candidates = pooled(measured[first], features, weights, bias)
        for step in range(20, 96):
            calls = [decide(request, step / 100, AS_IS, veto).app for request in candidates]
            curve.append(rates(calls, data[first]))
        best = max((i for i, f in curve if f <= 5.0), default=float("nan"))
        english = f"{', '.join(f'{w:.2f}' for w in weights)}; {bias:.2f}; {threshold:.2f}; {veto}"
        print(f"| {name} | {english} | " + " | ".join(cells) + f" | {best:.1f} |", flush=True)


if __name__ == "__main__":
    main()
