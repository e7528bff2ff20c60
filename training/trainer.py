"""Functional-token LoRA training for one app (Octopus v2), saved as a standard peft adapter.

The paper's recipe: LoRA rank 16, alpha 32, AdamW, 10 warm-up steps, linear decay, 3 epochs,
plain cross-entropy on the answer only; small sets train for more epochs, to at least 100
steps. The app's functional-token embedding rows train too (peft ``trainable_token_indices``),
so the adapter carries them. The learning rate is per base (``EMBEDDED_LEARNING_RATES``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from tqdm.auto import tqdm

from orchestrator.atomic import atomic_directory
from orchestrator.calls import prompt_text
from orchestrator.data.datagen import Example, generate, read_jsonl, write_jsonl
from orchestrator.data.siblings import sibling_requests
from orchestrator.engines.base_model import BaseModel, load_base
from orchestrator.engines.decoder import CallDecoder
from orchestrator.errors import OrchError
from orchestrator.registry import EMBEDDED_GEMMA, EMBEDDED_HUB_IDS, EMBEDDED_SMOLLM2, App, Registry

MANIFEST = "orch_manifest.json"
LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


# Chosen on the generated held-out split of doordash (700 examples, 3 epochs), never on eval sets.
# SmolLM2-135M: the paper's 5e-5 leaves it unconverged after 3 epochs; 2e-3 converges. Gemma 3
# 270M at 2e-3 dropped optional arguments and miscopied digits; 5e-4 did not (docs/bases.md).
EMBEDDED_LEARNING_RATES = {EMBEDDED_SMOLLM2: 2e-3, EMBEDDED_GEMMA: 5e-4}


def default_learning_rate(base_model: str) -> float:
    """The embedded bases' tuned rates; the paper's 5e-5 for any other (it was set for ~2B bases)."""
    return EMBEDDED_LEARNING_RATES.get(base_model, 5e-5)


@dataclass
class TrainConfig:
    samples: int = 400
    epochs: int = 3
    learning_rate: float | None = None
    batch_size: int = 8
    rank: int = 16
    alpha: int = 32
    warmup_steps: int = 10
    min_steps: int = 100
    lora_dropout: float | None = None  # None: 0.1 when a small set is repeated past ``epochs``, else 0
    seed: int = 0
    heldout: int = 100
    languages: tuple[str, ...] = ()  # other languages phrased besides English (``orch train --languages``)


@dataclass
class TrainResult:
    app: str
    adapter_dir: Path
    examples: int
    rejected: int
    train_seconds: float
    final_loss: float
    metrics: dict[str, float] = field(default_factory=dict)


def functions_hash(app: App) -> str:
    tools = json.dumps([fn.to_tool() for fn in app.functions], sort_keys=True)
    return hashlib.sha256(tools.encode()).hexdigest()[:16]


def encode(base: BaseModel, template: str, example: Example) -> tuple[list[int], list[int]]:
    """Token ids and labels; the prompt is masked out so the loss covers only the answer."""
    prompt = base.tokenizer(prompt_text(template, example.query), add_special_tokens=False).input_ids
    answer = base.tokenizer(example.answer, add_special_tokens=False).input_ids
    return prompt + answer, [-100] * len(prompt) + answer


def _batches(encoded: list[tuple[list[int], list[int]]], size: int, pad_id: int, rng: random.Random):
    """Shuffled batches of similar length (less padding, same expected gradient)."""
    order = list(range(len(encoded)))
    rng.shuffle(order)
    pool = size * 16
    batches = []
    for start in range(0, len(order), pool):
        window = sorted(order[start : start + pool], key=lambda i: len(encoded[i][0]))
        batches += [window[i : i + size] for i in range(0, len(window), size)]
    rng.shuffle(batches)
    for batch in batches:
        chunk = [encoded[i] for i in batch]
        width = max(len(ids) for ids, _ in chunk)
        ids = torch.full((len(chunk), width), pad_id)
        labels = torch.full((len(chunk), width), -100)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for row, (seq, lab) in enumerate(chunk):
            ids[row, : len(seq)] = torch.tensor(seq)
            labels[row, : len(lab)] = torch.tensor(lab)
            mask[row, : len(seq)] = 1
        yield ids, labels, mask


def answer_loss(model: torch.nn.Module, ids: torch.Tensor, labels: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over the answer tokens, projecting only the positions that predict one.

    Equal to the model's own ``labels=`` loss, but the vocabulary projection (and its gradient)
    runs on the answer positions alone, not on every prompt and padding position: with Gemma's
    262k-token vocabulary that projection is the largest matrix in the model.
    """
    predicts = torch.zeros_like(mask, dtype=torch.bool)
    predicts[:, :-1] = labels[:, 1:] != -100
    logits = model(input_ids=ids, attention_mask=mask, logits_to_keep=predicts).logits
    targets = labels[:, 1:][predicts[:, :-1]]
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), targets)


