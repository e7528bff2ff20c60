"""What the tuned English encoder's dtype costs and buys: one table from one process.

The router reads an English request over the tuned all-MiniLM-L6-v2 too, in the base's dtype
(``default_dtype``: bf16 where the CPU has native bf16 math). This times, request by request on
``--data``, the encoder's forward pass, the router and a warm ``Orchestrator.run`` with the
encoder's weights in float32 and in bf16, the two interleaved over ``--rounds`` rounds so that a
busy machine slows both alike, and prints how far the two dtypes' embeddings lie apart.

    python benchmarks/router_dtype.py [--data ../shared/eval/dev.jsonl] [--rounds 3]
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestrator.evaluation.bench import machine_line  # noqa: E402
from orchestrator.evaluation.evaluate import read_rows  # noqa: E402
from orchestrator.registry import load_registry  # noqa: E402
from orchestrator.request.orchestrator import Orchestrator  # noqa: E402


def median_ms(step: Callable[[str], object], queries: list[str]) -> float:
    times = []
    for query in queries:
        start = time.perf_counter()
        step(query)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "eval" / "dev.jsonl"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    orchestrator = Orchestrator(load_registry(ROOT / "registry.yaml"))
    if orchestrator.router.tuned is None:
        sys.exit("registry.yaml names no tuned English encoder: run orch train-router first")
    queries = [row.query for row in read_rows(args.data)]
    encoder = orchestrator.router.tuned.encoder
    weights = {"float32": copy.deepcopy(encoder.model).float(), "bfloat16": copy.deepcopy(encoder.model).bfloat16()}
    embeddings = {}
    for name, model in weights.items():
        encoder.model = model
        embeddings[name] = encoder.encode(queries, normalize_embeddings=True)
    cosine = torch.nn.functional.cosine_similarity(embeddings["float32"], embeddings["bfloat16"]).min()
    for query in queries:  # warm: llama.cpp, the adapters, both dtypes' kernels
        orchestrator.run(query)
    steps = {
        "encoder forward pass": lambda q: encoder.model(**encoder.tokenizer([q], return_tensors="pt")),
        "router (e5 and tuned MiniLM)": orchestrator.router.route,
        "warm call (orch run)": orchestrator.run,
    }
    results: dict[tuple[str, str], list[float]] = {}
    with torch.inference_mode():
        for _ in range(args.rounds):
            for name, model in weights.items():
                encoder.model = model
                for step, run in steps.items():
                    results.setdefault((step, name), []).append(median_ms(run, queries))
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"{machine_line(orchestrator)}; {len(queries)} requests of {args.data}"
    )
    print(f"embeddings, bf16 against float32: min cosine {cosine:.5f}")
    print("p50 (ms) per round, float32 / bf16 weights of the tuned encoder")
    print("| step | float32 | bf16 | bf16 / float32 (mean of rounds) |")
    print("|---|---|---|---|")
    for step in steps:
        full, half = results[(step, "float32")], results[(step, "bfloat16")]
        ratio = statistics.mean(half) / statistics.mean(full)
        cells = [" / ".join(f"{v:.1f}" for v in values) for values in (full, half)]
        print(f"| {step} | {cells[0]} | {cells[1]} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
