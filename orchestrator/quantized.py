"""Weight-only int8 for the CPU: a quarter of float32's bytes per decoded token, on any x86 CPU.

Decoding one token reads every weight once, so on a CPU its cost is the bytes moved. Where the
CPU has native bf16, orch serves in bf16 (half of float32's bytes); where it has not (most
laptops), bf16 math is emulated and slower than float32. Int8 weights with one float scale per
output channel, multiplied by PyTorch's ``_weight_int8pack_mm`` kernel (float activations, int8
weights, no bf16 needed), read a quarter of float32's bytes on every CPU.

Every ``nn.Linear`` of the model, the tied output projection included, becomes an ``Int8Linear``
in place: the float weight stays its ``weight`` (the adapter pool keeps pointing modules at
merged copies of it, exactly as without int8), and the int8 copy is made the first time a weight
is used after it changed, keyed by the tensor and its version counter. So a merged adapter switch
is requantized once (``adapter switch`` in ``orch bench``), token rows written into the tied
embedding requantize the output projection, and the pristine and merged weights of a
mixed-adapter batch keep one int8 copy each. Per-row LoRA hooks run on top, in float.
"""

from __future__ import annotations

import torch

# The int8 copies kept per module: the pristine weight and one merged adapter (see above).
KEPT = 2


def quantize_rows(weight: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric int8 per output row: ``weight ~ q * scale[:, None]``."""
    w = weight.detach().float()
    scale = (w.abs().amax(dim=1) / 127.0).clamp(min=1e-8)
    q = torch.round(w / scale[:, None]).clamp_(-127, 127).to(torch.int8)
    return q, scale.to(weight.dtype)


class Int8Linear(torch.nn.Linear):
    """``nn.Linear`` computing with an int8 copy of whatever float ``weight`` it points at."""

    _int8: dict[int, tuple[int, torch.Tensor, torch.Tensor]]

    def int8_weight(self) -> tuple[torch.Tensor, torch.Tensor]:
        key, version = self.weight.data_ptr(), self.weight._version
        cached = self._int8.get(key)
        if cached is None or cached[0] != version:
            if cached is None and len(self._int8) >= KEPT:
                self._int8.pop(next(iter(self._int8)))
            self._int8[key] = (version, *quantize_rows(self.weight))
        return self._int8[key][1], self._int8[key][2]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, scale = self.int8_weight()
        flat = x.reshape(-1, x.shape[-1])
        out = torch.ops.aten._weight_int8pack_mm(flat.to(scale.dtype), q, scale)
        if self.bias is not None:
            out = out + self.bias
        return out.reshape(*x.shape[:-1], -1).to(x.dtype)


def quantize_linears(model: torch.nn.Module) -> int:
    """Turn every ``nn.Linear`` of ``model`` into an ``Int8Linear`` in place; returns how many."""
    count = 0
    for module in model.modules():
        if type(module) is torch.nn.Linear:
            module.__class__ = Int8Linear
            module._int8 = {}
            count += 1
    return count


def weights_of(model: torch.nn.Module) -> str:
    """"int8" once ``quantize_linears`` ran on ``model``, else its float dtype's name."""
    if any(isinstance(module, Int8Linear) for module in model.modules()):
        return "int8"
    return str(next(model.parameters()).dtype).removeprefix("torch.")
