"""``decoding.weights: q8_0``: orch's decoding on llama.cpp, for CPUs where torch is slow.

A token on a CPU costs the bytes of weights it reads, plus the work around each operation. Where
the CPU has no native bf16 (most laptops), torch holds the base in float32, and eager torch adds
small operations around every product. llama.cpp reads 8-bit blocks in fused C kernels. Each app is its own merged Q8_0 GGUF
(``gguf_apps.py``) with its own llama.cpp context, so switching app moves no weights.

Only the model runs in llama.cpp. Routing, the call decision, the functional-token choice, the
JSON-schema grammar with jump-forward, grounding and every error stay orch's
(``constraints.py``): orch tokenizes, feeds token ids, reads the logits and masks them.

Rows are decoded one after the other, each in its app's context (a laptop serves one request at
a time; batches belong to the torch path). A context keeps the tokens of the last prompt it read,
so a request's winning candidate decodes on the prefill the call decision already paid for; two
rows of one app in one batch re-read the prompt of the one that lost its place.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import xgrammar as xgr

from orchestrator.engines.adapter_pool import read_app_adapter
from orchestrator.engines.base_model import BaseModel
from orchestrator.engines.constraints import CallConstraints, Clock, Decoded
from orchestrator.engines.gguf_apps import app_gguf_path
from orchestrator.errors import OrchError
from orchestrator.registry import App, Registry

TEMPLATE_TOKENS = 64  # room for the prompt template around the query, in tokens


def _llama():
    try:
        import llama_cpp
    except ImportError:
        raise OrchError("decoding.weights q8_0 needs llama-cpp-python (run: make install)") from None
    # llama-cpp-python prints llama.cpp's log (graph dumps included) unless its logger is told not to.
    logging.getLogger("llama-cpp-python").setLevel(logging.ERROR)
    return llama_cpp


class AppContext:
    """One app's merged model and a llama.cpp context over it (one sequence, its own KV cache)."""

    def __init__(self, path: str, n_ctx: int, threads: int) -> None:
        self.llama = llama = _llama()
        llama.llama_backend_init()
        params = llama.llama_model_default_params()
        self.model = llama.llama_model_load_from_file(path.encode(), params)
        if not self.model:
            raise OrchError(f"llama.cpp cannot load {path}; delete it to have it rebuilt")
        context = llama.llama_context_default_params()
        context.n_ctx = context.n_batch = n_ctx
        context.n_seq_max = 1
        context.n_threads = context.n_threads_batch = threads
        context.no_perf = True
        self.ctx = llama.llama_init_from_model(self.model, context)
        if not self.ctx:
            llama.llama_model_free(self.model)
            raise OrchError(f"llama.cpp cannot create a context of {n_ctx} tokens for {path}")
        self.n_ctx = n_ctx
        self.n_vocab = llama.llama_vocab_n_tokens(llama.llama_model_get_vocab(self.model))
        self.batch = llama.llama_batch_init(n_ctx, 0, 1)
        self.memory = llama.llama_get_memory(self.ctx)
        self.tokens: list[int] = []  # what the KV cache holds, position by position

    def read(self, prompt: list[int]) -> torch.Tensor:
        """Logits after ``prompt``, reusing the longest prefix the cache already holds."""
        if len(prompt) + 1 > self.n_ctx:
            raise OrchError(f"prompt of {len(prompt)} tokens exceeds the context of {self.n_ctx}")
        common = 0
        for held, wanted in zip(self.tokens, prompt, strict=False):
            if held != wanted:
                break
            common += 1
        common = min(common, len(prompt) - 1)  # the last token is fed again: its logits are needed
        self.llama.llama_memory_seq_rm(self.memory, 0, common, -1)
        self.tokens = self.tokens[:common]
        return self.feed(prompt[common:])

    def feed(self, tokens: list[int]) -> torch.Tensor:
        """Append ``tokens``; the logits after the last one (float32, a copy)."""
        llama = self.llama
        start = len(self.tokens)
        if start + len(tokens) > self.n_ctx:
            raise OrchError(f"call longer than the context of {self.n_ctx} tokens")
        batch = self.batch
        batch.n_tokens = len(tokens)
        for i, token in enumerate(tokens):
            batch.token[i] = token
            batch.pos[i] = start + i
            batch.n_seq_id[i] = 1
            batch.seq_id[i][0] = 0
            batch.logits[i] = i == len(tokens) - 1
        status = llama.llama_decode(self.ctx, batch)
        if status != 0:
            self.tokens = []
            llama.llama_memory_clear(self.memory, True)
            raise OrchError(f"llama.cpp could not decode (status {status})")
        self.tokens += tokens
        logits = llama.llama_get_logits_ith(self.ctx, -1)
        return torch.from_numpy(np.ctypeslib.as_array(logits, shape=(self.n_vocab,)).copy())

    def close(self) -> None:
        llama = self.llama
        llama.llama_batch_free(self.batch)
        llama.llama_free(self.ctx)
        llama.llama_model_free(self.model)


