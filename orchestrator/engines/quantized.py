"""Int8 weights for decoding on the CPU: a quarter of float32's bytes per token, on any x86 CPU.

Decoding one token reads every weight once, so on a CPU its cost is the bytes moved. Where the
CPU has native bf16, orch serves in bf16 (half of float32's bytes); where it has not (most
laptops), bf16 math is emulated and float32 is what is left. Int8 weights (one scale per output
channel) multiplied by FBGEMM's dynamic-quantized kernel (``quantized::linear_dynamic``: the
activations are quantized per call, accumulated in int32, written back in float) read a quarter
of float32's bytes and need only AVX2. PyTorch's ``_weight_int8pack_mm`` was slower than float32
on such a CPU, so it is not used.

Only one request's decoding steps run in int8: the latency case on a laptop, where a step reads
every weight for one row. The prompt's prefill stays in float: FBGEMM quantizes the activations
of one call with one scale, and a prompt's rows (its first token above all) carry outliers that
swamp the rest. With int8 prefill, 3 to 7 of the 44 dev requests changed their call-or-no-call
decision (smoothing the channels, SmoothQuant-style, did not help); with float prefill and int8
steps, none did. A step of several rows (a batch) also stays in float: it reads the weights once
for all its rows, and with a shared activation scale one row's answer would depend on the others.

Every ``nn.Linear`` of the model, the tied output projection included, becomes an ``Int8Linear``
in place: the float weight stays its ``weight`` (the adapter pool keeps pointing modules at
merged copies of it, exactly as without int8), and the packed int8 copy is made the first time a
weight is used after it changed, keyed by the tensor and its version counter. So a merged adapter
switch is requantized once (``adapter switch`` in ``orch bench``), token rows written into the
tied embedding requantize the output projection, and the pristine and merged weights of a
mixed-adapter batch keep one int8 copy each. Per-row LoRA hooks run on top, in float.
"""

from __future__ import annotations

import warnings

import torch

# The int8 copies kept per module: the pristine weight and one merged adapter (see above).
KEPT = 2
# A step feeds one token per row, or a few of jump-forward text; more than this is a prompt.
STEP_TOKENS = 8


def pack_int8(weight: torch.Tensor) -> torch.Tensor:
    """Symmetric per-output-channel int8, packed for FBGEMM."""
    w = weight.detach().float()
    scale = (w.abs().amax(dim=1) / 127.0).clamp(min=1e-8).double()
    zero = torch.zeros(w.shape[0], dtype=torch.long)
    with warnings.catch_warnings():
        # Quantized tensors are deprecated "in a future release"; torch is pinned (2.13) and
        # FBGEMM's dynamic linear takes nothing else. A torch upgrade must rerun cpu_peer.py.
        warnings.simplefilter("ignore", UserWarning)
        q = torch.quantize_per_channel(w, scale, zero, 0, torch.qint8)
    return torch.ops.quantized.linear_prepack(q, None)


class Int8Linear(torch.nn.Linear):
    """``nn.Linear`` computing with an int8 copy of whatever float ``weight`` it points at."""

    _int8: dict[int, tuple[int, torch.Tensor]]

    def packed(self) -> torch.Tensor:
        key, version = self.weight.data_ptr(), self.weight._version
        cached = self._int8.get(key)
        if cached is None or cached[0] != version:
            if cached is None and len(self._int8) >= KEPT:
                self._int8.pop(next(iter(self._int8)))
            self._int8[key] = (version, pack_int8(self.weight))
        return self._int8[key][1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 3 or x.shape[0] != 1 or x.shape[1] > STEP_TOKENS:  # a prompt or a batch
            return torch.nn.functional.linear(x, self.weight, self.bias)
        flat = x.reshape(-1, x.shape[-1]).float()
        # reduce_range: 7-bit activations, as torch's own dynamic Linear uses with FBGEMM, so the
        # AVX2 int8 multiply-add cannot saturate.
        out = torch.ops.quantized.linear_dynamic(flat, self.packed(), True)
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
    """ "int8" once ``quantize_linears`` ran on ``model``, else its float dtype's name."""
    if any(isinstance(module, Int8Linear) for module in model.modules()):
        return "int8"
    return str(next(model.parameters()).dtype).removeprefix("torch.")
