"""Constrained generation: functional token first, then schema-valid JSON arguments, then stop.

* Step 1 is a single-token classification (Octopus v2): argmax over the chosen app's functional
  tokens plus its end token; the end token first means "no call".
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
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import xgrammar as xgr

from orchestrator.base_model import BaseModel
from orchestrator.calls import strict_schema, validate_arguments
from orchestrator.errors import OrchError
from orchestrator.registry import App


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

    @torch.inference_mode()
    def decode(self, model: torch.nn.Module, app: App, prompt_ids: list[int]) -> Decoded:
        device = self.base.device
        timings: dict[str, float] = {}
        start = time.perf_counter()
        ids = torch.tensor([prompt_ids], device=device)
        out = model(input_ids=ids, use_cache=True, logits_to_keep=1)
        cache = out.cache
        logits = out.logits[0, -1].float()
        timings["prefill_ms"] = (time.perf_counter() - start) * 1000

        token_ids = [self.base.token_id(t) for t in [*app.function_tokens, app.end_token]]
        choice = logits[token_ids]
        probs = torch.softmax(choice, dim=-1).tolist()
        scores = {fn.name: round(p, 4) for fn, p in zip(app.functions, probs, strict=False)}
        scores["<no call>"] = round(probs[-1], 4)
        picked = int(torch.argmax(choice))
        end_id = token_ids[-1]
        if picked == len(app.functions):
            timings["decode_ms"] = 0.0
            return Decoded(None, {}, 1, 1, scores, timings)

        function = app.functions[picked].name
        matcher = xgr.GrammarMatcher(self.grammar(app, function), override_stop_tokens=[end_id])
        generated: list[int] = []
        pending = [token_ids[picked]]
        passes = 1
        decode_start = time.perf_counter()
        while len(generated) < self.max_new_tokens:
            forced_ids = self._jump_forward(matcher)
            generated += forced_ids
            pending += forced_ids
            if self._forced_token(matcher) == end_id:
                matcher.accept_token(end_id)
                break
            out = model(
                input_ids=torch.tensor([pending], device=device),
                cache=cache,
                use_cache=True,
                logits_to_keep=1,
            )
            cache = out.cache
            passes += 1
            logits = out.logits[0, -1].float().unsqueeze(0)
            xgr.apply_token_bitmask_inplace(logits, self._bitmask.to(logits.device))
            token = int(torch.argmax(logits[0]))
            if not matcher.accept_token(token):
                raise OrchError("grammar rejected a token it allowed")
            if token == end_id:
                break
            generated.append(token)
            pending = [token]
        timings["decode_ms"] = (time.perf_counter() - decode_start) * 1000
        text = self.base.tokenizer.decode(generated, skip_special_tokens=False)
        if not matcher.is_terminated():
            raise OrchError(f"arguments longer than {self.max_new_tokens} tokens; request cut off")
        arguments = json.loads(text)
        validate_arguments(app.function(function), arguments)
        return Decoded(function, arguments, len(generated) + 2, passes, scores, timings)