@dataclass
class AppRows:
    """The app each row of a batch decodes under: what ``LlamaApps`` hands the decoder."""

    apps: list[str]


class LlamaApps:
    """The q8_0 adapter pool: each app's merged GGUF in its own context, most recently used kept.

    Same interface as ``AdapterPool`` for the orchestrator: ``load``, ``activate``,
    ``activate_rows``, ``active``, ``max_resident`` and ``stats``. A switch costs nothing once an
    app is resident; the first load of an app writes its GGUF if the cache lacks it (seconds).
    """

    def __init__(self, base: BaseModel, registry: Registry, max_resident: int | None = None) -> None:
        _llama()
        self.base = base
        self.registry = registry
        self.max_resident = max_resident or registry.pool_max_resident
        self.n_ctx = registry.max_query_chars + registry.max_new_tokens + TEMPLATE_TOKENS
        self.threads = torch.get_num_threads()
        self.resident: OrderedDict[str, AppContext] = OrderedDict()
        self.active: str | None = None
        self.stats = {"cold_loads": 0, "switches": 0, "last_load_ms": 0.0, "last_switch_ms": 0.0}

    def load(self, app_name: str) -> AppContext:
        context = self.resident.get(app_name) or self._load(app_name)
        self.resident.move_to_end(app_name)
        return context

    def activate(self, app_name: str) -> AppRows:
        return self.activate_rows([app_name])

    def activate_rows(self, app_names: list[str], merged: str | None = None) -> AppRows:
        """Every row's app resident; ``merged`` is ignored (no app is merged into a shared base)."""
        for name in dict.fromkeys(app_names):
            self.load(name)
        if self.active != app_names[-1]:
            self.stats["switches"] += 1
        self.active = app_names[-1]
        return AppRows(list(app_names))

    def evict(self, app_name: str) -> None:
        context = self.resident.pop(app_name, None)
        if context is not None:
            context.close()
        if self.active == app_name:
            self.active = None

    def _load(self, app_name: str) -> AppContext:
        started = time.perf_counter()
        adapter, path = read_app_adapter(self.registry, app_name, self.base)
        gguf = app_gguf_path(self.base, adapter, path / "adapter_model.safetensors")
        while len(self.resident) >= self.max_resident:
            self.evict(next(iter(self.resident)))
        self.resident[app_name] = AppContext(str(gguf), self.n_ctx, self.threads)
        self.stats["cold_loads"] += 1
        self.stats["last_load_ms"] = (time.perf_counter() - started) * 1000
        return self.resident[app_name]


class LlamaDecoder:
    """``CallDecoder``'s contract on llama.cpp: the same rules, rows decoded one at a time."""

    def __init__(self, base: BaseModel, pool: LlamaApps, max_new_tokens: int = 96) -> None:
        self.pool = pool
        self.constraints = CallConstraints.for_base(base, max_new_tokens)
        self._bitmask = xgr.allocate_token_bitmask(1, self.constraints.vocab_size)

    def decode_batch(
        self,
        rows: AppRows,
        requests: list[tuple[App, list[int]]],
        gate: Callable[[list[dict[str, float]]], list[bool]] | None = None,
    ) -> list[Decoded | OrchError]:
        """Every row's prompt first (the gate needs every first-token distribution), then each
        kept row's arguments in its app's context."""
        rules = self.constraints
        contexts = [self.pool.load(name) for name in rows.apps]
        results: list[Decoded | OrchError | None] = [None] * len(requests)
        firsts, prefill_ms = [], []
        for context, (app, prompt) in zip(contexts, requests, strict=True):
            started = time.perf_counter()
            firsts.append(rules.first_scores(app, context.read(prompt)))
            prefill_ms.append((time.perf_counter() - started) * 1000)
        calls = gate([scores for scores, _ in firsts]) if gate else [None] * len(requests)
        for index, (context, (app, prompt)) in enumerate(zip(contexts, requests, strict=True)):
            row = rules.first_row(index, app, *firsts[index], calls[index])
            clock = Clock(prefill_ms[index], time.perf_counter())
            if row.done:
                results[index] = rules.result(row, clock)
                continue
            if context.tokens != prompt:  # another row of this app read its prompt since
                context.read(prompt)
            results[index] = self._arguments(context, row, clock)
        return results

    def _arguments(self, context: AppContext, row, clock: Clock) -> Decoded | OrchError:
        rules = self.constraints
        while True:
            rules.advance(row)
            if row.done:
                return rules.result(row, clock)
            logits = context.feed(row.pending)
            clock.passes += 1
            rules.accept(row, rules.choose(logits[None], [row], self._bitmask)[0])
            if row.done:
                return rules.result(row, clock)
