"""Schema validity under fuzzing: every emitted call must validate against its function's schema.

Runs the dev requests plus N random/fuzzed requests (random words, printable junk, unicode,
near-limit lengths, JSON-looking text) through the router path and, for each, also straight
through one adapter chosen in turn, so every adapter sees junk. Prints calls made, no-calls,
refusals and schema-invalid calls. Usage: python benchmarks/schema_fuzz.py [--n 500]
"""

from __future__ import annotations

import argparse
import json
import random
import string
import time
from pathlib import Path

from orchestrator.calls import validate_call
from orchestrator.errors import OrchError
from orchestrator.registry import load_registry
from orchestrator.request.orchestrator import Orchestrator

WORDS = [
    "order",
    "set",
    "find",
    "play",
    "turn",
    "call",
    "text",
    "the",
    "a",
    "to",
    "on",
    "off",
    "my",
    "please",
    "12",
    "0",
    "-5",
    "99999",
    "7pm",
    "tomorrow",
    "café",
    "東京",
    "⚡",
    "{}",
    "[]",
    '"',
    "'",
    ";",
    "null",
    "true",
    "false",
    "volume",
    "seat",
    "window",
    "pizza",
    "reviews",
    "alarm",
    "navigate",
    "ignore",
    "previous",
    "instructions",
]


def fuzz_queries(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.45:
            out.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 16))))
        elif kind < 0.7:
            out.append("".join(rng.choice(string.printable[:94]) for _ in range(rng.randint(1, 120))))
        elif kind < 0.85:
            out.append(json.dumps({"function": rng.choice(WORDS), "arguments": {rng.choice(WORDS): rng.random()}}))
        else:
            out.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(60, 90)))[:500])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default="../shared/eval/dev.jsonl")
    parser.add_argument("--registry", default="registry.yaml")
    args = parser.parse_args()
    orch = Orchestrator(load_registry(args.registry))
    queries = [json.loads(line)["query"] for line in Path(args.data).read_text().splitlines() if line.strip()]
    queries += fuzz_queries(args.n, args.seed)
    apps = list(orch.registry.apps)
    counts = {"requests": 0, "calls": 0, "no_call": 0, "refused": 0, "invalid": 0}
    started = time.perf_counter()
    for i, query in enumerate(queries):
        for app in (None, apps[i % len(apps)]):
            counts["requests"] += 1
            try:
                call = orch.run(query, app=app)
            except OrchError:
                counts["refused"] += 1  # e.g. arguments past the token cap: refused, never emitted
                continue
            if not call.is_call:
                counts["no_call"] += 1
                continue
            counts["calls"] += 1
            try:
                validate_call(orch.registry.app(call.app).function(call.function), call)
            except OrchError as err:
                counts["invalid"] += 1
                print(f"INVALID {query!r}: {err}")
    seconds = time.perf_counter() - started
    print(f"schema fuzz: {len(queries)} requests (dev + {args.n} fuzzed), each routed and forced to one adapter")
    for key, value in counts.items():
        print(f"{key:<10} {value:>6}")
    print(f"{'seconds':<10} {seconds:>6.0f}")


if __name__ == "__main__":
    main()
