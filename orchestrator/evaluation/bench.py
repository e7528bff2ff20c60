"""``orch bench``: every speed figure of the project, measured in one run, printed as one table.

Includes the paper's comparison on the same base model: a RAG baseline that retrieves the top-k
function descriptions for the request (same MiniLM encoder) into the prompt of the *untuned*
base and asks it for the call, against orch's functional-token path with the app's adapter.
"""

from __future__ import annotations

import json
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import torch

from orchestrator.calls import Call, prompt_text, validate_arguments
from orchestrator.errors import OrchError
from orchestrator.evaluation.evaluate import EvalRow, percentile, pyplot
from orchestrator.evaluation.scoring import arguments_match
from orchestrator.request.orchestrator import Orchestrator

RAG_TOP_K = 3
RAG_MAX_NEW_TOKENS = 64


def _timed(fn, *args, **kwargs) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, (time.perf_counter() - started) * 1000


def cold_start_seconds(registry_path: Path, runs: int = 2) -> float:
    """Wall time of a fresh ``orch run`` process, best of ``runs`` (file cache warm). Run before
    any other child process, so that ``peak_mb(children=True)`` is that process's peak."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "orchestrator.cli",
                "--registry",
                str(registry_path),
                "run",
                "order pizza",
                "--json",
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise OrchError(
                f"cold-start run failed: {done.stderr.strip().splitlines()[-1] if done.stderr else done.returncode}"
            )
        times.append(time.perf_counter() - started)
    return min(times)


def peak_mb(children: bool = False) -> float:
    """Peak resident memory (MB) of this process, or of the largest child it has waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return usage.ru_maxrss / 1024  # Linux reports KiB


def warm_calls(
    orch: Orchestrator, rows: list[EvalRow], app_fixed: bool = False, top1: bool = False, rounds: int = 3
) -> dict[str, float]:
    """Warm calls: routed and decided by router and adapters together, or with the app given
    (``app_fixed``), or by the earlier rule (``top1``): the router's best class alone picks the
    app, whose adapter then decides by itself. Each request's latency is its median over
    ``rounds`` passes over the set (one pass is too noisy to compare two paths)."""
    latencies: list[list[float]] = [[] for _ in rows]
    tokens, hits = [], 0
    for round_ in range(rounds):
        for i, row in enumerate(rows):
            if top1:
                call, ms = _timed(_top1_call, orch, row.query)
            else:
                call, ms = _timed(orch.run, row.query, app=row.app if app_fixed else None)
            latencies[i].append(ms)
            if round_ == 0:
                tokens.append(call.generated_tokens)
                hits += call.app == row.app and call.function == row.function
    medians = [statistics.median(times) for times in latencies]
    return {
        "p50_ms": percentile(medians, 50),
        "p95_ms": percentile(medians, 95),
        "tokens": statistics.mean(tokens),
        "function_accuracy": hits / len(rows),
    }


def _top1_call(orch: Orchestrator, query: str):
    route = orch.router.route(query)
    return orch.run(query, app=route.app) if route.app else Call(query, None, None)


def adapter_swaps(orch: Orchestrator, apps: list[str], rounds: int = 5) -> dict[str, float]:
    """Cold load (read from disk + first merge) and switch between resident adapters."""
    pool = orch.pool
    loads, switches = [], []
    for _ in range(rounds):
        for app in apps:
            pool.evict(app)
        for app in apps:
            _, ms = _timed(pool.activate, app)
            loads.append(ms)
        for app in apps:
            _, ms = _timed(pool.activate, app)
            switches.append(ms)
    return {"cold_load_ms": statistics.median(loads), "switch_ms": statistics.median(switches)}


