"""Constrained generation: functional token first, then schema-valid JSON arguments, then stop.

* Step 1 is a single-token classification (Octopus v2): argmax over the chosen app's functional
  tokens plus its end token; the end token first means "no call". A ``gate`` may take that
  decision instead, from every row's first-token distribution at once (the orchestrator pools it
  with the router's view, ``orchestrator/decision.py``); a row it keeps then takes its best
  functional token.
* After it, xgrammar's JSON-schema grammar for that function masks every step, so the arguments
  parse and validate (types, enums, min/max, required) by construction. The grammar's only stop
  token is the app's end token, and decoding stops there.
* Text the grammar forces (``{"item": "``, separators, the end token) is not generated token by
  token: it is appended and fed to the model together with the next real choice, in one forward
  pass (jump-forward decoding).

xgrammar was chosen over llguidance after measuring both on this decoder (``benchmarks/grammar.py``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import xgrammar as xgr
from transformers import Cache

from orchestrator.adapter_pool import MixedAdapterModel
from orchestrator.base_model import BaseModel
from orchestrator.calls import strict_schema, trimmed
from orchestrator.errors import OrchError
from orchestrator.registry import App

NO_CALL = "<no call>"


@dataclass
class Decoded:
    """Raw decoder output before it becomes a Call."""

    function: str | None
    arguments: dict[str, Any]
    generated_tokens: int
    forward_passes: int
    function_scores: dict[str, float] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)


class CallDecoder:
    """Greedy grammar-constrained decoding of one call for one app on the active model."""

    def __init__(self, base: BaseModel, max_new_tokens: int = 96) -> None:
        self.base = base
        self.max_new_tokens = max_new_tokens
        vocab = base.model.get_output_embeddings().weight.shape[0]
        self.vocab_size = vocab
        self.first_functional = base.base_vocab
        self.tokenizer_info = xgr.TokenizerInfo.from_huggingface(base.tokenizer, vocab_size=vocab)
        self.compiler = xgr.GrammarCompiler(self.tokenizer_info, max_threads=1)
        self._grammars: dict[tuple[str, str], xgr.CompiledGrammar] = {}
        self._bitmask = xgr.allocate_token_bitmask(1, vocab)

    def grammar(self, app: App, function: str) -> xgr.CompiledGrammar:
        key = (app.name, function)
        if key not in self._grammars:
            schema = strict_schema(app.function(function))
            self._grammars[key] = self.compiler.compile_json_schema(json.dumps(schema), any_whitespace=False)
        return self._grammars[key]

    def _jump_forward(self, matcher: xgr.GrammarMatcher) -> list[int]:
        """Accept the text the grammar forces next (keys, quotes, separators) as tokens.

        The forced text is tokenised on its own. Its last token may be one that training text
        merged with what follows (``{`` + ``}`` is the single token ``{}``), so it is kept only if
        the grammar allows nothing else there; otherwise the model chooses it under the mask.
        Any refused token rolls the matcher back and decoding goes on token by token.
        """
        text = matcher.find_jump_forward_string()
        if not text:
            return []
        ids = self.base.tokenizer(text, add_special_tokens=False).input_ids
        for count, token in enumerate(ids[:-1]):
            if not matcher.accept_token(token):
                if count:
                    matcher.rollback(count)
                return []
        accepted = ids[:-1]
        if self._forced_token(matcher) == ids[-1] and matcher.accept_token(ids[-1]):
            accepted.append(ids[-1])
        return accepted

    def _forced_token(self, matcher: xgr.GrammarMatcher) -> int | None:
        """The only token the grammar allows next, or None when there is a real choice."""
        matcher.fill_next_token_bitmask(self._bitmask)
        words = self._bitmask[0].numpy().view(np.uint32)
        nonzero = np.flatnonzero(words)
        if len(nonzero) != 1:
            return None
        word = int(words[nonzero[0]])
        if word & (word - 1):
            return None
        return int(nonzero[0]) * 32 + word.bit_length() - 1

    def decode(self, model: torch.nn.Module, app: App, prompt_ids: list[int]) -> Decoded:
        """Decode one request: a batch of one."""
        result = self.decode_batch(model, [(app, prompt_ids)])[0]
        if isinstance(result, OrchError):
            raise result
        return result

    @torch.inference_mode()
    def decode_batch(
        self,
        model: torch.nn.Module | MixedAdapterModel,
        requests: list[tuple[App, list[int]]],
        gate: Callable[[list[dict[str, float]]], list[bool]] | None = None,
    ) -> list[Decoded | OrchError]:
        """Decode several requests in shared forward passes, each under its own app's grammar.

        Prompts are left-padded; each step feeds every unfinished row its pending tokens (the
        model's last choice plus any jump-forward text), left-padded to the widest row and masked,
        so rows advance at their own pace. Finished rows leave the batch (the KV cache drops their
        rows), so a short call never pays for a long one. The model may be one merged adapter or a
        mixed-adapter model whose LoRA is selected per row (see ``AdapterPool.activate_rows``).
        A row that fails (arguments cut off) gets its error in its place; the others are unaffected.
        ``gate``, given every row's first-token scores, says which rows make a call (see above).
        """
        device = self.base.device
        pad_id = self.base.tokenizer.pad_token_id or 0
        start = time.perf_counter()
        input_ids, mask = _left_padded([ids for _, ids in requests], pad_id, device)
        out = model(**self._step_inputs(input_ids, mask), use_cache=True, logits_to_keep=1)
        cache = out.cache
        logits = out.logits[:, -1].float()
        prefill_ms = (time.perf_counter() - start) * 1000

        results: list[Decoded | OrchError | None] = [None] * len(requests)
        firsts = [self._first_scores(app, logits[index]) for index, (app, _) in enumerate(requests)]
        calls = gate([scores for scores, _ in firsts]) if gate else [None] * len(requests)
        rows = [self._first_token(index, app, *firsts[index], calls[index]) for index, (app, _) in enumerate(requests)]
        clock = _Clock(prefill_ms, time.perf_counter())
        bitmask = xgr.allocate_token_bitmask(len(requests), self.vocab_size)
        while True:
            rows, mask = self._retire(model, rows, results, cache, mask, clock)
            for row in rows:
                forced = self._jump_forward(row.matcher)
                row.generated += forced
                row.pending += forced
                if self._forced_token(row.matcher) == row.end_id:
                    row.matcher.accept_token(row.end_id)
                    row.done = True
                row.done = row.done or len(row.generated) >= self.max_new_tokens
            rows, mask = self._retire(model, rows, results, cache, mask, clock)
            if not rows:
                return results
            step_ids, step_mask = _left_padded([row.pending for row in rows], pad_id, device)
            mask = torch.cat([mask, step_mask], dim=1)
            out = model(**self._step_inputs(step_ids, mask), cache=cache, use_cache=True, logits_to_keep=1)
            cache = out.cache
            clock.passes += 1
            logits = out.logits[:, -1].float()
            for position, row in enumerate(rows):
                row.matcher.fill_next_token_bitmask(bitmask, position)
            xgr.apply_token_bitmask_inplace(logits, bitmask[: len(rows)].to(logits.device))
            self._forbid_functional(logits, [row.end_id for row in rows])
            for row, token in zip(rows, torch.argmax(logits, dim=-1).tolist(), strict=True):
                if not row.matcher.accept_token(token):
                    raise OrchError("grammar rejected a token it allowed")
                if token == row.end_id:
                    row.done = True
                else:
                    row.generated.append(token)
                    row.pending = [token]
                    row.done = len(row.generated) >= self.max_new_tokens

    def _forbid_functional(self, logits: torch.Tensor, end_ids: list[int]) -> None:
        """Inside the arguments, no functional token but the row's own end token where the grammar
        ends. xgrammar reads an added token as its text, and a JSON string may hold the text
        ``<android_16>``: the model's wish to stop mid-string once came out as
        ``"device_name": "my car's<android_16>"``."""
        rows = torch.arange(len(end_ids), device=logits.device)
        ends = torch.tensor(end_ids, device=logits.device)
        allowed = logits[rows, ends].clone()
        logits[:, self.first_functional :] = float("-inf")
        logits[rows, ends] = allowed

    def _retire(
        self,
        model: torch.nn.Module | MixedAdapterModel,
        rows: list[_Row],
        results: list,
        cache: Cache,
        mask: torch.Tensor,
        clock: _Clock,
    ) -> tuple[list[_Row], torch.Tensor]:
        """Write the results of finished rows and drop them from the batch and its KV cache."""
        for row in rows:
            if row.done:
                results[row.index] = self._result(row, clock)
        keep = [i for i, row in enumerate(rows) if not row.done]
        if keep and len(keep) < mask.shape[0]:
            cache.batch_select_indices(torch.tensor(keep, dtype=torch.long, device=mask.device))
            mask = mask[keep]
            if isinstance(model, MixedAdapterModel):
                model.keep_rows(keep)
        return [rows[i] for i in keep], mask

    def _result(self, row: _Row, clock: _Clock) -> Decoded | OrchError:
        if row.function is None:
            return Decoded(None, {}, 1, 1, row.scores, {"prefill_ms": clock.prefill_ms, "decode_ms": 0.0})
        if not row.matcher.is_terminated():
            return OrchError(f"arguments longer than {self.max_new_tokens} tokens; request cut off")
        arguments = json.loads(self.base.tokenizer.decode(row.generated, skip_special_tokens=False))
        try:
            arguments = trimmed(row.app.function(row.function), arguments)
        except OrchError as err:
            return err
        decode_ms = (time.perf_counter() - clock.decode_start) * 1000
        timings = {"prefill_ms": clock.prefill_ms, "decode_ms": decode_ms}
        return Decoded(row.function, arguments, len(row.generated) + 2, clock.passes, row.scores, timings)

    @staticmethod
    def _step_inputs(input_ids: torch.Tensor, mask: torch.Tensor) -> dict[str, torch.Tensor]:
        """Inputs for one forward pass; positions count only real (unmasked) tokens of each row."""
        positions = (mask.cumsum(dim=1) - 1).clamp(min=0)[:, -input_ids.shape[1] :]
        if bool(mask.all()):
            return {"input_ids": input_ids, "position_ids": positions}
        return {"input_ids": input_ids, "attention_mask": mask, "position_ids": positions}

    def _first_scores(self, app: App, logits: torch.Tensor) -> tuple[dict[str, float], torch.Tensor]:
        """The first-token distribution over the app's functional tokens and its end token."""
        token_ids = [self.base.token_id(t) for t in [*app.function_tokens, app.end_token]]
        probs = torch.softmax(logits[token_ids], dim=-1)
        scores = {fn.name: round(p, 4) for fn, p in zip(app.functions, probs.tolist(), strict=False)}
        scores[NO_CALL] = round(float(probs[-1]), 4)
        return scores, probs

    def _first_token(
        self, index: int, app: App, scores: dict[str, float], probs: torch.Tensor, call: bool | None
    ) -> _Row:
        """Octopus step 1: argmax over the app's functional tokens and its end token, unless the
        gate decided already (``call``: True makes the best function the answer, False no call)."""
        token_ids = [self.base.token_id(t) for t in [*app.function_tokens, app.end_token]]
        picked = int(torch.argmax(probs)) if call is None else int(torch.argmax(probs[:-1]))
        end_id = token_ids[-1]
        if call is False or picked == len(app.functions):
            return _Row(index, app, None, scores, end_id, done=True)
        function = app.functions[picked].name
        matcher = xgr.GrammarMatcher(self.grammar(app, function), override_stop_tokens=[end_id])
        return _Row(index, app, function, scores, end_id, matcher, pending=[token_ids[picked]])


def _left_padded(sequences: list[list[int]], pad_id: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids left-padded to the longest sequence, and the mask of real tokens."""
    width = max(len(seq) for seq in sequences)
    ids = [[pad_id] * (width - len(seq)) + seq for seq in sequences]
    mask = [[0] * (width - len(seq)) + [1] * len(seq) for seq in sequences]
    return torch.tensor(ids, device=device), torch.tensor(mask, device=device)


@dataclass
class _Clock:
    """Timings shared by the rows of one batch."""

    prefill_ms: float
    decode_start: float
    passes: int = 1


@dataclass
class _Row:
    """One request's decoding state inside a batch."""

    index: int
    app: App
    function: str | None
    scores: dict[str, float]
    end_id: int
    matcher: xgr.GrammarMatcher | None = None
    pending: list[int] = field(default_factory=list)
    generated: list[int] = field(default_factory=list)
    done: bool = False
