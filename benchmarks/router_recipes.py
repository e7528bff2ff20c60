"""How would the call decision fare with the router's head trained another way? One table.

The decision pools the router's view with each candidate adapter's (``orchestrator/request/
decision.py``). This replays it for several head recipes without decoding anything: every app's
adapter view (its call probability) is computed once for each request of calibration
(``apps.validation_requests``) and of the given measuring sets; then, per recipe, the deployed and
the calibrating heads are refitted, the decision is fitted on calibration's requests alone
(``apps.fit_decision``, as ``orch calibrate`` does) and the measuring sets are decided again. The
figures are app level: in scope counts a call to the right app (``orch eval`` also asks for the
right function). The last column is the best in-scope rate at any threshold whose false calls
stay within 5%, a curve to compare recipes on; the operating point is calibration's.

Recipes: ``main`` (the committed head: each app's sibling operations, generated and its hard
negatives about its own objects, learnt as that app's), ``siblings_as_none`` (the head before
that: all of them learnt as none; the hard negatives at a place stay a sub-class of their own),
``near_as_app`` (every English hard negative of an app learnt as that app's, the other apps'
requests among them), ``no_near_negatives`` (neither siblings nor hard negatives learnt),
``more_generated`` (60 generated requests per function).

    python benchmarks/router_recipes.py [--recipes main,siblings_as_none] [--sets ../shared/eval/slurp_dev.jsonl,...]
        [--views views.json] [--limit N]

``--views`` keeps the adapter views between runs (they take about 30 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestrator.apps import _can_fit, fit_decision, validation_requests  # noqa: E402
from orchestrator.registry import load_registry  # noqa: E402
from orchestrator.request import router as routing  # noqa: E402
from orchestrator.request.decision import Candidate, Verdict, decide  # noqa: E402
from orchestrator.request.encoder import encoder_engine  # noqa: E402

RECIPES = ("main", "siblings_as_none", "near_as_app", "no_near_negatives", "more_generated")
SETS = "../shared/eval/slurp_dev.jsonl,../shared/eval/snips.jsonl,../shared/eval/dev.jsonl"


def adapter_views(orchestrator, rows: list[dict], calibrating: bool) -> None:
    """Each row's ``q``: every app's adapter call probability, under the adapter for the language
    the (calibrating or deployed) router reads; and ``other``, that reading."""
    registry, deployed = orchestrator.registry, orchestrator.router
    router = routing.Router(registry, encoder=deployed.encoder, calibrating=calibrating)
    router.floor = 0.0
    every_app = len(registry.apps)
    router.candidates = lambda probs, limit=every_app: routing.Router.candidates(router, probs, every_app)
    orchestrator.router = router
    queries = [row["query"] for row in rows]
    try:
        verdicts = orchestrator.judge(queries)
    finally:
        orchestrator.router = deployed
    for row, verdict, other in zip(rows, verdicts, router.other_language(queries), strict=True):
        row["q"], row["other"] = {c.app: c.adapter for c in verdict.candidates}, other


def recipe_groups(recipe: str, groups: dict[str, list[str]]) -> dict[str, list[str]]:
    """The head's training groups (``router_training_set``) rewritten by ``recipe``."""
    out: dict[str, list[str]] = {}
    for name, texts in groups.items():
        parts = name.split(":")
        own = len(parts) == 2 and parts[0] != routing.NONE and parts[1] in ("sibling", "hard")
        hard = name.startswith(f"{routing.NONE}:hard:") and len(parts) == 3  # English hard negatives
        if recipe == "no_near_negatives" and (own or hard):
            continue
        if recipe == "siblings_as_none" and own:
            out.setdefault(f"{routing.NONE}:{parts[1]}:{parts[0]}", []).extend(texts)
        elif recipe == "near_as_app" and hard:
            out.setdefault(f"{parts[2]}:hard", []).extend(texts)
        else:
            out.setdefault(name, []).extend(texts)
    return out


