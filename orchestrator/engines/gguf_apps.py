"""One app as llama.cpp reads it: the base with that app's adapter merged in, as a Q8_0 GGUF.

Why merged and Q8_0: the base's own Q4_1 GGUF with the app's LoRA as a llama.cpp adapter adds two
small products to every projection of every token; a merged model has no adapter arithmetic
(``docs/speed.md`` has the measurement). Q8_0 (one scale per 32 weights) keeps the
merge faithful: the embedded base's weights are 4-bit (Q4_1) and its embedding 8-bit (Q8_0), so
the only rounding orch adds is of the LoRA delta, at 8 bits. An app's file is written once per
(base, adapter, vocabulary) and cached; a switch of app is a switch of llama.cpp context, not a
requantisation.

The file is the embedded base's own GGUF (its metadata, tokenizer and norms) with three changes:
each projection holds ``W + scale * B @ A`` (llama's q and k rows permuted as llama.cpp's
converter does), the embedding holds the grown vocabulary with the app's trained token rows (other
apps' rows zero: never fed, never allowed), and the tokenizer lists the functional tokens (orch
tokenizes and detokenizes itself; llama.cpp only needs the count to agree). The base's weights are
read from its float32 safetensors, never from a live model an adapter pool may have merged into.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import torch

from orchestrator.atomic import atomic_gguf
from orchestrator.engines.adapter_pool import LoadedAdapter
from orchestrator.engines.base_model import BaseModel, cache_root, embedded_gguf_path, resolve_base_dir
from orchestrator.engines.gguf_template import GGUFTemplate
from orchestrator.errors import OrchError
from orchestrator.registry import EMBEDDED_PROMPTS

FORMAT = "orch-app-q8_0-v2"  # part of every cache key: a change of layout rebuilds the files
# The base's model type (its HF config) -> the GGUF architecture orch writes it as: those whose HF
# -> GGUF conversion orch reproduces and whose q8_0 calls were measured against the float path
# (``benchmarks/cpu_peer.py``). llama's q and k rows are permuted for llama.cpp's rope layout;
# Gemma 3's are not (llama.cpp's converter leaves them, and its norms already carry Gemma's +1).
SUPPORTED = {"llama": "llama", "gemma3_text": "gemma3"}
PERMUTED = {"llama"}


def app_gguf_path(base: BaseModel, adapter: LoadedAdapter, adapter_file: Path) -> Path:
    """The app's merged GGUF in the cache, written first if it is not there yet."""
    if base.spec not in EMBEDDED_PROMPTS:
        raise OrchError(f"decoding.weights q8_0 needs an embedded base (its GGUF is the template); {base.spec} is not")
    digest = hashlib.sha256(FORMAT.encode())
    digest.update(base.fingerprint.encode())
    digest.update(adapter_file.read_bytes())
    digest.update("\n".join(base.tokenizer.convert_ids_to_tokens(list(range(len(base.tokenizer))))).encode())
    slug = base.spec.removeprefix("embedded:")
    target = cache_root() / "gguf-apps" / slug / f"{adapter.key}-{digest.hexdigest()[:16]}.gguf"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        write_app_gguf(base, adapter, embedded_gguf_path(base.spec), target)
        for stale in target.parent.glob(f"{adapter.key}-*.gguf"):
            if stale != target:
                stale.unlink(missing_ok=True)  # an older adapter's file: never read again
    return target


def write_app_gguf(base: BaseModel, adapter: LoadedAdapter, source: Path, target: Path) -> None:
    """Write ``target`` atomically: a reader sees the whole file or none."""
    import gguf

    template = GGUFTemplate(source)
    arch = str(template.fields["general.architecture"].value)
    if SUPPORTED.get(base.config.model_type) != arch:
        raise OrchError(
            f"decoding.weights q8_0 is measured on {', '.join(sorted(SUPPORTED.values()))} bases only; "
            f"{base.spec} is {arch}"
        )
    replaced = _merged_tensors(base, adapter, arch)
    with atomic_gguf(target, arch) as writer:
        _copy_metadata(template, writer, base, arch)
        q8 = gguf.GGMLQuantizationType.Q8_0
        for tensor in template.tensors:
            if tensor.name in replaced:
                writer.add_tensor(tensor.name, gguf.quants.quantize(replaced.pop(tensor.name), q8), raw_dtype=q8)
            else:
                writer.add_tensor(tensor.name, np.asarray(tensor.data), raw_dtype=tensor.tensor_type)
        if replaced:
            raise OrchError(f"{source} lacks tensors orch writes: {', '.join(sorted(replaced)[:3])}")


