"""``decoding.weights: q8_0``: orch's decoding on llama.cpp, for CPUs where torch is slow.

A token on a CPU costs the bytes of weights it reads, plus the work around each operation. Where
the CPU has no native bf16 (most laptops), torch holds the base in float32, and eager torch adds
small operations around every product. llama.cpp reads 8-bit blocks in fused C kernels. Each app
is its own merged Q8_0 GGUF (``gguf_apps.py``) with its own llama.cpp context, so switching app
moves no weights.

Only the model runs in llama.cpp. Routing, the call decision, the functional-token choice, the
JSON-schema grammar with jump-forward, grounding and every error stay orch's
(``constraints.py``): orch tokenizes, feeds token ids, reads the logits and masks them.

A batch's rows of one app decode together in that app's context, each row its own sequence of a
shared KV cache: one ``llama_decode`` per step feeds every row its pending tokens (jump-forward
text included), so each weight is read once per step for all of them (``benchmarks/
llama_batch.py`` measures the gain). Rows that do not fit the cache decode in further groups. A
request alone is one sequence whose cache keeps the last prompt it read, so a winning candidate
decodes on the prefill the call decision already paid for.
"""

from __future__ import annotations

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
from orchestrator.engines.llama_library import free_with, llama_cpp_module, load_gguf_model
from orchestrator.errors import OrchError
from orchestrator.registry import App, Registry

TEMPLATE_TOKENS = 64  # room for the prompt template around the query, in tokens
SEQUENCES = 8  # rows of one app decoded together, at most
CACHE_ROWS = 2  # an app's KV cache holds this many longest rows (many more of the usual length)


class AppContext:
    """One app's merged model and a llama.cpp context over it: up to ``SEQUENCES`` sequences
    sharing one KV cache of ``n_ctx`` cells."""

    def __init__(self, path: str, n_ctx: int, threads: int) -> None:
        self.llama = llama = llama_cpp_module("decoding.weights q8_0")
        self.model = load_gguf_model(llama, path)
        context = llama.llama_context_default_params()
        context.n_ctx = context.n_batch = n_ctx
        context.n_seq_max = SEQUENCES
        context.kv_unified = True  # the sequences share the cells: rows of any length mix
        context.n_threads = context.n_threads_batch = threads
        context.no_perf = True
        self.ctx = llama.llama_init_from_model(self.model, context)
        if not self.ctx:
            llama.llama_model_free(self.model)
            raise OrchError(f"llama.cpp cannot create a context of {n_ctx} tokens for {path}")
        self.n_ctx = n_ctx
        self.n_vocab = llama.llama_vocab_n_tokens(llama.llama_model_get_vocab(self.model))
        self.batch = llama.llama_batch_init(n_ctx, 0, 1)
        self._free = free_with(self, llama, self.batch, self.ctx, self.model)
        self.memory = llama.llama_get_memory(self.ctx)
        self.tokens: list[list[int]] = [[] for _ in range(SEQUENCES)]  # what each sequence holds

    @property
    def held(self) -> int:
        return sum(len(tokens) for tokens in self.tokens)

    def read(self, prompt: list[int]) -> torch.Tensor:
        """Logits after ``prompt`` as sequence 0, reusing the longest prefix it already holds (the
        other sequences are dropped)."""
        if len(prompt) + 1 > self.n_ctx:
            raise OrchError(f"prompt of {len(prompt)} tokens exceeds the context of {self.n_ctx}")
        common = 0
        for held, wanted in zip(self.tokens[0], prompt, strict=False):
            if held != wanted:
                break
            common += 1
        common = min(common, len(prompt) - 1)  # the last token is fed again: its logits are needed
        self.llama.llama_memory_seq_rm(self.memory, 0, common, -1)
        self.tokens[0] = self.tokens[0][:common]
        for sequence in range(1, SEQUENCES):
            if self.tokens[sequence]:
                self.llama.llama_memory_seq_rm(self.memory, sequence, 0, -1)
                self.tokens[sequence] = []
        return self.feed([(0, prompt[common:])])[0]

    def read_group(self, prompts: list[list[int]]) -> list[torch.Tensor]:
        """Logits after each prompt: one prompt as ``read`` (its prefix reused), several as
        ``read_rows``."""
        return [self.read(prompts[0])] if len(prompts) == 1 else self.read_rows(prompts)

    def read_rows(self, prompts: list[list[int]]) -> list[torch.Tensor]:
        """Logits after each prompt, prompt ``i`` as sequence ``i``, all in one pass."""
        self.llama.llama_memory_clear(self.memory, True)
        self.tokens = [[] for _ in range(SEQUENCES)]
        return self.feed(list(enumerate(prompts)))

    def feed(self, items: list[tuple[int, list[int]]]) -> list[torch.Tensor]:
        """Append each item's tokens to its sequence, in one pass; the logits after each item's
        last token (float32, copies)."""
        llama = self.llama
        count = sum(len(tokens) for _, tokens in items)
        if self.held + count > self.n_ctx:
            raise OrchError(f"call longer than the context of {self.n_ctx} tokens")
        batch, outputs = self.batch, []
        batch.n_tokens = count
        i = 0
        for sequence, tokens in items:
            start = len(self.tokens[sequence])
            for offset, token in enumerate(tokens):
                batch.token[i] = token
                batch.pos[i] = start + offset
                batch.n_seq_id[i] = 1
                batch.seq_id[i][0] = sequence
                batch.logits[i] = offset == len(tokens) - 1
                i += 1
            outputs.append(i - 1)
        status = llama.llama_decode(self.ctx, batch)
        if status != 0:
            self.tokens = [[] for _ in range(SEQUENCES)]
            llama.llama_memory_clear(self.memory, True)
            raise OrchError(f"llama.cpp could not decode (status {status})")
        for sequence, tokens in items:
            self.tokens[sequence] += tokens
        return [
            torch.from_numpy(
                np.ctypeslib.as_array(llama.llama_get_logits_ith(self.ctx, i), shape=(self.n_vocab,)).copy()
            )
            for i in outputs
        ]

    def close(self) -> None:
        """Free the model and its context now (an evicted app), not when collected."""
        self._free()