# ----- the RAG baseline (paper's comparison) --------------------------------------------------------
class RagBaseline:
    """Retrieve top-k function descriptions, put them in the prompt, let the untuned base write JSON."""

    def __init__(self, orch: Orchestrator) -> None:
        self.orch = orch
        self.functions = [(app, fn) for app in orch.registry.apps.values() for fn in app.functions]
        texts = [f"{fn.name}: {fn.description}" for _, fn in self.functions]
        self.embeddings = orch.router.embed(texts)

    def prompt(self, query: str) -> str:
        sims = self.orch.router.embed([query]) @ self.embeddings.T
        top = sims[0].topk(RAG_TOP_K).indices.tolist()
        tools = [self.functions[i][1].to_tool()["function"] for i in top]
        system = (
            "You call functions. Available functions:\n"
            + "\n".join(json.dumps(t) for t in tools)
            + '\nReply with only JSON: {"name": <function name>, "arguments": {...}}, '
            'or {"name": null} if no function fits.'
        )
        tokenizer = self.orch.base.tokenizer
        if not tokenizer.chat_template:
            # Gemma's GGUF carries no chat template (and Gemma has no system turn): the
            # instructions open the user's turn of the registry's prompt.
            return prompt_text(self.orch.registry.prompt_template, f"{system}\n\n{query}")
        messages = [{"role": "system", "content": system}, {"role": "user", "content": query}]
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    @torch.inference_mode()
    def run(self, query: str) -> tuple[str | None, str | None, dict, int]:
        tokenizer = self.orch.base.tokenizer
        ids = tokenizer(self.prompt(query), return_tensors="pt", add_special_tokens=False).input_ids.to(
            self.orch.base.device
        )
        out = self.orch.base.model.generate(
            ids, max_new_tokens=RAG_MAX_NEW_TOKENS, do_sample=False, pad_token_id=tokenizer.eos_token_id
        )
        text = tokenizer.decode(out[0, ids.shape[1] :], skip_special_tokens=True)
        app, function, arguments = self.parse(text)
        return app, function, arguments, ids.shape[1]

    def parse(self, text: str) -> tuple[str | None, str | None, dict]:
        match = re.search(r"\{.*\}", text, re.S)
        try:
            data = json.loads(match.group(0)) if match else {}
        except json.JSONDecodeError:
            data = {}
        name = data.get("name") if isinstance(data, dict) else None
        for app, fn in self.functions:
            if fn.name == name:
                arguments = data.get("arguments") if isinstance(data.get("arguments"), dict) else {}
                return app.name, fn.name, arguments
        return None, None, {}


def rag_vs_orch(orch: Orchestrator, rows: list[EvalRow]) -> dict[str, dict[str, float]]:
    """Prompt tokens, latency and accuracy of both paths on the same requests and base model."""
    registry = orch.registry
    results: dict[str, dict[str, float]] = {}
    for name in ("orch", "rag"):
        latencies, prompt_tokens, fn_hits, exact = [], [], 0, 0
        if name == "rag":
            for app in list(orch.pool.resident):
                orch.pool.evict(app)  # the untuned base: no adapter applied
            rag = RagBaseline(orch)
        for row in rows:
            started = time.perf_counter()
            if name == "rag":
                app, function, arguments, n_prompt = rag.run(row.query)
            else:
                call = orch.run(row.query)
                app, function, arguments = call.app, call.function, call.arguments
                n_prompt = len(orch.base.tokenizer(registry.prompt_template.replace("{query}", call.query)).input_ids)
            latencies.append((time.perf_counter() - started) * 1000)
            prompt_tokens.append(n_prompt)
            if app == row.app and function == row.function:
                fn_hits += 1
                if function is None:
                    exact += 1
                else:
                    fn = registry.app(app).function(function)
                    try:
                        validate_arguments(fn, arguments)
                        exact += arguments_match(fn, arguments, row.arguments)
                    except OrchError:
                        pass
        results[name] = {
            "prompt_tokens": statistics.mean(prompt_tokens),
            "p50_ms": percentile(latencies, 50),
            "function_accuracy": fn_hits / len(rows),
            "exact_match": exact / len(rows),
        }
    return results


def machine_line(orch: Orchestrator) -> str:
    """Where the figures come from: device, threads, dtype, and whether the CPU has native bf16
    (without it orch runs in float32, far slower, so figures compare only within one machine)."""
    from orchestrator.engines.base_model import cpu_has_bf16

    dtype = str(orch.base.dtype).removeprefix("torch.")
    dtype += " base, calls in q8_0 on llama.cpp" if orch.weights == "q8_0" else ""
    if orch.base.device.type != "cpu":
        return f"device {orch.base.device}, {dtype}"
    native = "native bf16" if cpu_has_bf16() else "no native bf16"
    fallback = f"; fast engine unavailable: {orch.engine_note}" if orch.engine_note else ""
    return f"CPU, {torch.get_num_threads()} threads, {native}, {dtype}{fallback}"


def run_bench(registry_path: Path, rows: list[EvalRow], rag_rows: int = 20) -> dict[str, Any]:
    from orchestrator.registry import load_registry

    report: dict[str, Any] = {"n": len(rows)}
    report["cold_start_s"] = cold_start_seconds(registry_path)
    report["cold_start_peak_mb"] = peak_mb(children=True)
    registry = load_registry(registry_path)
    orch, load_ms = _timed(Orchestrator, registry)
    report["load_ms"] = load_ms
    report["machine"] = machine_line(orch)
    for row in rows[:3]:
        orch.run(row.query)  # warm-up: first-call allocations, grammar compiles
    router_ms = [_timed(orch.router.route, row.query)[1] for row in rows]
    report["router"] = {"p50_ms": percentile(router_ms, 50), "p95_ms": percentile(router_ms, 95)}
    report["warm"] = warm_calls(orch, rows)
    report["warm_top1"] = warm_calls(orch, rows, top1=True)
    # Serving so far: base, router, every app's adapter, the calls; before the measurements below
    # load what serving does not (the other pool modes, the RAG baseline's torch generation).
    report["serving_peak_mb"] = peak_mb()
    report["torch_weights_loaded"] = orch.base.loaded
    report["adapters"] = adapter_swaps(orch, list(registry.apps))
    in_scope = [r for r in rows if r.app]
    modes = {}
    for mode in ("unmerged", "merged") if orch.weights != "q8_0" else ():  # q8_0: every app is merged
        orch.pool.evict(orch.pool.active) if orch.pool.active else None
        orch.pool = type(orch.pool)(orch.base, registry, mode=mode)
        for row in in_scope[:3]:
            orch.run(row.query, app=row.app)
        modes[mode] = warm_calls(orch, in_scope, app_fixed=True)
    report["modes"] = modes
    report["rag_vs_orch"] = rag_vs_orch(orch, rows[:rag_rows] if rag_rows else rows)
    report["rag_rows"] = min(rag_rows or len(rows), len(rows))
    return report


