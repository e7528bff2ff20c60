"""Does the tuned English encoder route crowd-written requests better? One table from one run.

The router's own decision (its best class: an app or none) on the shared English sets, in-scope
requests to their app and out-of-scope ones to none, for the committed registry's router three
ways: the frozen encoder's head alone (as without ``router.tuned_english``), the tuned MiniLM's
head alone, and their mean (what the router uses). Nothing here is trained or tuned on a
measuring set: both heads are fitted on orch's own training texts.

    python benchmarks/router_tuned.py [--sets dev,snips,slurp_dev]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from dataclasses import replace
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestrator.evaluation.evaluate import read_rows  # noqa: E402
from orchestrator.registry import load_registry  # noqa: E402
from orchestrator.request.router import NONE, Router, class_probabilities  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="dev,snips,slurp_dev")
    args = parser.parse_args()
    registry = load_registry(ROOT / "registry.yaml")
    if not registry.router_tuned_english:
        sys.exit("registry.yaml names no tuned English encoder: run orch train-router first")
    tuned = Router(registry)
    frozen = Router(replace(registry, router_tuned_english={}), encoder=tuned.encoder)
    head = tuned.tuned
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print("router decision (the best class): in scope to the right app / out of scope to none")
    print("| router | " + " | ".join(args.sets.split(",")) + " |")
    print("|---|" + "---|" * len(args.sets.split(",")))
    rows_by_set = {name: read_rows(EVAL / f"{name}.jsonl") for name in args.sets.split(",")}
    views = {
        "frozen encoder's head alone": lambda q: frozen.probabilities(q),
        "tuned encoder's head alone": lambda q: class_probabilities(
            tuned.embed(q, head.encoder), head.weight, head.bias, head.parent, len(tuned.classes)
        ),
        "mean of the two (the router)": lambda q: tuned.probabilities(q),
    }
    for name, probabilities in views.items():
        cells = []
        for rows in rows_by_set.values():
            probs: torch.Tensor = probabilities([r.query for r in rows])
            picks = [None if tuned.classes[i] == NONE else tuned.classes[i] for i in probs.argmax(dim=1).tolist()]
            served = [p == r.app for p, r in zip(picks, rows, strict=True) if r.app]
            unserved = [p is None for p, r in zip(picks, rows, strict=True) if not r.app]
            cells.append(f"{sum(served) / max(1, len(served)):.1%} / {sum(unserved) / max(1, len(unserved)):.1%}")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
