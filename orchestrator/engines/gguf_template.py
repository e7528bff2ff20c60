"""The embedded base's GGUF, read to be copied into an app's file: its metadata and its tensors.

gguf-py's ``GGUFReader`` turns every element of an array field into its own numpy view: Gemma's
262k-token vocabulary (tokens, scores, types) is 786k views, 22 s on a 2-core EPYC and several
hundred MB, for each app file orch writes. Here an array of numbers is one read and an array of
strings one pass over its bytes. Values and tensors are the reader's (``tests/test_llama_backend.py``
compares the two on SmolLM2's GGUF), so ``GGUFWriter`` takes them as it takes the reader's.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from orchestrator.errors import OrchError

MAGIC = b"GGUF"
DEFAULT_ALIGNMENT = 32


@dataclass(frozen=True)
class TemplateField:
    """One metadata value, as ``GGUFWriter.add_key_value`` takes it (arrays as lists)."""

    value: Any
    kind: Any  # gguf.GGUFValueType
    item_kind: Any = None  # an array's element type


@dataclass(frozen=True)
class TemplateTensor:
    """A tensor's bytes as the file stores them, shaped as gguf-py's reader shapes them."""

    name: str
    tensor_type: Any  # gguf.GGMLQuantizationType
    data: np.ndarray


class GGUFTemplate:
    """The fields (in file order) and tensors of a little-endian GGUF v2/v3 file, memory-mapped."""

    def __init__(self, path: Path) -> None:
        import gguf

        self._gguf = gguf
        self._data = np.memmap(path, mode="r")
        self._bytes = memoryview(self._data)
        if bytes(self._bytes[:4]) != MAGIC:
            raise OrchError(f"{path} is not a GGUF file")
        self._at = 4
        version = self._scalar("<I")
        if version not in (2, 3):
            raise OrchError(f"{path}: GGUF version {version} (orch reads little-endian versions 2 and 3)")
        tensor_count, field_count = self._scalar("<Q"), self._scalar("<Q")
        self.fields: dict[str, TemplateField] = {}
        for _ in range(field_count):
            key = self._string()
            self.fields[key] = self._field(gguf.GGUFValueType(self._scalar("<I")))
        infos = [self._tensor_info() for _ in range(tensor_count)]
        alignment = self.fields.get("general.alignment")
        step = int(alignment.value) if alignment else DEFAULT_ALIGNMENT
        start = -(-self._at // step) * step
        self.tensors = [self._tensor(name, dims, kind, start + offset) for name, dims, kind, offset in infos]

    def _scalar(self, fmt: str) -> Any:
        (value,) = struct.unpack_from(fmt, self._bytes, self._at)
        self._at += struct.calcsize(fmt)
        return value

    def _string(self) -> str:
        size = self._scalar("<Q")
        text = bytes(self._bytes[self._at : self._at + size]).decode("utf-8")
        self._at += size
        return text

    def _field(self, kind) -> TemplateField:
        types = self._gguf.GGUFValueType
        if kind == types.STRING:
            return TemplateField(self._string(), kind)
        if kind != types.ARRAY:
            return TemplateField(self._scalar("<" + _STRUCT[kind.name]), kind)
        item_kind = types(self._scalar("<I"))
        count = self._scalar("<Q")
        if item_kind == types.STRING:
            return TemplateField([self._string() for _ in range(count)], kind, item_kind)
        if item_kind == types.ARRAY:
            raise OrchError("GGUF arrays of arrays are not supported")
        dtype = np.dtype("<" + _STRUCT[item_kind.name])
        values = np.frombuffer(self._bytes, dtype=dtype, count=count, offset=self._at).tolist()
        self._at += dtype.itemsize * count
        return TemplateField(values, kind, item_kind)

    def _tensor_info(self) -> tuple[str, list[int], Any, int]:
        name = self._string()
        dims = [self._scalar("<Q") for _ in range(self._scalar("<I"))]
        return name, dims, self._gguf.GGMLQuantizationType(self._scalar("<I")), self._scalar("<Q")

    def _tensor(self, name: str, dims: list[int], kind, offset: int) -> TemplateTensor:
        gguf = self._gguf
        shape = tuple(reversed(dims))
        elements = int(np.prod(dims))
        block, block_bytes = gguf.GGML_QUANT_SIZES[kind]
        plain = _PLAIN.get(kind.name)
        if plain is not None:
            data = np.frombuffer(self._bytes, dtype=plain, count=elements, offset=offset).reshape(shape)
        else:
            count = elements * block_bytes // block
            raw = np.frombuffer(self._bytes, dtype=np.uint8, count=count, offset=offset)
            data = raw.reshape(gguf.quant_shape_to_byte_shape(shape, kind))
        return TemplateTensor(name, kind, data)


# GGUF value type name -> struct/numpy format character (little-endian).
_STRUCT = {
    "UINT8": "B",
    "INT8": "b",
    "UINT16": "H",
    "INT16": "h",
    "UINT32": "I",
    "INT32": "i",
    "FLOAT32": "f",
    "UINT64": "Q",
    "INT64": "q",
    "FLOAT64": "d",
    "BOOL": "?",
}
# Tensor types gguf-py's reader gives as their own numpy type (the others as bytes).
_PLAIN = {
    "F16": np.float16,
    "F32": np.float32,
    "F64": np.float64,
    "I8": np.int8,
    "I16": np.int16,
    "I32": np.int32,
    "I64": np.int64,
}
