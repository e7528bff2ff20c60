"""Tune the router's English encoder: a LoRA over all-MiniLM-L6-v2 that learns to tell the router's
sub-classes apart (``orch train-router``).

The router's head is a linear boundary over frozen sentence embeddings, and fitted fourteen ways it
stayed within two points on crowd-written requests (``docs/accuracy.md``): the embeddings place
"should i wear shorts today" nearer to small talk than to a weather request. Tuning the encoder
itself on the router's own English training set (``router.router_training_set``: generated
requests per function, the shipped real requests, sibling operations, hard negatives) moves the
requests of one sub-class together. The head is still fitted per registry over the tuned
embeddings (``router.Router``), so an app added later is learnt without tuning again; tuning again
(this command) lets the encoder learn it too.

Two adapters are written, as ``orch calibrate`` needs (``apps.calibrate_router``): ``deployed``,
tuned on the deployed router's set, and ``calibrating``, tuned on the calibrating router's (without
the real requests calibration measures on), so the decision is fitted on views of requests the
encoder never learnt.

The recipe: LoRA rank 16 on every linear layer, AdamW at 5e-4 with 10% warm-up and linear decay,
two epochs of batches of 32, cross-entropy over sub-classes on cosine logits (scale 20), each example
weighing by its class's square-root inverse frequency as the head's fit does: the adapters'
rank and rate (``training/trainer.py``), the first LoRA recipe tried (a full fine-tune at 5e-5
came before it, within a point of it and 90 MB); nothing in it was fitted to a measuring set.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from orchestrator.atomic import atomic_directory
from orchestrator.registry import TUNED_PARTS, Registry
from orchestrator.request.encoder import load_sentence_encoder, minilm_path
from orchestrator.request.router import class_weights, router_training_set, training_groups

# Where ``orch train-router`` writes, relative to the registry.
TUNED_DIR = Path("adapters/router/all-MiniLM-L6-v2")
TARGETS = ["query", "key", "value", "dense"]
# Cosine logits: the head's weights are normalised too, so this scale sets how sure it may be.
COSINE_SCALE = 20.0


@dataclass
class TuneConfig:
    epochs: int = 2
    learning_rate: float = 5e-4
    batch_size: int = 32
    rank: int = 16
    warmup: float = 0.1
    seed: int = 0
    max_steps: int | None = None  # for tests: stop early


@dataclass
class TuneResult:
    texts: int
    steps: int
    seconds: float
    final_loss: float


def tune(registry: Registry, calibrating: bool, config: TuneConfig, out_dir: Path) -> TuneResult:
    """Tune one LoRA on the English router training set (``calibrating``: the calibrating
    router's) and save it to ``out_dir`` as a peft adapter."""
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(config.seed)
    groups, parent = training_groups(registry, router_training_set(registry, calibrating))
    texts = [text for group in groups for text in group]
    labels = torch.tensor([i for i, group in enumerate(groups) for _ in group])
    weight = class_weights(labels, parent)[parent]
    encoder = load_sentence_encoder(minilm_path())
    lora = LoraConfig(r=config.rank, lora_alpha=2 * config.rank, lora_dropout=0.0, target_modules=TARGETS)
    model = get_peft_model(encoder.model, lora)
    head = torch.nn.Linear(model.config.hidden_size, len(groups))
    optimizer = torch.optim.AdamW(
        [
            {"params": [p for p in model.parameters() if p.requires_grad], "lr": config.learning_rate},
            {"params": head.parameters(), "lr": 1e-2},
        ],
        weight_decay=0.01,
    )
    per_epoch = math.ceil(len(texts) / config.batch_size)
    steps = per_epoch * config.epochs if config.max_steps is None else min(config.max_steps, per_epoch * config.epochs)
    warmup = max(1, int(config.warmup * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / warmup) * max(0.0, (steps - step) / steps)
    )
    rng = random.Random(config.seed)
    order = list(range(len(texts)))
    model.train()
    started, step, loss = time.perf_counter(), 0, torch.tensor(0.0)
    while step < steps:
        rng.shuffle(order)
        for start in range(0, len(order), config.batch_size):
            if step >= steps:
                break
            batch = order[start : start + config.batch_size]
            embeddings = encoder.pooled([texts[i] for i in batch], normalize_embeddings=True)
            logits = COSINE_SCALE * embeddings @ torch.nn.functional.normalize(head.weight, dim=1).T + head.bias
            loss = torch.nn.functional.cross_entropy(logits, labels[batch], weight=weight)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            step += 1
    model.save_pretrained(str(out_dir))
    (out_dir / "README.md").unlink(missing_ok=True)  # peft's empty model card
    return TuneResult(len(texts), steps, time.perf_counter() - started, loss.item())


def train_router(registry: Registry, directory: Path, config: TuneConfig) -> dict[str, TuneResult]:
    """Tune the deployed and the calibrating adapters into ``directory`` (replaced whole, or left
    as it was if tuning fails)."""
    results = {}
    with atomic_directory(directory) as staging:
        for part in TUNED_PARTS:
            results[part] = tune(registry, part == "calibrating", config, staging / part)
    return results
