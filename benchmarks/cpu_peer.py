"""orch's warm call against llama.cpp on the same base, the same requests and the same CPU threads.

orch runs twice in one process, one after the other: with the base's native float weights and
with ``decoding.weights: q8_0`` (each app merged into a Q8_0 GGUF, decoded by llama.cpp:
``orchestrator/engines/llama_backend.py``). For
each: warm p50/p95 over the dev requests (after one pass that loads every app), the cost of an
adapter switch, and with ``--accuracy`` dev, SNIPS and slurp_dev accuracy (``orch eval``'s scoring).
Each base given to ``--bases`` (both embedded bases by default) gets its own table, with its own
adapters and calibration from the registry.

For every dev request, orch answers it end to end (router, adapter, constrained decoding) and
llama.cpp, reading the same base as its 4-bit GGUF, generates as many tokens as orch generated
for that request: once unconstrained and once under the JSON-schema grammar of the function the
request expects (llama.cpp's own ``LlamaGrammar.from_json_schema``). So both sides do the same
number of decode steps and the table compares per-call cost, not answers. Each request's latency
is the median of ``--rounds`` passes. llama.cpp (``make install``) is optional: without it, its rows
and orch's q8_0 row are skipped with one line saying so.

    python benchmarks/cpu_peer.py [--rows N] [--rounds 3] [--accuracy] [--modes native,q8_0] [--bases SPEC,...]
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

from orchestrator.evaluation.evaluate import percentile, read_rows  # noqa: E402
from orchestrator.registry import EMBEDDED_PROMPTS, load_registry  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"


SNIPS = ROOT.parent / "shared" / "eval" / "snips.jsonl"
SLURP = ROOT.parent / "shared" / "eval" / "slurp_dev.jsonl"
MODES = {
    "native": "orch, native float weights",
    "q8_0": "orch, q8_0 on llama.cpp",
}


def orch_calls(registry_path: Path, spec: str, weights: str, rows, rounds: int, accuracy: bool) -> dict:
    """Warm end-to-end calls on base ``spec`` under one ``decoding.weights``: each request's median
    latency and generated-token count, the adapter switch cost, and optionally dev, SNIPS and
    slurp_dev accuracy."""
    from orchestrator.evaluation.bench import machine_line
    from orchestrator.evaluation.evaluate import evaluate
    from orchestrator.request.orchestrator import Orchestrator

    registry = load_registry(registry_path)
    missing = registry.use_base(spec)
    if missing:
        raise SystemExit(f"cpu_peer: no {spec} adapter for {', '.join(missing)} (orch train APP --base {spec})")
    registry.weights = weights
    orch = Orchestrator(registry)
    for row in rows:
        orch.run(row.query)  # warm-up: every app loaded, grammars compiled, first-call allocations
    times: list[list[float]] = [[] for _ in rows]
    tokens = [0] * len(rows)
    answers: list[tuple] = [()] * len(rows)
    for _ in range(rounds):
        for i, row in enumerate(rows):
            started = time.perf_counter()
            call = orch.run(row.query)
            times[i].append((time.perf_counter() - started) * 1000)
            tokens[i] = call.generated_tokens
            answers[i] = (call.app, call.function, call.arguments)
    result = {
        "answers": answers,
        "ms": [statistics.median(t) for t in times],
        "tokens": tokens,
        "machine": machine_line(orch),
        "switch_ms": switch_cost(orch),
    }
    if accuracy:
        result["dev"] = evaluate(orch, read_rows(DEV))
        result["snips"] = evaluate(orch, read_rows(SNIPS))
        result["slurp"] = evaluate(orch, read_rows(SLURP))
    return result


def switch_cost(orch, rounds: int = 5) -> float:
    """Median ms of an adapter switch plus one one-token step, minus that step alone: what a
    request for another app pays before its first token (native: the merge; q8_0: nothing but
    picking the app's resident context)."""
    import torch

    apps = [name for name in orch.registry.apps if orch.registry.adapter_dir(orch.registry.app(name))]
    ids = orch.base.tokenizer("order pizza", add_special_tokens=False).input_ids[:1]

    def step(app: str) -> float:
        started = time.perf_counter()
        if orch.weights == "q8_0":
            orch.pool.activate(app)
            orch.pool.load(app).read(ids)
        else:
            with torch.inference_mode():
                orch.pool.activate(app)(input_ids=torch.tensor([ids]), logits_to_keep=1)
        return (time.perf_counter() - started) * 1000

    switched, warm = [], []
    for _ in range(rounds):
        for app in apps:
            switched.append(step(app))
            warm.append(step(app))
    return statistics.median(switched) - statistics.median(warm)


def llama_calls(spec: str, registry, rows, tokens: list[int], rounds: int, threads: int) -> dict[str, list[float]]:
    """llama.cpp on the base's GGUF: unconstrained, and under each row's JSON-schema grammar."""
    from llama_cpp import Llama, LlamaGrammar

    from orchestrator.engines.base_model import embedded_gguf_path

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
    parser.add_argument("--accuracy", action="store_true", help="Also dev, SNIPS and slurp_dev accuracy per mode.")
    parser.add_argument("--modes", default=",".join(MODES), help=f"orch paths to run (of {', '.join(MODES)}).")
    parser.add_argument("--bases", default=",".join(EMBEDDED_PROMPTS), help="Bases to measure, one table each.")
    args = parser.parse_args()
    try:
        import llama_cpp
    except ImportError:
        llama_cpp = None
    modes = [mode for mode in args.modes.split(",") if mode in MODES]
    if llama_cpp is None and "q8_0" in modes:
        modes.remove("q8_0")
        print("orch q8_0: skipped (llama-cpp-python is not installed; run: make install)")
    rows = read_rows(DEV)[: args.rows or None]
    for spec in args.bases.split(","):
        peer_table(Path(args.registry), spec, modes, rows, args, llama_cpp)


def peer_table(registry_path: Path, spec: str, modes: list[str], rows, args, llama_cpp) -> None:
    """One base: orch's paths and llama.cpp's on the same requests, then their p50 ratios."""
    import torch

    runs = {mode: orch_calls(registry_path, spec, mode, rows, args.rounds, args.accuracy) for mode in modes}
    tokens = runs[modes[0]]["tokens"]
    print(f"\ncpu_peer ({len(rows)} dev requests, base {spec}; {runs[modes[0]]['machine']})")
    head = f"{'path':<44} {'p50 ms':>8} {'p95 ms':>8} {'tokens/call':>12} {'switch ms':>10}"
    print(head + "\n" + "-" * len(head))
    for mode in modes:
        run, label = runs[mode], MODES[mode]
        print(
            f"{label:<44} {percentile(run['ms'], 50):>8.0f} {percentile(run['ms'], 95):>8.0f} "
            f"{statistics.mean(run['tokens']):>12.1f} {run['switch_ms']:>10.0f}"
        )
    if args.accuracy:
        print(
            f"\n{'accuracy':<44} {'dev fn':>7} {'dev exact':>10} {'SNIPS fn':>9} {'SNIPS false':>12} "
            f"{'slurp in-scope fn':>18} {'slurp false':>12}"
        )
        for mode in modes:
            dev, snips, slurp = (runs[mode][name] for name in ("dev", "snips", "slurp"))
            print(
                f"{MODES[mode]:<44} {dev['function_accuracy']:>7.1%} {dev['exact_match']:>10.1%} "
                f"{snips['function_accuracy']:>9.1%} {snips['false_call_rate']:>12.1%} "
                f"{slurp['in_scope_function_accuracy']:>18.1%} {slurp['false_call_rate']:>12.1%}"
            )
    for mode in modes[1:]:
        pairs = zip(rows, runs[modes[0]]["answers"], runs[mode]["answers"], strict=True)
        differ = [row.query for row, a, b in pairs if a != b]
        print(f"dev calls of {MODES[mode]} that differ from {MODES[modes[0]]}: {len(differ)} {differ}")
    if llama_cpp is None:
        print("llama.cpp: skipped (llama-cpp-python is not installed; run: make install)")
        return
    registry = load_registry(registry_path)
    peer = llama_calls(spec, registry, rows, tokens, args.rounds, torch.get_num_threads())
    mean_tokens = statistics.mean(tokens)
    for kind, label in (("unconstrained", "unconstrained"), ("json_schema", "JSON-schema grammar")):
        ms = peer[kind]
        print(
            f"{f'llama.cpp {llama_cpp.__version__}, {label}':<44} {percentile(ms, 50):>8.0f} "
            f"{percentile(ms, 95):>8.0f} {mean_tokens:>12.1f}"
        )
    for mode in modes:
        ratio = percentile(runs[mode]["ms"], 50) / percentile(peer["json_schema"], 50)
        print(f"ratio {MODES[mode]} / llama.cpp grammar p50: {ratio:.2f}x")
    if "native" in modes and "q8_0" in modes:
        ratio = percentile(runs["q8_0"]["ms"], 50) / percentile(runs["native"]["ms"], 50)
        print(f"ratio {MODES['q8_0']} / {MODES['native']} p50: {ratio:.2f}x")


if __name__ == "__main__":
    main()
