"""One base model, many app adapters: load on demand, keep the most recently used, swap fast.

An adapter is read straight from its peft directory: the LoRA factors (A, B) per target module
and the app's trained functional-token embedding rows. Token rows of different apps never
overlap (see registry slots), so they are written into the shared embedding when an app's adapter
is applied and no other adapter of the app holds them (an app's adapter for other languages has
rows of its own for the same tokens, so one batch never mixes two adapters of one app).
The pool names adapters by ``App.adapter_key``: the app's name, or ``<app>.languages``.

Two ways to apply the active LoRA, chosen by ``pool.mode`` in the registry:

* ``merged`` (default): switching computes ``W = W_orig + scale * B @ A`` into a second buffer per
  targeted weight and points the module at it, so decoding runs at the base model's speed. The
  original weights are never modified, which makes every switch exact (no drift from repeated
  add/subtract in bf16) and eviction a pointer swap. Cost: one extra copy of the targeted weights.
* ``unmerged``: forward hooks add ``scale * B(A(x))``; a switch only repoints the hooks.

``orch bench`` measures both. For serving, ``activate_rows`` builds a mixed-adapter batch: each row
of the batch gets its own app's LoRA through batched matmuls over the stacked factors (the
S-LoRA/Punica idea in plain torch), on top of the pristine base or of one merged app (then the
other rows add the difference, and that app's rows run at merged speed once they are alone);
``benchmarks/batching.py`` compares it with one merged batch per adapter.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors.torch import load_file

from orchestrator.engines.base_model import BaseModel
from orchestrator.errors import OrchError
from orchestrator.registry import App, Registry

MANIFEST = "orch_manifest.json"


@dataclass
class LoadedAdapter:
    """An app's adapter in memory: LoRA factors per module and its token rows."""

    app: str
    lora: dict[str, tuple[torch.Tensor, torch.Tensor]]
    scale: float
    token_ids: torch.Tensor
    token_rows: torch.Tensor
    manifest: dict = field(default_factory=dict)
    # The adapter pool's name for it: the app's, or its adapter for other languages'.
    key: str = ""

    def __post_init__(self) -> None:
        self.key = self.key or self.app

    @property
    def nbytes(self) -> int:
        pairs = sum(a.numel() * a.element_size() + b.numel() * b.element_size() for a, b in self.lora.values())
        return pairs + self.token_rows.numel() * self.token_rows.element_size()


def read_adapter(path: Path, app: App, base: BaseModel) -> LoadedAdapter:
    """Read a peft LoRA directory and check it belongs to this app, these tokens and this base."""
    weights_file = path / "adapter_model.safetensors"
    if not weights_file.is_file():
        raise OrchError(f"adapter file not found: {weights_file} (run: orch train {app.name})")
    try:
        config = json.loads((path / "adapter_config.json").read_text())
        manifest = json.loads((path / MANIFEST).read_text()) if (path / MANIFEST).is_file() else {}
        tensors = load_file(str(weights_file), device="cpu")
    except Exception as err:  # truncated or corrupt files: safetensors, json and OS errors alike
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise OrchError(f"adapter {path} is unreadable ({reason}); retrain: orch train {app.name}") from err
    expected_tokens = {t: base.token_id(t) for t in [*app.function_tokens, app.end_token]}
    if manifest.get("tokens") and manifest["tokens"] != expected_tokens:
        raise OrchError(f"adapter {path} was trained for other token ids; retrain: orch train {app.name}")
    if manifest.get("functions") and manifest["functions"] != [fn.name for fn in app.functions]:
        raise OrchError(f"adapter {path} was trained for other functions; retrain: orch train {app.name}")
    if manifest.get("base_fingerprint") and manifest["base_fingerprint"] != base.fingerprint:
        trained_on = manifest.get("base_model", "another base model")
        raise OrchError(
            f"adapter {path} was trained on {trained_on}, not on the registry's base {base.spec}; "
            f"retrain: orch train {app.name}"
        )
    dtype, device = base.dtype, base.device
    lora: dict[str, list[torch.Tensor | None]] = {}
    token_rows = None
    for key, tensor in tensors.items():
        name = key.removeprefix("base_model.model.")
        if ".lora_A." in name or ".lora_B." in name:
            module = name.split(".lora_")[0]
            slot = lora.setdefault(module, [None, None])
            slot[0 if ".lora_A." in name else 1] = tensor.to(device=device, dtype=dtype)
        elif "trainable_tokens_delta" in name:
            token_rows = tensor.to(device=device, dtype=dtype)
    indices = (config.get("trainable_token_indices") or {}).get("embed_tokens") or []
    if token_rows is None or len(indices) != token_rows.shape[0]:
        raise OrchError(f"adapter {path} carries no functional-token rows; retrain: orch train {app.name}")
    if sorted(indices) != sorted(expected_tokens.values()):
        raise OrchError(f"adapter {path} trained other token rows than app {app.name!r} owns")
    scale = float(config["lora_alpha"]) / float(config["r"])
    pairs = {m: (a, b) for m, (a, b) in lora.items() if a is not None and b is not None}
    ids = torch.tensor(indices, device=device)
    return LoadedAdapter(app.name, pairs, scale, ids, token_rows, manifest)


