"""orch's warm call against llama.cpp on the same base, the same requests and the same CPU threads.

For every dev request, orch answers it end to end (router, adapter, constrained decoding) and
llama.cpp, reading the same base as its 4-bit GGUF, generates as many tokens as orch generated
for that request: once unconstrained and once under the JSON-schema grammar of the function the
request expects (llama.cpp's own ``LlamaGrammar.from_json_schema``). So both sides do the same
number of decode steps and the table compares per-call cost, not answers. Each request's latency
is the median of ``--rounds`` passes. llama.cpp (``pip install llama-cpp-python``) is optional:
without it, its rows are skipped with one line saying so.

    python benchmarks/cpu_peer.py [--rows N] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestrator.evaluation import percentile, read_rows  # noqa: E402
from orchestrator.registry import EMBEDDED_PROMPTS, load_registry  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def orch_calls(registry_path: Path, rows, rounds: int) -> tuple[list[float], list[int], str]:
    """Warm end-to-end calls: each request's median latency and generated-token count."""
    from orchestrator.bench import machine_line
    from orchestrator.orchestrator import Orchestrator

    orch = Orchestrator(load_registry(registry_path))
    for row in rows[:3]:
        orch.run(row.query)  # warm-up: first-call allocations, grammar compiles
    times: list[list[float]] = [[] for _ in rows]
    tokens = [0] * len(rows)
    for _ in range(rounds):
        for i, row in enumerate(rows):
            started = time.perf_counter()
            call = orch.run(row.query)
            times[i].append((time.perf_counter() - started) * 1000)
            tokens[i] = call.generated_tokens
    return [statistics.median(t) for t in times], tokens, machine_line(orch)


def llama_calls(spec: str, registry, rows, tokens: list[int], rounds: int, threads: int) -> dict[str, list[float]]:
    """llama.cpp on the base's GGUF: unconstrained, and under each row's JSON-schema grammar."""
    from llama_cpp import Llama, LlamaGrammar

    from orchestrator.base_model import embedded_gguf_path

    llm = Llama(model_path=str(embedded_gguf_path(spec)), n_threads=threads, n_ctx=512, verbose=False)
    template = EMBEDDED_PROMPTS[spec]
    grammars = {}
    for row in rows:
        if row.function and row.app and (row.app, row.function) not in grammars:
            schema = registry.app(row.app).function(row.function).parameters
            grammars[row.app, row.function] = LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
    results: dict[str, list[float]] = {"unconstrained": [], "json_schema": []}
    for kind in results:
        times: list[list[float]] = [[] for _ in rows]
        for _ in range(rounds + 1):  # the first pass warms caches and is not counted
            for i, row in enumerate(rows):
                grammar = grammars.get((row.app, row.function)) if kind == "json_schema" else None
                # The prompt exactly as orch tokenizes it: special tokens as written, no BOS added.
                prompt = llm.tokenize(template.replace("{query}", row.query).encode(), add_bos=False, special=True)
                llm.reset()  # no prefix reuse between requests: orch reuses none either
                started = time.perf_counter()
                llm(prompt, max_tokens=max(1, tokens[i]), temperature=0.0, grammar=grammar)
                times[i].append((time.perf_counter() - started) * 1000)
        results[kind] = [statistics.median(t[1:]) for t in times]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", default=str(ROOT / "registry.yaml"))
    parser.add_argument("--rows", type=int, default=0, help="First N dev requests (0: all).")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import torch

    registry = load_registry(args.registry)
    rows = read_rows(DEV)[: args.rows or None]
    orch_ms, tokens, machine = orch_calls(Path(args.registry), rows, args.rounds)
    threads = torch.get_num_threads()
    print(f"cpu_peer ({len(rows)} dev requests, base {registry.base_model}; {machine})")
    head = f"{'path':<44} {'p50 ms':>8} {'p95 ms':>8} {'tokens/call':>12}"
    print(head + "\n" + "-" * len(head))
    mean_tokens = statistics.mean(tokens)
    print(
        f"{'orch (router + adapter + grammar)':<44} {percentile(orch_ms, 50):>8.0f} {percentile(orch_ms, 95):>8.0f} "
        f"{mean_tokens:>12.1f}"
    )
    try:
        import llama_cpp
    except ImportError:
        print("llama.cpp: skipped (pip install llama-cpp-python to compare)")
        return
    peer = llama_calls(registry.base_model, registry, rows, tokens, args.rounds, threads)
    for kind, label in (("unconstrained", "unconstrained"), ("json_schema", "JSON-schema grammar")):
        ms = peer[kind]
        print(
            f"{f'llama.cpp {llama_cpp.__version__}, {label}':<44} {percentile(ms, 50):>8.0f} "
            f"{percentile(ms, 95):>8.0f} {mean_tokens:>12.1f}"
        )
    print(f"ratio orch / llama.cpp grammar p50: {percentile(orch_ms, 50) / percentile(peer['json_schema'], 50):.2f}x")


if __name__ == "__main__":
    main()
