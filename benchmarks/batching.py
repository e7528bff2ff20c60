"""Serving throughput: one request at a time vs a batch per adapter vs one mixed-adapter batch.

Takes the app-labelled requests of a dev file, cuts them into bursts of ``--batch`` requests with
apps interleaved (what a server queue holds under mixed load), and serves every burst three ways
on the same warm model:

* ``sequential``: one request after another, grouped by app (one adapter switch per group);
* ``grouped``: one merged-adapter ``decode_batch`` per app in the burst;
* ``mixed``: one ``decode_batch`` over the whole burst, each row under its own app's LoRA.

Prints calls/s, the speed-up over sequential and how many answers differ from the sequential
ones (both batched paths must give the same calls). The server uses the faster batched path
(``pool.batching`` in the registry). Usage:
    python benchmarks/batching.py [--batch 8] [--rounds 2] [--data ../shared/eval/dev.jsonl]
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

from orchestrator.calls import prompt_text
from orchestrator.request.orchestrator import Orchestrator

ROOT = Path(__file__).resolve().parent.parent


def interleaved(rows: list[dict]) -> list[dict]:
    """Requests with apps taking turns, as concurrent clients of different apps would send them."""
    by_app: dict[str, list[dict]] = {}
    for row in rows:
        by_app.setdefault(row["app"], []).append(row)
    mixed = itertools.zip_longest(*by_app.values())
    return [row for group in mixed for row in group if row is not None]


def serve_burst(orch: Orchestrator, burst: list[dict], how: str) -> list[tuple]:
    """Answer one burst; return (function, arguments) per request in burst order."""
    registry = orch.registry
    prompts = [
        orch.base.tokenizer(prompt_text(registry.prompt_template, r["query"]), add_special_tokens=False).input_ids
        for r in burst
    ]
    answers: list[tuple | None] = [None] * len(burst)
    if how == "mixed":
        model = orch.pool.activate_rows([r["app"] for r in burst])
        batch = [(registry.app(r["app"]), p) for r, p in zip(burst, prompts, strict=True)]
        decoded = orch.decoder.decode_batch(model, batch)
        return [(d.function, d.arguments) for d in decoded]
    for app in dict.fromkeys(r["app"] for r in burst):
        members = [i for i, r in enumerate(burst) if r["app"] == app]
        model = orch.pool.activate(app)
        if how == "grouped":
            decoded = orch.decoder.decode_batch(model, [(registry.app(app), prompts[i]) for i in members])
        else:
            decoded = [orch.decoder.decode(model, registry.app(app), prompts[i]) for i in members]
        for i, d in zip(members, decoded, strict=True):
            answers[i] = (d.function, d.arguments)
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "eval" / "dev.jsonl"))
    parser.add_argument("--registry", default=str(ROOT / "registry.yaml"))
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2, help="Passes over the data (the first warms up).")
    args = parser.parse_args()

    rows = [json.loads(line) for line in Path(args.data).read_text().splitlines() if line.strip()]
    requests = interleaved([r for r in rows if r.get("app")])
    bursts = [requests[i : i + args.batch] for i in range(0, len(requests), args.batch)]
    orch = Orchestrator.from_registry(args.registry)

    results: dict[str, dict] = {}
    reference: list[list[tuple]] = []
    for how in ("sequential", "grouped", "mixed"):
        for _ in range(args.rounds):
            started = time.perf_counter()
            answers = [serve_burst(orch, burst, how) for burst in bursts]
            seconds = time.perf_counter() - started
        if how == "sequential":
            reference = answers
        pairs = zip(itertools.chain(*answers), itertools.chain(*reference), strict=True)
        differing = sum(got != expected for got, expected in pairs)
        results[how] = {"seconds": seconds, "calls_per_s": len(requests) / seconds, "differing": differing}

    base = results["sequential"]["calls_per_s"]
    print(f"{len(requests)} requests in bursts of {args.batch} (last of {args.rounds} rounds timed)")
    print(f"{'path':<12}{'calls/s':>10}{'vs sequential':>15}{'differing':>11}")
    for how, r in results.items():
        print(f"{how:<12}{r['calls_per_s']:>10.2f}{r['calls_per_s'] / base:>14.2f}x{r['differing']:>11}")


if __name__ == "__main__":
    main()