def _trained_rows_forward(
    layer: torch.nn.Module, index: torch.Tensor, slot: torch.Tensor | None, x: torch.Tensor, *args, **kwargs
) -> torch.Tensor:
    """peft's ``TrainableTokensLayer`` forward for its one active adapter, without the merged weight.

    peft copies the whole embedding matrix with the trained rows in on every forward, and the
    tied output projection then also computes a gradient for every row of it. With Gemma's
    262k-token vocabulary that copy, its zeroed gradient and that product were a third of a
    training step on a CPU. Here the base's rows are read as they are (frozen: no gradient, no
    copy) and only the app's trained rows (``index``) come from the adapter; the values are
    peft's. ``slot``: each token id's row among the trained ones, -1 for the base's (embedding only).
    """
    (name,) = layer.active_adapters
    rows = layer.trainable_tokens_delta[name]
    base = layer.base_layer
    if slot is not None:
        looked_up = slot[x]
        trained = torch.nn.functional.embedding(looked_up.clamp(min=0), rows.to(base.weight.dtype))
        out = torch.where((looked_up >= 0).unsqueeze(-1), trained, torch.nn.functional.embedding(x, base.weight))
        scale = layer._get_embed_scale()
        return out if scale is None else out * scale.to(out.dtype)
    logits = torch.nn.functional.linear(x, base.weight)
    return logits.index_copy(-1, index, torch.nn.functional.linear(x, rows.to(x.dtype)))


@contextmanager
def trained_rows_only(model: torch.nn.Module) -> Iterator[None]:
    """While training, every ``TrainableTokensLayer`` of ``model`` runs ``_trained_rows_forward``
    (its rows' index, and the embedding's id -> row table, made once here, not every step);
    peft's own forward (and its merge) is back afterwards."""
    from peft.tuners.trainable_tokens.layer import TrainableTokensLayer

    layers = [m for m in model.modules() if isinstance(m, TrainableTokensLayer)]
    for layer in layers:
        (name,) = layer.active_adapters
        weight = layer.base_layer.weight
        index = torch.tensor(layer.token_indices[name], device=weight.device)
        slot = None
        if isinstance(layer.base_layer, torch.nn.Embedding):
            slot = torch.full((weight.shape[0],), -1, device=weight.device)
            slot[index] = torch.arange(len(index), device=weight.device)
        layer.forward = functools.partial(_trained_rows_forward, layer, index, slot)
    try:
        yield
    finally:
        for layer in layers:
            del layer.forward


def evaluate_examples(
    base: BaseModel,
    model: torch.nn.Module,
    app: App,
    template: str,
    examples: list[Example],
    misses: list[dict[str, Any]] | None = None,
    batch_size: int = 16,
) -> dict[str, float]:
    """Function accuracy and exact match on generated examples, scored on the call a user gets.

    Decodes in batches (``CallDecoder.decode_batch``, free-text values kept to the request's
    spans as on the request path); a right function's values then go through
    the request path's own ``settle`` (grounding, values in words), and the target's: a free-text
    value the request left out ("") is one the call asks for, so the settled call must leave it
    out too. ``decoder_exact_match`` keeps the raw decoder's score beside it. Wrong answers (as
    settled) are appended to ``misses``.
    """
    decoder = CallDecoder(base)
    fn_hits = exact = decoder_exact = 0
    for start in range(0, len(examples), batch_size):
        chunk = examples[start : start + batch_size]
        prompts = [base.tokenizer(prompt_text(template, ex.query), add_special_tokens=False).input_ids for ex in chunk]
        decoded = decoder.decode_batch(model, [(app, p) for p in prompts], texts=[ex.query for ex in chunk])
        for ex, got in zip(chunk, decoded, strict=True):
            if isinstance(got, OrchError):
                raise got
            fn_hit = got.function == ex.function
            fn_hits += fn_hit
            called, raw_hit, hit = got.arguments, fn_hit, fn_hit
            if fn_hit and ex.function:
                raw_hit, hit, called = score_arguments(app, ex, got.arguments)
            decoder_exact += raw_hit
            exact += hit
            if not hit and misses is not None:
                misses.append(
                    {"query": ex.query, "expected": [ex.function, ex.arguments], "got": [got.function, called]}
                )
    n = max(1, len(examples))
    return {
        "n": len(examples),
        "function_accuracy": fn_hits / n,
        "exact_match": exact / n,
        "decoder_exact_match": decoder_exact / n,
    }