def read_app_adapter(registry: Registry, key: str, base: BaseModel) -> tuple[LoadedAdapter, Path]:
    """The registry's adapter ``key`` (an app's name, or its adapter for other languages:
    ``App.adapter_key``) for the registry's base, read and checked; and its directory. Both
    adapter pools (torch and llama.cpp) load through here."""
    app, path = registry.keyed_adapter(key)
    if path is None:
        raise OrchError(f"app {app.name!r} has no trained adapter yet (run: orch train {app.name})")
    adapter = read_adapter(path, app, base)
    adapter.key = key
    return adapter, path


class AdapterPool:
    """LRU cache of adapters over one base model, with the active one applied to the model."""

    def __init__(self, base: BaseModel, registry: Registry, max_resident: int | None = None, mode: str | None = None):
        self.base = base
        self.registry = registry
        self.max_resident = max_resident or registry.pool_max_resident
        self.mode = mode or registry.pool_mode
        if self.mode not in ("merged", "unmerged"):
            raise OrchError(f"unknown pool mode {self.mode!r}")
        self.resident: OrderedDict[str, LoadedAdapter] = OrderedDict()
        self.active: str | None = None
        self.modules = dict(base.model.named_modules())
        self._originals: dict[str, torch.nn.Parameter] = {}
        self._merged: dict[str, torch.nn.Parameter] = {}
        self._hooks: list = []
        self._row_hooks: list = []
        self.stats = {"cold_loads": 0, "switches": 0, "last_load_ms": 0.0, "last_switch_ms": 0.0}

    # ----- public API ---------------------------------------------------------------------
    def activate(self, app_name: str) -> torch.nn.Module:
        """Make adapter ``app_name`` (``App.adapter_key``) the active one (loading it if needed);
        return the model."""
        self._remove_row_hooks()
        if self.active == app_name:
            self.resident.move_to_end(app_name)
            return self.base.model
        self._remove_hooks()
        adapter = self.load(app_name)
        self._write_token_rows(adapter)
        started = time.perf_counter()
        if self.mode == "merged":
            self._merge(adapter)
        else:
            self._hook(adapter)
        self.active = app_name
        self.stats["switches"] += 1
        self.stats["last_switch_ms"] = (time.perf_counter() - started) * 1000
        return self.base.model

    def activate_rows(self, app_names: list[str], merged: str | None = None) -> MixedAdapterModel:
        """Return the base model with row ``i`` of every batch running under ``app_names[i]``'s LoRA.

        In ``merged`` mode, the app named ``merged`` (the likeliest winner: the router's top
        candidate) is merged into the weights as by ``activate``, and every other row adds the
        difference between its own LoRA and that one. When only that app's rows are left (the
        other candidates lost at the first token), the hooks step aside and decoding runs at
        merged speed. Otherwise the base weights stay pristine and each row adds its own LoRA.
        """
        names = list(dict.fromkeys(app_names))
        if len(names) > self.max_resident:
            raise OrchError(f"a mixed batch of {len(names)} apps exceeds pool.max_resident={self.max_resident}")
        adapters = [self.load(name) for name in names]
        if any(set(a.lora) != set(adapters[0].lora) for a in adapters):
            raise OrchError("a mixed batch needs adapters with the same target modules")
        if len({a.app for a in adapters}) < len(adapters):
            raise OrchError("a mixed batch cannot hold two adapters of one app (they share its token rows)")
        for adapter in adapters:
            self._write_token_rows(adapter)
        if self.mode == "merged" and merged in names:
            self.activate(merged)
        else:
            merged = None
            self._restore()
            self.active = None
        rows = torch.tensor([names.index(name) for name in app_names], device=self.base.device)
        mixed = MixedAdapterModel(self.base.model, rows, names.index(merged) if merged else None)
        scales = torch.tensor([0.0 if a.key == merged else a.scale for a in adapters], device=self.base.device)
        under = self.resident[merged] if merged else None
        for module in adapters[0].lora:
            stacked_a = torch.stack([a.lora[module][0] for a in adapters]).transpose(1, 2)
            stacked_b = torch.stack([a.lora[module][1] for a in adapters]).transpose(1, 2)
            minus = (*under.lora[module], under.scale) if under else None

            def add_row_lora(_module, inputs, output, a=stacked_a, b=stacked_b, minus=minus):
                if mixed.merged_only:
                    return output
                x, index = inputs[0], mixed.rows
                delta = scales[index].to(output.dtype).view(-1, 1, 1) * torch.bmm(torch.bmm(x, a[index]), b[index])
                if minus is not None:
                    other = (index != mixed.merged).to(output.dtype).view(-1, 1, 1) * minus[2]
                    linear = torch.nn.functional.linear
                    delta = delta - other * linear(linear(x, minus[0]), minus[1])
                return output + delta

            self._row_hooks.append(self.modules[module].register_forward_hook(add_row_lora))
        return mixed

    def load(self, app_name: str) -> LoadedAdapter:
        """Make ``app_name``'s adapter resident (the most recently used) without applying it."""
        adapter = self.resident.get(app_name) or self._load(app_name)
        self.resident.move_to_end(app_name)
        return adapter

    def evict(self, app_name: str) -> None:
        if app_name == self.active:
            self._restore()
            self.active = None
        self.resident.pop(app_name, None)

    # ----- internals ----------------------------------------------------------------------
    def _load(self, app_name: str) -> LoadedAdapter:
        started = time.perf_counter()
        adapter, path = read_app_adapter(self.registry, app_name, self.base)
        for module in adapter.lora:
            if module not in self.modules:
                raise OrchError(f"adapter {path} targets {module}, which the base model does not have")
        while len(self.resident) >= self.max_resident:
            oldest = next(iter(self.resident))
            self.evict(oldest)
        self.resident[app_name] = adapter
        self.stats["cold_loads"] += 1
        self.stats["last_load_ms"] = (time.perf_counter() - started) * 1000
        return adapter

    @torch.no_grad()
    def _write_token_rows(self, adapter: LoadedAdapter) -> None:
        """Put the adapter's functional-token rows into the shared embedding, unless they are there."""
        if self.base.token_rows_of.get(adapter.app) != adapter.key:
            self.base.model.get_input_embeddings().weight.index_copy_(0, adapter.token_ids, adapter.token_rows)
            self.base.token_rows_of[adapter.app] = adapter.key

    @torch.no_grad()
    def _merge(self, adapter: LoadedAdapter) -> None:
        """Point each targeted module at a buffer holding ``W_orig + scale * B @ A``.

        The original Parameter is kept untouched as the pristine copy (no clone needed), and the
        merged buffer is allocated once per module and rewritten in place on later switches.
        """
        previous = self.resident.get(self.active) if self.active else None
        for name in set(previous.lora) - set(adapter.lora) if previous else ():
            self.modules[name].weight = self._originals[name]
        for name, (a, b) in adapter.lora.items():
            module = self.modules[name]
            if name not in self._originals:
                self._originals[name] = module.weight
                self._merged[name] = torch.nn.Parameter(torch.empty_like(module.weight), requires_grad=False)
            merged = self._merged[name]
            torch.addmm(self._originals[name], b, a, alpha=adapter.scale, out=merged)
            module.weight = merged

    def _hook(self, adapter: LoadedAdapter) -> None:
        self._restore()
        for name, (a, b) in adapter.lora.items():

            def add_lora(_module, inputs, output, a=a, b=b, scale=adapter.scale):
                return output + scale * torch.nn.functional.linear(torch.nn.functional.linear(inputs[0], a), b)

            self._hooks.append(self.modules[name].register_forward_hook(add_lora))

    def _remove_hooks(self) -> None:
        for handle in self._hooks:
            handle.remove()
        self._hooks.clear()

    def _remove_row_hooks(self) -> None:
        for handle in self._row_hooks:
            handle.remove()
        self._row_hooks.clear()

    def _restore(self) -> None:
        self._remove_row_hooks()
        self._remove_hooks()
        for name, original in self._originals.items():
            self.modules[name].weight = original


class MixedAdapterModel:
    """The base model plus the adapter index of each batch row, for ``CallDecoder.decode_batch``;
    ``merged`` is the index of the app merged into the weights, if any."""

    def __init__(self, model: torch.nn.Module, rows: torch.Tensor, merged: int | None = None) -> None:
        self.model = model
        self.rows = rows
        self.merged = merged
        self.merged_only = False

    def __call__(self, **inputs):
        return self.model(**inputs)

    def keep_rows(self, keep: list[int]) -> None:
        """Follow the decoder when finished rows leave the batch."""
        self.rows = self.rows[keep]
        self.merged_only = self.merged is not None and bool((self.rows == self.merged).all())
