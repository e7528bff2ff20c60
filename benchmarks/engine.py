"""orch's built-in server vs the vLLM engine behind the same API, under 1, 8 and 32 clients.

    .venv/bin/python benchmarks/engine.py [--seconds 40] [--clients 1,8,32] [--data FILE]

Each engine is started as ``orch serve [--engine vllm]`` on a free port (the vLLM one starts
``vllm serve`` on a fresh export itself, so ``make vllm`` comes first). Every distinct request
is first answered alone by the built-in server; then, per engine and client count, the clients
send the shuffled mixed-app dev requests back to back for ``--seconds``. One table: requests/s,
latency p50/p95, errors, and answers that differ from the built-in server's solo answer.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from load_test import HOST, Load, answer, free_port, run_load, start_server

from orchestrator.engines.base_model import cpu_has_bf16

ENGINES = {"orch (built-in)": (), "vLLM": ("--engine", "vllm")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--data", default="../shared/eval/dev.jsonl")
    parser.add_argument("--registry", default="registry.yaml")
    args = parser.parse_args()
    levels = [int(n) for n in args.clients.split(",")]
    queries = [json.loads(line)["query"] for line in Path(args.data).read_text().splitlines() if line.strip()]
    random.Random(0).shuffle(queries)

    results: dict[tuple[str, int], Load] = {}
    expected: dict[str, tuple] = {}
    for name, extra in ENGINES.items():
        port = free_port()
        server = start_server(args.registry, port, None, extra, timeout_s=900)
        url = f"http://{HOST}:{port}/v1/call"
        try:
            with httpx.Client(timeout=120) as http:
                solo = {q: answer(http.post(url, json={"query": q}).json()) for q in queries}
            expected = expected or solo  # the built-in server's solo answers are the reference
            for clients in levels:
                results[name, clients] = run_load(url, queries, expected, clients, args.seconds)
                load = results[name, clients]
                print(f"{name}, {clients} clients: {load.rate:.2f} req/s", file=sys.stderr)
        finally:
            server.terminate()
            server.wait(timeout=120)

    cpu = "with native bf16 (bf16)" if cpu_has_bf16() else "without native bf16 (float32)"
    print(f"{platform.processor() or platform.machine()}, CPU {cpu}; {args.seconds:g} s per row")
    header = ("clients", "requests", "req/s", "p50 ms", "p95 ms", "errors", "differ")
    print(f"{'engine':<16} " + " ".join(f"{h:>8}" for h in header))
    for (name, clients), load in results.items():
        print(
            f"{name:<16} {clients:>8} {len(load.latencies):>8} {load.rate:>8.2f} {load.p50:>8.0f} "
            f"{load.p95:>8.0f} {load.errors:>8} {load.wrong:>8}"
        )


if __name__ == "__main__":
    main()