def format_report(r: dict[str, Any]) -> str:
    m, rag = r["modes"], r["rag_vs_orch"]
    lines = [
        f"orch bench ({r['n']} requests; {r['machine']})",
        f"{'measure':<44} {'value':>12}",
        "-" * 57,
        f"{'cold start: orch run wall time (s)':<44} {r['cold_start_s']:>12.2f}",
        f"{'cold start: orch run peak memory (MB)':<44} {r['cold_start_peak_mb']:>12.0f}",
        f"{'serving: peak memory after warm calls (MB)':<44} {r['serving_peak_mb']:>12.0f}",
        f"{'serving: torch weights loaded':<44} {'yes' if r['torch_weights_loaded'] else 'no':>12}",
        f"{'in-process load: base + router + pool (ms)':<44} {r['load_ms']:>12.0f}",
        f"{'router latency p50 / p95 (ms)':<44} {r['router']['p50_ms']:>6.1f} / {r['router']['p95_ms']:<5.1f}",
        f"{'warm call p50 / p95, pooled decision (ms)':<44} {r['warm']['p50_ms']:>6.0f} / {r['warm']['p95_ms']:<5.0f}",
        f"{'  function accuracy, pooled decision':<44} {r['warm']['function_accuracy']:>12.1%}",
        f"{'warm call p50 / p95, router top-1 alone (ms)':<44} "
        f"{r['warm_top1']['p50_ms']:>6.0f} / {r['warm_top1']['p95_ms']:<5.0f}",
        f"{'  function accuracy, router top-1 alone':<44} {r['warm_top1']['function_accuracy']:>12.1%}",
        f"{'tokens per call (incl. functional + end)':<44} {r['warm']['tokens']:>12.1f}",
        f"{'adapter cold load (ms)':<44} {r['adapters']['cold_load_ms']:>12.1f}",
        f"{'adapter switch, resident (ms)':<44} {r['adapters']['switch_ms']:>12.1f}",
    ]
    if m:
        lines += [
            f"{'call p50, unmerged LoRA hooks (ms)':<44} {m['unmerged']['p50_ms']:>12.0f}",
            f"{'call p50, merged on switch (ms)':<44} {m['merged']['p50_ms']:>12.0f}",
            f"{'  merged speed-up (unmerged / merged)':<44} {m['unmerged']['p50_ms'] / m['merged']['p50_ms']:>11.2f}x",
        ]
    lines += [
        "",
        f"RAG baseline vs functional tokens (same base, first {r['rag_rows']} requests)",
        f"{'path':<22} {'prompt tok':>10} {'p50 ms':>8} {'function':>9} {'exact':>7}",
    ]
    for name, label in (("rag", "RAG top-3 + untuned"), ("orch", "orch functional token")):
        x = rag[name]
        lines.append(
            f"{label:<22} {x['prompt_tokens']:>10.0f} {x['p50_ms']:>8.0f} "
            f"{x['function_accuracy']:>9.1%} {x['exact_match']:>7.1%}"
        )
    lines.append(
        f"{'ratio rag / orch':<22} {rag['rag']['prompt_tokens'] / rag['orch']['prompt_tokens']:>9.1f}x "
        f"{rag['rag']['p50_ms'] / rag['orch']['p50_ms']:>7.1f}x"
    )
    return "\n".join(lines)


def plot_report(r: dict[str, Any], path: str | Path) -> None:
    plt = pyplot()

    rag = r["rag_vs_orch"]
    labels = ["RAG + untuned base", "orch functional token"]
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
    for ax, key, title in zip(
        axes,
        ("prompt_tokens", "p50_ms", "function_accuracy"),
        ("prompt tokens", "latency p50 (ms)", "function accuracy"),
        strict=False,
    ):
        values = [rag["rag"][key], rag["orch"][key]]
        ax.bar(labels, values, color=["#bbb", "#3a7"])
        ax.set_title(title)
        ax.tick_params(axis="x", labelsize=8)
    fig.suptitle(f"orch vs RAG baseline on {r['rag_rows']} requests (same base model)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