def _merged_tensors(base: BaseModel, adapter: LoadedAdapter, arch: str) -> dict[str, np.ndarray]:
    """GGUF name -> float32 array: every projection with the adapter merged, and the embeddings
    (the output projection too where the base does not tie it) with the app's token rows.

    The base's weights are read from its float32 safetensors on disk, never from the live model:
    a torch adapter pool sharing that model points its projections at merged copies, and a bf16
    model has lost precision."""
    import gguf

    model = base.model
    layers = model.config.num_hidden_layers
    names = gguf.get_tensor_name_map(next(k for k, v in gguf.MODEL_ARCH_NAMES.items() if v == arch), layers)
    heads = {"q_proj": model.config.num_attention_heads, "k_proj": model.config.num_key_value_heads}
    pristine = _pristine_weights(base)
    tensors: dict[str, np.ndarray] = {}
    with torch.no_grad():
        tied = model.get_output_embeddings().weight.data_ptr() == model.get_input_embeddings().weight.data_ptr()
        for gguf_name, source in (("token_embd", "model.embed_tokens"), ("output", "lm_head")):
            if gguf_name == "output" and tied:
                continue
            rows = model.get_input_embeddings() if gguf_name == "token_embd" else model.get_output_embeddings()
            # Rows past the base's vocabulary stay zero but the app's own: no other app's token is
            # ever fed or allowed under this app, and the file depends on this adapter alone.
            grown = torch.zeros(rows.weight.shape, dtype=torch.float32)
            grown[: base.base_vocab] = pristine(f"{source}.weight")[: base.base_vocab]
            grown[adapter.token_ids] = adapter.token_rows.float()
            tensors[f"{gguf_name}.weight"] = grown.numpy()
        for name, module in model.named_modules():
            if not (isinstance(module, torch.nn.Linear) and ".layers." in name):
                continue
            weight = pristine(f"{name}.weight")
            if name in adapter.lora:
                a, b = adapter.lora[name]
                weight = torch.addmm(weight, b.float(), a.float(), alpha=adapter.scale)
            short = name.rsplit(".", 1)[-1]
            if arch in PERMUTED and short in heads:
                weight = _rope_permuted(weight, heads[short])
            gguf_name = names.get_name(name.removeprefix("model."))
            if gguf_name is None:
                raise OrchError(f"no GGUF name for {name} in a {arch} model")
            tensors[f"{gguf_name}.weight"] = weight.contiguous().numpy()
    return tensors


def _pristine_weights(base: BaseModel):
    """name -> the base's float32 tensor, from its safetensors cache (no adapter, no token rows)."""
    from safetensors import safe_open

    directory = resolve_base_dir(base.spec, torch.float32)
    where = {}
    for path in sorted(directory.glob("*.safetensors")):
        handle = safe_open(str(path), "pt")  # one mmap per file, kept while the writer reads
        where.update(dict.fromkeys(handle.keys(), handle))

    def read(name: str) -> torch.Tensor:
        if name not in where:
            raise OrchError(f"the base's weights in {directory} lack {name}")
        return where[name].get_tensor(name).float()

    return read


def _rope_permuted(weight: torch.Tensor, heads: int) -> torch.Tensor:
    """llama.cpp's converter reorders llama's q and k rows per head for its rope layout."""
    rows = weight.shape[0]
    return weight.reshape(heads, 2, rows // heads // 2, *weight.shape[1:]).swapaxes(1, 2).reshape(weight.shape)


def _copy_metadata(template: GGUFTemplate, writer, base: BaseModel, arch: str) -> None:
    """The source's metadata, its vocabulary grown to orch's (functional and free tokens)."""
    import gguf

    vocab = len(base.tokenizer)
    source_vocab = len(template.fields["tokenizer.ggml.tokens"].value)
    if source_vocab != base.base_vocab:
        raise OrchError(f"the GGUF's vocabulary ({source_vocab}) is not the base tokenizer's ({base.base_vocab})")
    added = base.tokenizer.convert_ids_to_tokens(list(range(base.base_vocab, vocab)))
    grown = {
        "tokenizer.ggml.tokens": added,
        "tokenizer.ggml.token_type": [int(gguf.TokenType.USER_DEFINED)] * len(added),
        "tokenizer.ggml.scores": [0.0] * len(added),
    }
    for key, field in template.fields.items():
        if key == "general.architecture":
            continue
        value = vocab if key == f"{arch}.vocab_size" else field.value
        if key in grown:
            value = list(value) + grown[key]
        writer.add_key_value(key, value, field.kind, sub_type=field.item_kind)