def heldout_metrics(
    base: BaseModel,
    model: torch.nn.Module,
    app: App,
    template: str,
    heldout: list[Example],
    refuse: list[Example],
    misses: list[dict[str, Any]],
) -> dict[str, Any]:
    """``evaluate_examples`` on the held-out split, and on the sibling split when there is one:
    sibling operations and neighbour objects the adapter never trained on, which it alone must
    refuse (its first token its end token). What ``train_app`` records and ``score_heldout``
    re-scores."""
    metrics: dict[str, Any] = evaluate_examples(base, model, app, template, heldout, misses)
    if refuse:
        refused = evaluate_examples(base, model, app, template, refuse, misses)
        metrics.update(sibling_n=len(refuse), sibling_refusal=refused["function_accuracy"])
    return metrics


def score_arguments(app: App, example: Example, decoded: dict[str, Any]) -> tuple[bool, bool, dict[str, Any]]:
    """Whether the decoder's ``decoded`` arguments of ``example``'s function (one of ``app``'s)
    match ``example``'s as written, whether the call a user gets does (``settle``d; a free-text
    value the target leaves empty, or a count it leaves unsaid, is one the call must ask for, so
    leave out), and that call's arguments."""
    from orchestrator.calls import free_text
    from orchestrator.evaluation.scoring import arguments_match
    from orchestrator.request.orchestrator import settle
    from orchestrator.request.value_words import read_values

    fn = app.function(example.function)
    called, _ = settle(app, fn, decoded, example.query)
    properties = fn.parameters.get("properties", {})
    said = {k: v for k, v in example.arguments.items() if not (v == "" and free_text(properties.get(k, {})))}
    asked, _ = read_values(fn, said, example.query)
    return arguments_match(fn, decoded, example.arguments), arguments_match(fn, called, asked), called


def score_heldout(registry: Registry, key: str, base: BaseModel | None = None) -> dict[str, Any]:
    """A committed adapter's held-out splits (``heldout.jsonl`` and ``heldout_siblings.jsonl``,
    which ``train_app`` wrote beside it and never trained on) scored again by
    ``evaluate_examples``: what ``orch eval --heldout`` prints. ``key`` is an adapter pool key
    (``android``, ``android.languages``)."""
    from orchestrator.engines.adapter_pool import AdapterPool

    app, path = registry.keyed_adapter(key)
    if path is None:
        raise OrchError(f"app {app.name!r} has no trained adapter {key!r} (run: orch train {app.name})")
    splits = {name: path / f"{name}.jsonl" for name in ("heldout", "heldout_siblings")}
    if not splits["heldout"].is_file():
        raise OrchError(f"{splits['heldout']}: no held-out split beside the adapter (retrain: orch train {app.name})")
    base = base or load_base(registry)
    model = AdapterPool(base, registry).activate(key)
    heldout = read_jsonl(splits["heldout"])
    refuse = read_jsonl(splits["heldout_siblings"]) if splits["heldout_siblings"].is_file() else []
    misses: list[dict[str, Any]] = []
    metrics = heldout_metrics(base, model, app, registry.prompt_template, heldout, refuse, misses)
    return {
        "adapter": key,
        "path": str(path),
        "dtype": str(base.dtype).removeprefix("torch."),
        **metrics,
        "misses": misses,
    }


def round_to_stored(model: torch.nn.Module) -> None:
    """Round the trained weights to bfloat16, as they are stored: the held-out metrics below are
    then those of the committed adapter."""
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.requires_grad:
                parameter.copy_(parameter.to(torch.bfloat16).to(parameter.dtype))


def store_in_bfloat16(path: Path) -> None:
    """Rewrite an adapter's weights in bfloat16 (as peft stores a bf16 model's): half the bytes,
    the same values once ``round_to_stored`` ran; loaders cast to the base's dtype."""
    from safetensors.torch import load_file, save_file

    tensors = {name: tensor.to(torch.bfloat16) for name, tensor in load_file(str(path)).items()}
    save_file(tensors, str(path), metadata={"format": "pt"})


