"""What batching would buy the q8_0 engine: llama.cpp decoding N sequences in one batch vs alone.

The q8_0 engine decodes a server batch's rows one after the other. Whether it should decode them
together depends on the CPU: one ``llama_decode`` over N sequences reads each weight once, so it
pays where a step is bound by memory and not where it is bound by arithmetic. This measures both
on one app's merged Q8_0 file (``orchestrator/engines/gguf_apps.py``), with N dev requests'
prompts as orch writes them:

* prefill: N prompts one after the other (one sequence each time) vs in one batch (N sequences);
* decode: ``--steps`` steps of one token per sequence, N calls of one token vs one call of N.

    python benchmarks/llama_batch.py [--batch 8] [--steps 12] [--rounds 5] [--app doordash]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestrator.evaluation.evaluate import read_rows  # noqa: E402
from orchestrator.registry import load_registry  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"


class Batched:
    """One context over an app's file holding ``batch`` sequences in a shared (unified) KV cache."""

    def __init__(self, path: str, batch: int, n_ctx: int, threads: int) -> None:
        import llama_cpp as llama

        self.llama = llama
        llama.llama_backend_init()
        self.model = llama.llama_model_load_from_file(path.encode(), llama.llama_model_default_params())
        params = llama.llama_context_default_params()
        params.n_ctx = params.n_batch = n_ctx
        params.n_seq_max = batch
        params.kv_unified = True
        params.n_threads = params.n_threads_batch = threads
        params.no_perf = True
        self.ctx = llama.llama_init_from_model(self.model, params)
        self.memory = llama.llama_get_memory(self.ctx)
        self.batch = llama.llama_batch_init(n_ctx, 0, batch)

    def decode(self, items: list[tuple[int, int, int]]) -> float:
        """Feed (token, position, sequence) items in one call, logits after each sequence's last
        item (what decoding reads); its ms."""
        batch = self.batch
        batch.n_tokens = len(items)
        last = {sequence: i for i, (_, _, sequence) in enumerate(items)}
        for i, (token, position, sequence) in enumerate(items):
            batch.token[i], batch.pos[i], batch.n_seq_id[i] = token, position, 1
            batch.seq_id[i][0] = sequence
            batch.logits[i] = last[sequence] == i
        started = time.perf_counter()
        if self.llama.llama_decode(self.ctx, batch) != 0:
            raise SystemExit("llama_decode failed")
        return (time.perf_counter() - started) * 1000

    def clear(self) -> None:
        self.llama.llama_memory_clear(self.memory, True)


def measure(engine: Batched, prompts: list[list[int]], steps: int) -> dict[str, float]:
    """ms of a prefill and of the decode steps, sequence by sequence and as one batch."""
    token = prompts[0][-1]  # any token: the cost of a step does not depend on which
    alone_prefill = 0.0
    alone_steps = 0.0
    for prompt in prompts:
        engine.clear()
        alone_prefill += engine.decode([(t, p, 0) for p, t in enumerate(prompt)])
        alone_steps += sum(engine.decode([(token, len(prompt) + s, 0)]) for s in range(steps))
    engine.clear()
    batch_prefill = engine.decode([(t, p, s) for s, prompt in enumerate(prompts) for p, t in enumerate(prompt)])
    batch_steps = sum(
        engine.decode([(token, len(prompt) + step, s) for s, prompt in enumerate(prompts)]) for step in range(steps)
    )
    return {
        "alone_prefill": alone_prefill,
        "batch_prefill": batch_prefill,
        "alone_steps": alone_steps,
        "batch_steps": batch_steps,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", default=str(ROOT / "registry.yaml"))
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--steps", type=int, default=12, help="Decode steps per sequence (a call's ~5 passes, x2).")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--app", default="doordash")
    args = parser.parse_args()
    import torch

    from orchestrator.engines.adapter_pool import read_app_adapter
    from orchestrator.engines.base_model import load_base
    from orchestrator.engines.gguf_apps import app_gguf_path
    from orchestrator.evaluation.bench import machine_line
    from orchestrator.request.orchestrator import Orchestrator

    registry = load_registry(args.registry)
    registry.weights = "q8_0"
    orch = Orchestrator(registry, base=load_base(registry, device="cpu"))
    adapter, path = read_app_adapter(registry, args.app, orch.base)
    gguf = app_gguf_path(orch.base, adapter, path / "adapter_model.safetensors")
    prompts = [orch._prompt(row.query) for row in read_rows(DEV)[: args.batch]]
    n_ctx = sum(len(p) for p in prompts) + args.batch * args.steps + 64
    engine = Batched(str(gguf), args.batch, n_ctx, torch.get_num_threads())
    measure(engine, prompts, args.steps)  # warm-up
    runs = [measure(engine, prompts, args.steps) for _ in range(args.rounds)]
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    tokens = sum(len(p) for p in prompts)
    print(f"llama.cpp batching ({args.app}, {args.batch} dev prompts, {tokens} prompt tokens; {machine_line(orch)})")
    head = f"{'phase':<34} {'one by one ms':>14} {'one batch ms':>13} {'speed-up':>9}"
    print(head + "\n" + "-" * len(head))
    for phase, label in (("prefill", "prefill of every prompt"), ("steps", f"{args.steps} decode steps per sequence")):
        alone, batch = median[f"alone_{phase}"], median[f"batch_{phase}"]
        print(f"{label:<34} {alone:>14.1f} {batch:>13.1f} {alone / batch:>8.2f}x")
    alone = median["alone_prefill"] + median["alone_steps"]
    batch = median["batch_prefill"] + median["batch_steps"]
    print(f"{'both':<34} {alone:>14.1f} {batch:>13.1f} {alone / batch:>8.2f}x")


if __name__ == "__main__":
    main()
