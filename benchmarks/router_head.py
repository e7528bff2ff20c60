"""How does the router head's L2 penalty move its own decision on real requests? One table.

The router is a logistic head over sentence embeddings (``orchestrator/request/router.py``). This
scores penalties on orch's own data, never on a measuring set, the way ``orch calibrate`` meets a
new source of requests: the head is fitted without the shipped real requests the apps serve
(generated ones only) and scored on the shipped corpus's held-out fifth (real requests, never
trained on): the share of in-scope ones routed to their app, of the others routed to none, and
their mean. The router's best class is not the call decision: that pools the router with the
adapters (``orch calibrate``, then ``orch eval``), and ``docs/accuracy.md`` says how a penalty
changed it.

    python benchmarks/router_head.py [--l2 1e-4,1e-5,1e-6,1e-7] [--encoder multilingual-e5-small|all-MiniLM-L6-v2]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestrator.corpus import is_heldout, load_corpus  # noqa: E402
from orchestrator.registry import load_registry  # noqa: E402
from orchestrator.request import router as routing  # noqa: E402
from orchestrator.request.encoder import ENCODERS, encoder_engine  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--l2", default="1e-4,1e-5,1e-6,1e-7")
    parser.add_argument("--encoder", default=next(iter(ENCODERS)), choices=list(ENCODERS))
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    registry = load_registry(ROOT / "registry.yaml")
    choice = ENCODERS[args.encoder]
    model = choice.load(encoder_engine(registry.weights))  # as served

    def embed(texts: list[str]) -> torch.Tensor:
        return model.encode(texts, normalize_embeddings=True, batch_size=64).float()

    classes = [*registry.apps, routing.NONE]
    languages = routing.head_languages(choice)
    x, y, parents = routing.training_matrix(registry, embed, calibrating=True, languages=languages)
    held = [line for line in load_corpus() if is_heldout(line)]
    held_x = embed([line.text for line in held])
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; encoder {args.encoder}")
    print(f"held-out real requests: {sum(bool(h.app) for h in held)} in scope, {sum(not h.app for h in held)} none")
    print(f"| L2 (router: {choice.l2:g}) | in-scope to their app | none to none | mean |")
    print("|---|---|---|---|")
    for l2 in [float(v) for v in args.l2.split(",")]:
        weight, bias = routing.fit_logistic(x, y, parents, l2)
        parts = torch.softmax(held_x @ weight.T + bias, dim=-1)
        probs = torch.zeros(len(held), len(classes)).index_add_(1, parents, parts)
        best = [None if classes[int(i)] == routing.NONE else classes[int(i)] for i in probs.argmax(dim=1)]
        hits = [b == h.app for b, h in zip(best, held, strict=True)]
        in_scope = [hit for hit, h in zip(hits, held, strict=True) if h.app]
        none = [hit for hit, h in zip(hits, held, strict=True) if not h.app]
        a, b = sum(in_scope) / len(in_scope), sum(none) / len(none)
        print(f"| {l2:g} | {a:.1%} | {b:.1%} | {(a + b) / 2:.1%} |", flush=True)


if __name__ == "__main__":
    main()