def recipe_router(registry, encoder, recipe: str, calibrating: bool) -> routing.Router:
    base_set, base_count = routing.router_training_set, routing.GENERATED_PER_FUNCTION

    def training_set(registry, calibrating=False, languages=()):
        routing.GENERATED_PER_FUNCTION = 60 if recipe == "more_generated" else base_count
        try:
            return recipe_groups(recipe, base_set(registry, calibrating, languages))
        finally:
            routing.GENERATED_PER_FUNCTION = base_count

    class RecipeRouter(routing.Router):
        def _key(self) -> str:
            return f"{super()._key()}-{recipe}"

    routing.router_training_set = training_set
    try:
        return RecipeRouter(registry, encoder=encoder, calibrating=calibrating)
    finally:
        routing.router_training_set = base_set


def candidates(router: routing.Router, rows: list[dict]) -> list[list[Candidate]]:
    probs = router.probabilities([row["query"] for row in rows])
    return [
        [Candidate(app, p, row["q"].get(app)) for app, p in router.candidates(ps)]
        for row, ps in zip(rows, probs, strict=True)
    ]


def scores(rows: list[dict], found: list[list[Candidate]], decisions: dict[bool, tuple]) -> tuple[float, float]:
    return rates([decide(c, *decisions[row["other"]]).app for row, c in zip(rows, found, strict=True)], rows)


def rates(calls: list[str | None], rows: list[dict]) -> tuple[float, float]:
    """In-scope rate (a call to the row's app) and false-call rate, in percent."""
    served = [(call, row["label"]) for call, row in zip(calls, rows, strict=True) if row["label"]]
    unserved = [call for call, row in zip(calls, rows, strict=True) if not row["label"]]
    in_scope = 100 * sum(call == label for call, label in served) / max(1, len(served))
    return in_scope, 100 * sum(call is not None for call in unserved) / max(1, len(unserved))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipes", default=",".join(RECIPES))
    parser.add_argument("--sets", default=SETS)
    parser.add_argument("--views", type=Path, help="a JSON file to keep the adapter views in")
    parser.add_argument("--limit", type=int, help="the first N requests of each set (a quick look)")
    args = parser.parse_args()
    registry = load_registry(ROOT / "registry.yaml")
    if args.views and args.views.is_file():
        data = json.loads(args.views.read_text())
    else:
        queries, labels = validation_requests(registry)
        data = {"calibration": [{"query": q, "label": a} for q, a in zip(queries, labels, strict=True)]}
        for path in args.sets.split(","):
            data[Path(path).stem] = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
            for row in data[Path(path).stem]:
                row["label"] = row["app"]
        data = {name: rows[: args.limit] for name, rows in data.items()}
        from orchestrator.request.orchestrator import Orchestrator

        orchestrator = Orchestrator(registry)
        for name, rows in data.items():
            adapter_views(orchestrator, rows, calibrating=name == "calibration")
        if args.views:
            args.views.write_text(json.dumps(data))
    encoder = routing.ENCODERS[registry.router_encoder].load(encoder_engine(registry.weights))  # as served
    sets = [name for name in data if name != "calibration"]
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    print(f"machine: {machine}; app-level in scope / false calls (%)")
    print("| recipe | threshold | " + " | ".join(sets) + " | in scope at <= 5% false calls, " + sets[0] + " |")
    for recipe in args.recipes.split(","):
        calibrating = recipe_router(registry, encoder, recipe, calibrating=True)
        views = candidates(calibrating, data["calibration"])
        groups = {False: [], True: []}
        for row, found in zip(data["calibration"], views, strict=True):
            groups[row["other"]].append((Verdict(None, 0.5, found), row["label"]))
        english = fit_decision(groups[False])
        decisions = {False: english, True: fit_decision(groups[True]) if _can_fit(groups[True]) else english}
        deployed = recipe_router(registry, encoder, recipe, calibrating=False)
        cells, curve = [], []
        for name in sets:
            found = candidates(deployed, data[name])
            in_scope, false_calls = scores(data[name], found, decisions)
            cells.append(f"{in_scope:.1f} / {false_calls:.1f}")
            if name == sets[0]:
                for step in range(30, 96):
                    decision = (step / 100, *english[1:])
                    curve.append(scores(data[name], found, {False: decision, True: decision}))
        best = max((i for i, f in curve if f <= 5.0), default=float("nan"))
        print(f"| {recipe} | {english[0]:.2f} | " + " | ".join(cells) + f" | {best:.1f} |")


if __name__ == "__main__":
    main()
