"""The production code path on a tiny random-weight Gemma built here: load, grow vocab, train, swap, decode.

It also checks the adapter pool against peft itself: the merged and the hooked (unmerged) model
must give the logits of peft's own PeftModel for the same adapter.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import torch

from orchestrator.calls import prompt_text, validate_arguments
from orchestrator.catalog import builtin_tools
from orchestrator.data.datagen import Example
from orchestrator.engines.adapter_pool import AdapterPool
from orchestrator.engines.base_model import load_base
from orchestrator.engines.decoder import CallDecoder
from orchestrator.registry import Registry
from training.trainer import TrainConfig, _batches, answer_loss, encode, train_app, trained_rows_only


def build_tiny_gemma(path: Path) -> Path:
    """A 2-layer Gemma with a byte-level BPE tokenizer trained on a few lines: no download."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GemmaConfig, GemmaForCausalLM, PreTrainedTokenizerFast

    corpus = [
        'order pizza from Joe\'s {"item": "pizza", "quantity": 2} where is order 12345',
        "set the volume to 20, turn off the AC, navigate to the airport, find thai food in Brooklyn",
    ] * 20
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400, special_tokens=["<pad>", "<eos>", "<bos>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    bpe.train_from_iterator(corpus, trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, pad_token="<pad>", eos_token="<eos>", bos_token="<bos>")
    config = GemmaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=32,
        max_position_embeddings=256,
        pad_token_id=0,
        eos_token_id=1,
        bos_token_id=2,
    )
    torch.manual_seed(0)
    GemmaForCausalLM(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def tiny_registry(tmp_path_factory) -> Registry:
    root = tmp_path_factory.mktemp("tiny")
    base_dir = build_tiny_gemma(root / "tiny-gemma")
    registry = Registry(path=root / "registry.yaml", base_model=str(base_dir), prompt_template="Query: {query}\nCall: ")
    registry.add_app("doordash", *builtin_tools("doordash"))
    registry.add_app("vehicle", *builtin_tools("vehicle"))
    registry.save()
    return registry


def test_tiny_gemma_end_to_end(tiny_registry: Registry) -> None:
    from peft import PeftModel

    base = load_base(tiny_registry, device="cpu", dtype=torch.float32)
    assert base.model.config.model_type == "gemma"
    assert base.token_id("<doordash_0>") == base.base_vocab + tiny_registry.app("doordash").token_offset

    result = train_app(
        tiny_registry,
        "vehicle",
        TrainConfig(samples=24, epochs=1, batch_size=8, learning_rate=1e-3, heldout=11),
        progress=False,
    )
    files = sorted(p.name for p in result.adapter_dir.iterdir())
    assert {"adapter_config.json", "adapter_model.safetensors", "orch_manifest.json", "train.jsonl"} <= set(files)
    manifest = json.loads((result.adapter_dir / "orch_manifest.json").read_text())
    assert manifest["base_model"] == tiny_registry.base_model and manifest["tokens"]["<vehicle_end>"] == base.token_id(
        "<vehicle_end>"
    )
    assert result.adapter_dir == tiny_registry.path.parent / "adapters" / "tiny-gemma" / "vehicle"
    tiny_registry.app("vehicle").adapter = "adapters/tiny-gemma/vehicle"

    # A fresh base, as the orchestrator would have it.
    base = load_base(tiny_registry, device="cpu", dtype=torch.float32)
    prompt = base.tokenizer(
        prompt_text(tiny_registry.prompt_template, "turn off the AC"), add_special_tokens=False
    ).input_ids
    ids = torch.tensor([prompt])
    reference = PeftModel.from_pretrained(
        load_base(tiny_registry, device="cpu", dtype=torch.float32).model, str(result.adapter_dir)
    )
    with torch.no_grad():
        want = reference(input_ids=ids).logits

    for mode in ("merged", "unmerged"):
        pool = AdapterPool(base, tiny_registry, mode=mode)
        with torch.no_grad():
            plain = base.model(input_ids=ids).logits.clone()
            model = pool.activate("vehicle")
            got = model(input_ids=ids).logits
        assert torch.allclose(got, want, atol=1e-4), mode
        assert not torch.allclose(plain, want, atol=1e-4)
        pool.evict("vehicle")
        with torch.no_grad():
            restored = base.model(input_ids=ids).logits
        token_rows = manifest["tokens"].values()
        keep = [i for i in range(restored.shape[-1]) if i not in set(token_rows)]
        assert torch.allclose(restored[..., keep], plain[..., keep], atol=1e-5), mode

    pool = AdapterPool(base, tiny_registry)
    decoder = CallDecoder(base, max_new_tokens=40)
    app = tiny_registry.app("vehicle")
    for query in ("turn off the AC", "set volume to 20", "open the window all the way"):
        prompt = base.tokenizer(prompt_text(tiny_registry.prompt_template, query), add_special_tokens=False).input_ids
        try:
            decoded = decoder.decode(pool.activate("vehicle"), app, prompt)
        except Exception as err:  # random weights may ramble past the cap; that is the only allowed failure
            assert "longer than" in str(err)
            continue
        if decoded.function:
            validate_arguments(app.function(decoded.function), decoded.arguments)


class _Boosted(torch.nn.Module):
    """The model with some tokens' logits raised: makes it want exactly what is being tested."""

    def __init__(self, model: torch.nn.Module, boosts: dict[int, float]) -> None:
        super().__init__()
        self.model = model
        self.boosts = boosts

    def forward(self, **inputs):
        out = self.model(**inputs)
        for token, boost in self.boosts.items():
            out.logits[..., token] += boost
        return out


def test_functional_tokens_never_appear_inside_arguments(tiny_registry: Registry) -> None:
    """xgrammar takes an added token for its text, which a JSON string may hold: a model that
    wants its functional token most (after picking it first) must still write plain arguments."""
    base = load_base(tiny_registry, device="cpu", dtype=torch.float32)
    app = tiny_registry.app("doordash")
    order_food = base.token_id(app.function_tokens[[fn.name for fn in app.functions].index("order_food")])
    quote = base.tokenizer('"', add_special_tokens=False).input_ids[0]
    model = _Boosted(base.model, {order_food: 1e4, quote: 1e3})
    prompt = base.tokenizer(prompt_text(tiny_registry.prompt_template, "order pizza"), add_special_tokens=False)
    decoded = CallDecoder(base, max_new_tokens=40).decode_batch(model, [(app, prompt.input_ids)])[0]
    assert not isinstance(decoded, Exception), decoded
    assert decoded.function == "order_food" and "<doordash_" not in json.dumps(decoded.arguments)
    validate_arguments(app.function("order_food"), decoded.arguments)


def test_tiny_gemma_batched_decoding_equals_one_at_a_time(tiny_registry: Registry) -> None:
    """Left padding, per-row positions, rows leaving the batch and per-row LoRA change no token.

    Random weights ramble, so every row takes a different path through the grammar: a strict
    check of the batched bookkeeping against the batch-of-one path (float32, so no rounding noise).
    """
    if tiny_registry.app("vehicle").adapter is None:
        pytest.skip("needs the vehicle adapter trained by test_tiny_gemma_end_to_end")
    base = load_base(tiny_registry, device="cpu", dtype=torch.float32)
    pool = AdapterPool(base, tiny_registry)
    decoder = CallDecoder(base, max_new_tokens=24)
    vehicle, doordash = tiny_registry.app("vehicle"), tiny_registry.app("doordash")
    queries = ["turn off the AC", "set volume to 20", "open the window all the way please", "heat", "fan 3"]
    prompts = [
        base.tokenizer(prompt_text(tiny_registry.prompt_template, q), add_special_tokens=False).input_ids
        for q in queries
    ]

    def outcome(result) -> tuple:
        return (str(result),) if isinstance(result, Exception) else (result.function, json.dumps(result.arguments))

    def one_by_one(model, apps) -> list[tuple]:
        return [outcome(decoder.decode_batch(model, [(app, p)])[0]) for app, p in zip(apps, prompts, strict=True)]

    def batched(model, apps) -> list[tuple]:
        return [outcome(r) for r in decoder.decode_batch(model, list(zip(apps, prompts, strict=True)))]

    apps = [vehicle, doordash, vehicle, doordash, doordash]  # two grammars: rows of different lengths
    alone = one_by_one(base.model, apps)
    assert len(set(alone)) > 1
    assert batched(base.model, apps) == alone
    apps = [vehicle] * len(prompts)
    alone = one_by_one(pool.activate("vehicle"), apps)
    assert batched(pool.activate("vehicle"), apps) == alone
    assert batched(pool.activate_rows(["vehicle"] * len(prompts)), apps) == alone


def required_arguments(schema: dict) -> dict:
    """The smallest valid arguments: each required property's first enum value, minimum, or a word."""
    simple = {"string": "x", "boolean": True, "integer": 0, "number": 0}
    return {
        name: spec["enum"][0] if "enum" in spec else spec.get("minimum", simple[spec["type"]])
        for name, spec in schema.get("properties", {}).items()
        if name in schema.get("required", [])
    }


def test_vllm_export_moves_token_rows_into_the_base_and_keeps_the_logits(tiny_registry: Registry, tmp_path) -> None:
    """Exported base + pure LoRA (what vLLM loads) gives peft's logits for the original adapter."""
    import xgrammar as xgr
    from peft import PeftModel
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from orchestrator.engines.export import export_vllm

    if tiny_registry.app("vehicle").adapter is None:
        pytest.skip("needs the vehicle adapter trained by test_tiny_gemma_end_to_end")
    report = export_vllm(tiny_registry, tmp_path / "export")
    assert (report.added, report.skipped) == (["vehicle"], ["doordash"])
    lora = tmp_path / "export" / "loras" / "vehicle"
    assert "trainable_token_indices" not in json.loads((lora / "adapter_config.json").read_text())
    assert all(".lora_A." in k or ".lora_B." in k for k in load_file(str(lora / "adapter_model.safetensors")))

    exported = AutoModelForCausalLM.from_pretrained(str(tmp_path / "export" / "base"), dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(str(tmp_path / "export" / "base"))
    base = load_base(tiny_registry, device="cpu", dtype=torch.float32)
    assert tokenizer.convert_tokens_to_ids("<vehicle_end>") == base.token_id("<vehicle_end>")
    prompt = tokenizer(prompt_text(tiny_registry.prompt_template, "turn off the AC"), add_special_tokens=False)
    ids = torch.tensor([prompt.input_ids])
    adapter_dir = tiny_registry.adapter_dir(tiny_registry.app("vehicle"))
    with torch.no_grad():
        want = PeftModel.from_pretrained(base.model, str(adapter_dir))(input_ids=ids).logits
        got = PeftModel.from_pretrained(exported, str(lora))(input_ids=ids).logits
    assert torch.allclose(got, want, atol=1e-4)

    # What vLLM does with a manifest: one cached compiler, each function's JSON schema, the app's
    # end token as a stop token. After valid arguments only the stop tokens may follow.
    manifest = json.loads((lora / "orch_app.json").read_text())
    end = manifest["end_token"]["id"]
    assert end == base.token_id("<vehicle_end>")
    assert str(end) not in manifest["argument_logit_bias"]
    assert {int(i) for i in manifest["argument_logit_bias"]} == {
        base.token_id(t) for t in tiny_registry.token_slots() if t and t != "<vehicle_end>"
    }
    info = xgr.TokenizerInfo.from_huggingface(tokenizer, vocab_size=len(tokenizer))
    compiler = xgr.GrammarCompiler(info, cache_enabled=True)
    bitmask = xgr.allocate_token_bitmask(1, len(tokenizer))
    for fn in manifest["functions"]:
        matcher = xgr.GrammarMatcher(
            compiler.compile_json_schema(json.dumps(fn["structured_outputs"]["json"])),
            override_stop_tokens=[tokenizer.eos_token_id, end],
        )
        example = json.dumps(required_arguments(fn["parameters"]))
        assert all(matcher.accept_token(t) for t in tokenizer(example, add_special_tokens=False).input_ids)
        matcher.fill_next_token_bitmask(bitmask)
        allowed = [t for t in range(len(tokenizer)) if int(bitmask[0, t // 32]) >> (t % 32) & 1]
        assert end in allowed and len(allowed) <= 2, (fn["name"], allowed)
    assert "no adapter changed" in export_vllm(tiny_registry, tmp_path / "export").summary()


def test_training_reads_only_the_trained_token_rows_and_gets_peft_s_gradients(tiny_registry: Registry) -> None:
    """``trained_rows_only`` (no merged copy of the embedding per step) gives peft's own loss and
    gradients, through the embedding and the tied output projection, and hands peft its forward back."""
    from peft import LoraConfig, get_peft_model
    from peft.tuners.trainable_tokens.layer import TrainableTokensLayer

    base = load_base(tiny_registry, device="cpu", dtype=torch.float32)
    app = tiny_registry.app("doordash")
    tokens = [base.token_id(t) for t in [*app.function_tokens, app.end_token]]
    model = get_peft_model(
        base.model,
        LoraConfig(r=4, target_modules=["q_proj", "down_proj"], trainable_token_indices={"embed_tokens": tokens}),
    )
    trained = [p for p in model.parameters() if p.requires_grad]
    torch.manual_seed(1)
    with torch.no_grad():  # token rows unlike the base's, LoRA B nonzero: every path carries a gradient
        for parameter in trained:
            parameter.add_(torch.randn_like(parameter) * 0.1)
    examples = [
        Example("order pizza", "order_food", {"item": "pizza"}, '<doordash_0>{"item": "pizza"}<doordash_end>'),
        Example("what is the weather", None, {}, "<doordash_end>"),
    ]
    encoded = [encode(base, tiny_registry.prompt_template, ex) for ex in examples]
    (ids, labels, mask), *_ = _batches(encoded, len(encoded), base.tokenizer.pad_token_id, random.Random(0))

    def loss_and_gradients(rows_only: bool) -> tuple[float, list[torch.Tensor]]:
        model.zero_grad(set_to_none=True)
        if rows_only:
            with trained_rows_only(model):
                loss = answer_loss(model, ids, labels, mask)
        else:
            loss = answer_loss(model, ids, labels, mask)
        loss.backward()
        return loss.item(), [p.grad.clone() for p in trained]

    peft_loss, peft_grads = loss_and_gradients(False)
    loss, grads = loss_and_gradients(True)
    assert abs(loss - peft_loss) < 1e-5
    for got, want in zip(grads, peft_grads, strict=True):
        assert torch.allclose(got, want, atol=1e-6, rtol=1e-4)
    layers = [m for m in model.modules() if isinstance(m, TrainableTokensLayer)]
    assert len(layers) == 2, "the embedding and its tied output projection"
    assert all("forward" not in vars(layer) for layer in layers)