def train_app(
    registry: Registry,
    app_name: str,
    config: TrainConfig,
    adapter_dir: Path | None = None,
    base: BaseModel | None = None,
    progress: bool = True,
) -> TrainResult:
    """Generate data, train the adapter, evaluate on a held-out generated split, save atomically."""
    from peft import LoraConfig, get_peft_model

    app = registry.app(app_name)
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    lr = config.learning_rate or default_learning_rate(registry.base_model)
    train, report = generate(app, config.samples, seed=config.seed, registry=registry, languages=config.languages)
    heldout, _ = generate(
        app,
        config.heldout,
        seed=config.seed + 7919,
        registry=registry,
        exclude={e.query.lower() for e in train},
        languages=config.languages,
    )
    seen = {e.query.lower() for e in [*train, *heldout]}
    unseen_siblings = [
        q for q in sibling_requests(app, 4 * config.heldout, seed=config.seed + 7919) if q.lower() not in seen
    ]
    refuse = [Example(q, None, {}, app.end_token) for q in unseen_siblings[: config.heldout]]
    if base is None:
        on_gpu = torch.cuda.is_available()
        base = load_base(
            registry, device="cuda" if on_gpu else "cpu", dtype=torch.bfloat16 if on_gpu else torch.float32
        )
    base.model.train()
    token_ids = [base.token_id(t) for t in [*app.function_tokens, app.end_token]]
    encoded = [encode(base, registry.prompt_template, ex) for ex in train]
    per_epoch = (len(encoded) + config.batch_size - 1) // config.batch_size
    # 3 epochs of a 100-example set are only 39 updates, too few to converge: small sets get more
    # epochs until training takes at least ``min_steps`` optimizer steps. Repeating so few examples
    # that often invites memorising them, so those runs also get LoRA dropout.
    epochs = max(config.epochs, -(-config.min_steps // per_epoch))
    steps = epochs * per_epoch
    dropout = config.lora_dropout if config.lora_dropout is not None else (0.1 if epochs > config.epochs else 0.0)
    lora = LoraConfig(
        r=config.rank,
        lora_alpha=config.alpha,
        lora_dropout=dropout,
        target_modules=[m for m in LORA_TARGETS if any(n.endswith(m) for n, _ in base.model.named_modules())],
        trainable_token_indices={"embed_tokens": token_ids},
        task_type="CAUSAL_LM",
    )
    model = get_peft_model(base.model, lora)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda s: (
            min(1.0, (s + 1) / max(1, config.warmup_steps))
            * max(0.0, (steps - s) / max(1, steps - config.warmup_steps))
        ),
    )
    pad_id = base.tokenizer.pad_token_id if base.tokenizer.pad_token_id is not None else 0
    started = time.perf_counter()
    loss_value = float("nan")
    bar = tqdm(total=steps, desc=f"train {app.name}", unit="step", disable=not progress)
    with trained_rows_only(model):
        for _epoch in range(epochs):
            for ids, labels, mask in _batches(encoded, config.batch_size, pad_id, rng):
                loss = answer_loss(model, ids.to(base.device), labels.to(base.device), mask.to(base.device))
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                schedule.step()
                optimizer.zero_grad(set_to_none=True)
                loss_value = loss.item()
                bar.set_postfix(loss=f"{loss_value:.4f}")
                bar.update(1)
    bar.close()
    seconds = time.perf_counter() - started
    if loss_value != loss_value:  # NaN
        raise OrchError(f"training {app.name} diverged (loss is NaN); try a lower --lr")

    model.eval()
    round_to_stored(model)
    model.peft_config["default"].base_model_name_or_path = EMBEDDED_HUB_IDS.get(
        registry.base_model, registry.base_model
    )
    target = adapter_dir or registry.default_adapter_dir(app.name)
    with atomic_directory(target) as staging:
        # Only the LoRA weights and this app's token rows: never the whole resized embedding.
        model.save_pretrained(staging, save_embedding_layers=False)
        store_in_bfloat16(staging / "adapter_model.safetensors")
        (staging / "README.md").unlink(missing_ok=True)
        write_jsonl(staging / "train.jsonl", train)
        write_jsonl(staging / "heldout.jsonl", heldout)
        if refuse:
            write_jsonl(staging / "heldout_siblings.jsonl", refuse)
        misses: list[dict[str, Any]] = []
        merged = model.merge_and_unload()
        metrics = heldout_metrics(base, merged, app, registry.prompt_template, heldout, refuse, misses)
        manifest: dict[str, Any] = {
            "app": app.name,
            "tokens": {t: base.token_id(t) for t in [*app.function_tokens, app.end_token]},
            "functions": [fn.name for fn in app.functions],
            "functions_hash": functions_hash(app),
            "base_model": registry.base_model,
            "base_fingerprint": base.fingerprint,
            "prompt_template": registry.prompt_template,
            "data": {
                "seed": config.seed,
                "examples": len(train),
                "rejected": report.rejected,
                "languages": list(config.languages),
            },
            "config": {
                **asdict(config),
                "learning_rate": lr,
                "lora_dropout": dropout,
                "epochs_run": epochs,
                "steps": steps,
            },
            "train_seconds": round(seconds, 1),
            "final_loss": round(loss_value, 5),
            "heldout_metrics": metrics,
            "heldout_misses": misses,
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return TrainResult(app.name, target, len(train), report.rejected, seconds, loss_value, metrics)
