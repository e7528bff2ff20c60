"""The router's tuned English encoder on llama.cpp: a BERT sentence encoder (all-MiniLM-L6-v2
with ``orch train-router``'s LoRA merged in) written as a float32 GGUF, run by llama.cpp.

Why: on a CPU without native bf16 math, torch's eager float32 pass costs about 10 ms a request
on 2 cores (37 small products and the work around each); llama.cpp's fused float32 kernels
compute the same embeddings in about 3.5 ms (``docs/speed.md``). Float32, not Q8_0: its
embeddings are torch's float32 ones to rounding (cosine >= 0.99999), so the router head fitted
over either engine's reads both. Q8_0 would save another 1.4 ms at cosine 0.9995, a head of its
own and a calibration moved.

orch tokenizes (the encoder folder's own WordPiece tokenizer, as on torch) and feeds token ids;
llama.cpp needs the vocabulary in the file only to load it, spelled as its own converter spells
WordPiece (a continuation loses its ``##``, a word start gains U+2581).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from orchestrator.atomic import atomic_gguf
from orchestrator.engines.llama_library import free_with, llama_cpp_module, load_gguf_model
from orchestrator.errors import OrchError

FORMAT = "orch-bert-f32-v1"  # part of the cached file's name: a change of layout rebuilds it
SEQUENCES = 64  # texts encoded in one pass, at most
UBATCH = 512  # their tokens, at most: the longest sequence either encoder reads


def write_encoder_gguf(model: torch.nn.Module, tokenizer, pooling: str, target: Path) -> None:
    """Write a BERT model (transformers' ``BertModel``, float32) and its WordPiece vocabulary to
    ``target`` as llama.cpp's ``bert`` architecture, atomically: a reader sees the whole file or
    none."""
    import gguf

    config = model.config
    if config.model_type != "bert":
        raise OrchError(f"llama.cpp runs BERT sentence encoders here; this one is {config.model_type}")
    special = set(tokenizer.all_special_tokens)
    vocabulary = [token for token, _ in sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])]
    with atomic_gguf(target, "bert") as writer:
        add_bert_metadata(
            writer,
            shape=(config.max_position_embeddings, config.hidden_size, config.intermediate_size),
            blocks=(config.num_hidden_layers, config.num_attention_heads, config.layer_norm_eps),
            pooling=gguf.PoolingType.MEAN if pooling == "mean" else gguf.PoolingType.CLS,
            file_type=gguf.LlamaFileType.ALL_F32,
            tokens=[t if t in special else t[2:] if t.startswith("##") else "\u2581" + t for t in vocabulary],
            token_types=[gguf.TokenType.CONTROL if t in special else gguf.TokenType.NORMAL for t in vocabulary],
            segments=config.type_vocab_size,
            special=(tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.unk_token_id, tokenizer.pad_token_id),
        )
        names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.BERT, config.num_hidden_layers)
        for name, tensor in model.state_dict().items():
            if name.startswith("pooler.") or name.endswith("position_ids"):
                continue  # the pooler is not part of a sentence embedding; position ids are implicit
            mapped = names.get_name(name, try_suffixes=(".weight", ".bias"))
            if mapped is None:
                raise OrchError(f"llama.cpp's BERT has no place for {name}")
            writer.add_tensor(mapped, tensor.detach().float().numpy())


def add_bert_metadata(
    writer, shape: tuple, blocks: tuple, pooling, file_type, tokens: list[str], token_types: list, segments: int,
    special: tuple[int, int, int, int],
) -> None:  # fmt: skip
    """What llama.cpp's ``bert`` architecture reads besides the tensors: ``shape`` (positions,
    width, feed-forward width), ``blocks`` (layers, heads, layer-norm epsilon), the pooling, the
    file type, the vocabulary with each token's type, the count of segment embeddings, and the
    start, end, unknown and padding token ids (``special``). Bidirectional attention."""
    positions, hidden, feed_forward = shape
    layers, heads, eps = blocks
    writer.add_context_length(positions)
    writer.add_embedding_length(hidden)
    writer.add_feed_forward_length(feed_forward)
    writer.add_block_count(layers)
    writer.add_head_count(heads)
    writer.add_layer_norm_eps(eps)
    writer.add_causal_attention(False)
    writer.add_pooling_type(pooling)
    writer.add_file_type(file_type)
    writer.add_token_type_count(segments)
    writer.add_tokenizer_model("bert")
    writer.add_token_list(tokens)
    writer.add_token_types(token_types)
    bos, eos, unk, pad = special
    writer.add_bos_token_id(bos)
    writer.add_eos_token_id(eos)
    writer.add_unk_token_id(unk)
    writer.add_pad_token_id(pad)


class LlamaSentenceEncoder:
    """``PipelineEncoder``'s ``encode`` on llama.cpp: up to ``SEQUENCES`` texts a pass, each its
    own sequence, pooled by llama.cpp as the GGUF says (mean or CLS)."""

    def __init__(self, path: Path, tokenizer, max_seq_length: int, normalize: bool, threads: int) -> None:
        self.llama = llama = llama_cpp_module("the router's encoders on llama.cpp")
        self.model = load_gguf_model(llama, path)
        params = llama.llama_context_default_params()
        params.n_ctx = params.n_batch = params.n_ubatch = UBATCH
        params.n_seq_max = SEQUENCES
        params.embeddings = True
        params.n_threads = params.n_threads_batch = threads
        params.no_perf = True
        self.ctx = llama.llama_init_from_model(self.model, params)
        if not self.ctx:
            llama.llama_model_free(self.model)
            raise OrchError(f"llama.cpp cannot create an encoder context for {path}")
        self.batch = llama.llama_batch_init(UBATCH, 0, 1)
        free_with(self, llama, self.batch, self.ctx, self.model)
        self.dim = llama.llama_model_n_embd(self.model)
        self.tokenizer = tokenizer
        self.max_seq_length = min(max_seq_length, UBATCH)
        self.normalize = normalize

    def encode(self, texts: list[str], batch_size: int = 64, normalize_embeddings: bool = False, **_) -> torch.Tensor:
        """[len(texts), dim] float32 embeddings (``batch_size`` is torch's knob; llama.cpp packs
        by tokens)."""
        if not texts:
            return torch.empty(0, self.dim)
        ids = self.tokenizer(list(texts), truncation=True, max_length=self.max_seq_length)["input_ids"]
        embeddings = torch.from_numpy(self.pooled(ids))
        if self.normalize or normalize_embeddings:
            embeddings = torch.nn.functional.normalize(embeddings, p=2, dim=1)
        return embeddings

    def pooled(self, sequences: list[list[int]]) -> np.ndarray:
        """[len(sequences), dim]: each token sequence's pooled embedding, many sequences a pass."""
        rows: list[np.ndarray] = []
        start = 0
        while start < len(sequences):
            end, tokens = start, 0
            while end < len(sequences) and end - start < SEQUENCES and tokens + len(sequences[end]) <= UBATCH:
                tokens += len(sequences[end])
                end += 1
            if end == start:
                raise OrchError(f"a sequence of {len(sequences[start])} tokens exceeds llama.cpp's {UBATCH}")
            rows += self._pass(sequences[start:end])
            start = end
        return np.stack(rows)

    def _pass(self, sequences: list[list[int]]) -> list[np.ndarray]:
        llama, batch = self.llama, self.batch
        batch.n_tokens = sum(len(tokens) for tokens in sequences)
        i = 0
        for sequence, tokens in enumerate(sequences):
            for position, token in enumerate(tokens):
                batch.token[i] = token
                batch.pos[i] = position
                batch.n_seq_id[i] = 1
                batch.seq_id[i][0] = sequence
                batch.logits[i] = True
                i += 1
        status = llama.llama_encode(self.ctx, batch)
        if status != 0:
            raise OrchError(f"llama.cpp could not encode (status {status})")
        return [
            np.ctypeslib.as_array(llama.llama_get_embeddings_seq(self.ctx, sequence), shape=(self.dim,)).copy()
            for sequence in range(len(sequences))
        ]
