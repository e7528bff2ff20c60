"""Constrained generation on the torch model: shared forward passes for a batch of requests.

What is decoded (functional token, schema-valid arguments, end token) is ``constraints.py``'s; this
module owns how the torch model runs it: left-padded batches, one KV cache, finished rows leaving
the batch, and mixed-adapter batches (``AdapterPool.activate_rows``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import torch
import xgrammar as xgr
from transformers import Cache

from orchestrator.engines.adapter_pool import MixedAdapterModel
from orchestrator.engines.base_model import BaseModel
from orchestrator.engines.constraints import CallConstraints, Clock, Decoded, Row
from orchestrator.errors import OrchError
from orchestrator.registry import App


class CallDecoder:
    """Greedy grammar-constrained decoding of calls on the active torch model."""

    def __init__(self, base: BaseModel, max_new_tokens: int = 96) -> None:
        self.base = base
        self.constraints = CallConstraints.for_base(base, max_new_tokens)

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
        texts: list[str | None] | None = None,
    ) -> list[Decoded | OrchError]:
        """Decode several requests in shared forward passes, each under its own app's grammar.

        Prompts are left-padded; each step feeds every unfinished row its pending tokens (the
        model's last choice plus any jump-forward text), left-padded to the widest row and masked,
        so rows advance at their own pace. Finished rows leave the batch (the KV cache drops their
        rows), so a short call never pays for a long one. The model may be one merged adapter or a
        mixed-adapter model whose LoRA is selected per row (see ``AdapterPool.activate_rows``).
        A row that fails (arguments cut off) gets its error in its place; the others are unaffected.
        ``gate``, given every row's first-token scores, says which rows make a call. ``texts``,
        the requests, keep their free-text values spans of them (``spans.py``).
        """
        rules = self.constraints
        device = self.base.device
        pad_id = self.base.tokenizer.pad_token_id or 0
        start = time.perf_counter()
        input_ids, mask = _left_padded([ids for _, ids in requests], pad_id, device)
        out = model(**self._step_inputs(input_ids, mask), use_cache=True, logits_to_keep=1)
        cache = out.cache
        logits = out.logits[:, -1].float()
        prefill_ms = (time.perf_counter() - start) * 1000

        results: list[Decoded | OrchError | None] = [None] * len(requests)
        firsts = [rules.first_scores(app, logits[index]) for index, (app, _) in enumerate(requests)]
        calls = gate([scores for scores, _ in firsts]) if gate else [None] * len(requests)
        texts = texts or [None] * len(requests)
        rows = [
            rules.first_row(index, app, *firsts[index], calls[index], texts[index])
            for index, (app, _) in enumerate(requests)
        ]
        clock = Clock(prefill_ms, time.perf_counter())
        bitmask = xgr.allocate_token_bitmask(len(requests), rules.vocab_size)
        while True:
            rows, mask = self._retire(model, rows, results, cache, mask, clock)
            for row in rows:
                rules.advance(row)
            rows, mask = self._retire(model, rows, results, cache, mask, clock)
            if not rows:
                return results
            step_ids, step_mask = _left_padded([row.pending for row in rows], pad_id, device)
            mask = torch.cat([mask, step_mask], dim=1)
            out = model(**self._step_inputs(step_ids, mask), cache=cache, use_cache=True, logits_to_keep=1)
            cache = out.cache
            clock.passes += 1
            for row, token in zip(rows, rules.choose(out.logits[:, -1].float(), rows, bitmask), strict=True):
                rules.accept(row, token)

    def _retire(
        self,
        model: torch.nn.Module | MixedAdapterModel,
        rows: list[Row],
        results: list,
        cache: Cache,
        mask: torch.Tensor,
        clock: Clock,
    ) -> tuple[list[Row], torch.Tensor]:
        """Write the results of finished rows and drop them from the batch and its KV cache."""
        for row in rows:
            if row.done:
                results[row.index] = self.constraints.result(row, clock)
        keep = [i for i, row in enumerate(rows) if not row.done]
        if keep and len(keep) < mask.shape[0]:
            cache.batch_select_indices(torch.tensor(keep, dtype=torch.long, device=mask.device))
            mask = mask[keep]
            if isinstance(model, MixedAdapterModel):
                model.keep_rows(keep)
        return [rows[i] for i in keep], mask

    @staticmethod
    def _step_inputs(input_ids: torch.Tensor, mask: torch.Tensor) -> dict[str, torch.Tensor]:
        """Inputs for one forward pass; positions count only real (unmasked) tokens of each row."""
        positions = (mask.cumsum(dim=1) - 1).clamp(min=0)[:, -input_ids.shape[1] :]
        if bool(mask.all()):
            return {"input_ids": input_ids, "position_ids": positions}
        return {"input_ids": input_ids, "attention_mask": mask, "position_ids": positions}


def _left_padded(sequences: list[list[int]], pad_id: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids left-padded to the longest sequence, and the mask of real tokens."""
    width = max(len(seq) for seq in sequences)
    ids = [[pad_id] * (width - len(seq)) + seq for seq in sequences]
    mask = [[0] * (width - len(seq)) + [1] * len(seq) for seq in sequences]
    return torch.tensor(ids, device=device), torch.tensor(mask, device=device)