@dataclass
class AppRows:
    """The adapter (``App.adapter_key``) each row of a batch decodes under: what ``LlamaApps``
    hands the decoder."""

    apps: list[str]


class LlamaApps:
    """The q8_0 adapter pool: each app's merged GGUF in its own context, most recently used kept.

    Same interface as ``AdapterPool`` for the orchestrator: ``load``, ``activate``,
    ``activate_rows``, ``active``, ``max_resident`` and ``stats``. A switch costs nothing once an
    app is resident; the first load of an app writes its GGUF if the cache lacks it (seconds).
    """

    def __init__(self, base: BaseModel, registry: Registry, max_resident: int | None = None) -> None:
        llama_cpp_module("decoding.weights q8_0")
        self.base = base
        self.registry = registry
        self.max_resident = max_resident or registry.pool_max_resident
        # A row is at most its query (a token per character), the template and the arguments.
        self.row_tokens = registry.max_query_chars + registry.max_new_tokens + TEMPLATE_TOKENS
        self.n_ctx = CACHE_ROWS * self.row_tokens
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
    """``CallDecoder``'s contract on llama.cpp: the same rules, one app's rows decoded together."""

    def __init__(self, base: BaseModel, pool: LlamaApps, max_new_tokens: int = 96) -> None:
        self.pool = pool
        self.constraints = CallConstraints.for_base(base, max_new_tokens)
        self._bitmask = xgr.allocate_token_bitmask(SEQUENCES, self.constraints.vocab_size)

    def decode_batch(
        self,
        rows: AppRows,
        requests: list[tuple[App, list[int]]],
        gate: Callable[[list[dict[str, float]]], list[bool]] | None = None,
        texts: list[str | None] | None = None,
    ) -> list[Decoded | OrchError]:
        """Every row's prompt first (the gate needs every first-token distribution), then the kept
        rows' arguments, each group of one app's rows together in that app's context; ``texts``
        as ``CallDecoder.decode_batch``'s."""
        rules = self.constraints
        texts = texts or [None] * len(requests)
        # Each row's adapter: ``rows`` names one per row, or one for a batch of one adapter's rows.
        adapters = rows.apps if len(rows.apps) == len(requests) else rows.apps[-1:] * len(requests)
        groups = self._groups(adapters, [prompt for _, prompt in requests])
        results: list[Decoded | OrchError | None] = [None] * len(requests)
        firsts: list = [None] * len(requests)
        prefill_ms = [0.0] * len(requests)
        for context, group in groups:
            started = time.perf_counter()
            logits = context.read_group([requests[index][1] for index in group])
            for index, row_logits in zip(group, logits, strict=True):
                firsts[index] = rules.first_scores(requests[index][0], row_logits)
                prefill_ms[index] = (time.perf_counter() - started) * 1000
        calls = gate([scores for scores, _ in firsts]) if gate else [None] * len(requests)
        for context, group in reversed(groups):  # the last group read still holds its prompts
            live = []
            for sequence, index in enumerate(group):
                row = rules.first_row(index, requests[index][0], *firsts[index], calls[index], texts[index])
                clock = Clock(prefill_ms[index], time.perf_counter())
                if row.done:
                    results[index] = rules.result(row, clock)
                else:
                    live.append((sequence, row, clock))
            if not live:
                continue
            prompts = [requests[index][1] for index in group]
            if context.tokens[: len(group)] != prompts:  # another group of this app read since
                context.read_group(prompts)
            self._arguments(context, live, results)
        return results

    def _groups(self, apps: list[str], prompts: list[list[int]]) -> list[tuple[AppContext, list[int]]]:
        """Row indices by adapter, cut where ``SEQUENCES`` rows or the app's cache would overflow (a
        row may grow by the argument budget)."""
        groups: list[tuple[AppContext, list[int]]] = []
        budget = self.constraints.max_new_tokens + 2  # the functional token and the end token
        for name in dict.fromkeys(apps):
            context = self.pool.load(name)
            group, cells = [], 0
            for index in [i for i, app in enumerate(apps) if app == name]:
                need = len(prompts[index]) + budget
                if group and (len(group) == SEQUENCES or cells + need > context.n_ctx):
                    groups.append((context, group))
                    group, cells = [], 0
                group.append(index)
                cells += need
            groups.append((context, group))
        return groups

    def _arguments(self, context: AppContext, live: list[tuple], results: list) -> None:
        """Decode the rows of ``live`` (sequence, row, clock) together until each is done."""
        rules = self.constraints
        while live:
            feeding = []
            for sequence, row, clock in live:
                rules.advance(row)
                if row.done:
                    results[row.index] = rules.result(row, clock)
                else:
                    feeding.append((sequence, row, clock))
            if not feeding:
                return
            logits = context.feed([(sequence, row.pending) for sequence, row, _ in feeding])
            rows = [row for _, row, _ in feeding]
            for (_, row, clock), token in zip(
                feeding, rules.choose(torch.stack(logits), rows, self._bitmask), strict=True
            ):
                clock.passes += 1
                rules.accept(row, token)
                if row.done:
                    results[row.index] = rules.result(row, clock)
            live = [item for item in feeding if not item[1].done]
