"""What batching buys the q8_0 engine: llama.cpp decoding N sequences in one batch vs alone.

The q8_0 engine decodes one app's rows of a server batch together. What that is worth depends on
the CPU: one ``llama_decode`` over N sequences reads each weight once, so it pays where a step is
bound by memory and not where it is bound by arithmetic. This measures both on one app's merged
Q8_0 file (``orchestrator/engines/gguf_apps.py``), with N dev requests'
prompts as orch writes them:

* prefill: N prompts one after the other (one sequence each time) vs in one batch (N sequences);
* decode: ``--steps`` steps of one token per sequence, N calls of one token vs one call of N.

    python benchmarks/llama_batch.py [--batch 8] [--steps 12] [--rounds 5] [--app doordash]

It drives the engine's own ``AppContext`` (``orchestrator/engines/llama_backend.py``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestrator.engines.llama_backend import SEQUENCES  # noqa: E402
from orchestrator.evaluation.evaluate import read_rows  # noqa: E402
from orchestrator.registry import load_registry  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def measure(context, prompts: list[list[int]], steps: int) -> dict[str, float]:
    """ms of a prefill and of the decode steps, sequence by sequence and as one batch, through
    the engine's own ``AppContext`` (each pass copies out the logits decoding reads)."""
    token = [prompts[0][-1]]  # any token: the cost of a step does not depend on which
    alone_prefill = alone_steps = 0.0
    for prompt in prompts:
        alone_prefill += timed(lambda prompt=prompt: context.read_rows([prompt]))  # a cleared cache
        alone_steps += sum(timed(lambda: context.feed([(0, token)])) for _ in range(steps))
    batch_prefill = timed(lambda: context.read_rows(prompts))
    every = [(sequence, token) for sequence in range(len(prompts))]
    batch_steps = sum(timed(lambda: context.feed(every)) for _ in range(steps))
    return {
        "alone_prefill": alone_prefill,
        "batch_prefill": batch_prefill,
        "alone_steps": alone_steps,
        "batch_steps": batch_steps,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", default=str(ROOT / "registry.yaml"))
    parser.add_argument("--batch", type=int, default=SEQUENCES, help=f"Sequences (at most {SEQUENCES}).")
    parser.add_argument("--steps", type=int, default=12, help="Decode steps per sequence (a call's ~5 passes, x2).")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--app", default="doordash")
    args = parser.parse_args()
    import torch

    from orchestrator.engines.adapter_pool import read_app_adapter
    from orchestrator.engines.base_model import load_base
    from orchestrator.engines.gguf_apps import app_gguf_path
    from orchestrator.engines.llama_backend import AppContext
    from orchestrator.evaluation.bench import machine_line
    from orchestrator.request.orchestrator import Orchestrator

    if not 1 <= args.batch <= SEQUENCES:
        raise SystemExit(f"llama_batch: --batch must be 1 to {SEQUENCES}")
    registry = load_registry(args.registry)
    registry.weights = "q8_0"
    orch = Orchestrator(registry, base=load_base(registry, device="cpu"))
    adapter, path = read_app_adapter(registry, args.app, orch.base)
    gguf = app_gguf_path(orch.base, adapter, path / "adapter_model.safetensors")
    prompts = [orch._prompt(row.query) for row in read_rows(DEV)[: args.batch]]
    n_ctx = sum(len(p) for p in prompts) + args.batch * args.steps + 64
    context = AppContext(str(gguf), n_ctx, torch.get_num_threads())
    measure(context, prompts, args.steps)  # warm-up
    runs = [measure(context, prompts, args.steps) for _ in range(args.rounds)]
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
