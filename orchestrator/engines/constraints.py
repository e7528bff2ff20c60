"""The rules every orch decoder obeys, whatever runs the model (torch here, llama.cpp in ``llama_backend``).

* Step 1 is a single-token classification (Octopus v2): argmax over the chosen app's functional
  tokens plus its end token; the end token first means "no call". A ``gate`` may take that
  decision instead, from every row's first-token distribution at once (the orchestrator pools it
  with the router's view, ``orchestrator/request/decision.py``); a row it keeps then takes its best
  functional token.
* After it, xgrammar's JSON-schema grammar for that function masks every step, so the arguments
  parse and validate (types, enums, min/max, required) by construction. The grammar's only stop
  token is the app's end token, and decoding stops there.
* Inside a free-text string, each token also keeps the value a span of the request
  (``spans.py``), where the decoder was given the request's text.
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

from orchestrator.calls import free_text, strict_schema, trimmed
from orchestrator.engines.spans import SpanGuide, TokenIndex
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


@dataclass
class Row:
    """One request's decoding state."""

    index: int
    app: App
    function: str | None
    scores: dict[str, float]
    end_id: int
    matcher: xgr.GrammarMatcher | None = None
    pending: list[int] = field(default_factory=list)
    generated: list[int] = field(default_factory=list)
    done: bool = False
    guide: SpanGuide | None = None


@dataclass
class Clock:
    """Timings shared by the rows decoded together."""

    prefill_ms: float
    decode_start: float
    passes: int = 1


class CallConstraints:
    """Functional token first, then schema-valid JSON arguments, then the app's end token."""

    def __init__(self, tokenizer, vocab_size: int, first_functional: int, max_new_tokens: int = 96) -> None:
        self.tokenizer = tokenizer
        self.vocab_size = vocab_size
        self.first_functional = first_functional
        self.max_new_tokens = max_new_tokens
        self.tokenizer_info = xgr.TokenizerInfo.from_huggingface(tokenizer, vocab_size=vocab_size)
        self.compiler = xgr.GrammarCompiler(self.tokenizer_info, max_threads=1)
        self._grammars: dict[tuple[str, str], xgr.CompiledGrammar] = {}
        self._bitmask = xgr.allocate_token_bitmask(1, vocab_size)
        self._token_index: TokenIndex | None = None

    @classmethod
    def for_base(cls, base, max_new_tokens: int = 96) -> CallConstraints:
        """The rules over a loaded ``BaseModel``: its grown vocabulary, functional tokens from
        ``base_vocab`` on."""
        return cls(base.tokenizer, base.vocab_size, base.base_vocab, max_new_tokens)

    def grammar(self, app: App, function: str) -> xgr.CompiledGrammar:
        key = (app.name, function)
        if key not in self._grammars:
            schema = strict_schema(app.function(function))
            self._grammars[key] = self.compiler.compile_json_schema(json.dumps(schema), any_whitespace=False)
        return self._grammars[key]

    def token_ids(self, app: App) -> list[int]:
        """The app's functional tokens, then its end token."""
        return [int(self.tokenizer.convert_tokens_to_ids(t)) for t in [*app.function_tokens, app.end_token]]

    # ----- step 1: the function ----------------------------------------------------------------
    def first_scores(self, app: App, logits: torch.Tensor) -> tuple[dict[str, float], torch.Tensor]:
        """The first-token distribution over the app's functional tokens and its end token."""
        probs = torch.softmax(logits[self.token_ids(app)].float(), dim=-1)
        scores = {fn.name: round(p, 4) for fn, p in zip(app.functions, probs.tolist(), strict=False)}
        scores[NO_CALL] = round(float(probs[-1]), 4)
        return scores, probs

    def first_row(
        self, index: int, app: App, scores: dict[str, float], probs: torch.Tensor, call: bool | None, text: str | None
    ) -> Row:
        """Octopus step 1: argmax over the app's functional tokens and its end token, unless the
        gate decided already (``call``: True makes the best function the answer, False no call).
        ``text``, the request, guides the free-text values (``spans.py``); None leaves them to
        the grammar alone."""
        token_ids = self.token_ids(app)
        picked = int(torch.argmax(probs)) if call is None else int(torch.argmax(probs[:-1]))
        end_id = token_ids[-1]
        if call is False or picked == len(app.functions):
            return Row(index, app, None, scores, end_id, done=True)
        function = app.functions[picked].name
        matcher = xgr.GrammarMatcher(self.grammar(app, function), override_stop_tokens=[end_id])
        properties = app.functions[picked].parameters.get("properties", {})
        free = {name for name, spec in properties.items() if free_text(spec)}
        guide = SpanGuide.for_request(text, free, self._tokens()) if text and free else None
        return Row(index, app, function, scores, end_id, matcher, pending=[token_ids[picked]], guide=guide)

    # ----- the arguments ---------------------------------------------------------------------------
    def advance(self, row: Row) -> None:
        """Before a forward pass: take what the grammar forces (jump-forward), stop at a forced end
        token or at the token budget."""
        forced = self._jump_forward(row.matcher)
        row.generated += forced
        row.pending += forced
        if self._forced_token(row.matcher) == row.end_id:
            row.matcher.accept_token(row.end_id)
            row.done = True
        row.done = row.done or len(row.generated) >= self.max_new_tokens

    def choose(self, logits: torch.Tensor, rows: list[Row], bitmask: torch.Tensor) -> list[int]:
        """The next token of each row: the grammar's mask, no functional token but the row's own
        end token, then the argmax. ``logits`` is (rows, vocab) float32 and is masked in place."""
        for position, row in enumerate(rows):
            row.matcher.fill_next_token_bitmask(bitmask, position)
        xgr.apply_token_bitmask_inplace(logits, bitmask[: len(rows)].to(logits.device))
        self._forbid_functional(logits, [row.end_id for row in rows])
        for position, row in enumerate(rows):
            if row.guide is not None:
                self._keep_to_spans(logits, position, row)
        return torch.argmax(logits, dim=-1).tolist()

    def _keep_to_spans(self, logits: torch.Tensor, position: int, row: Row) -> None:
        """Mask row ``position`` to the tokens that keep its open free-text value a span of the
        request, unless none of them is allowed by the grammar (``spans.py``)."""
        written = self.tokenizer.decode(
            row.generated, skip_special_tokens=False, clean_up_tokenization_spaces=False
        ).encode()
        allowed = row.guide.allowed(written)
        if not allowed:
            return
        ids = torch.tensor(allowed, device=logits.device)
        kept = logits[position, ids]
        if not torch.isfinite(kept).any():
            return
        logits[position] = float("-inf")
        logits[position, ids] = kept

    def _tokens(self) -> TokenIndex:
        if self._token_index is None:
            self._token_index = TokenIndex(self.tokenizer.get_vocab(), self.tokenizer_info.vocab_type)
        return self._token_index

    def accept(self, row: Row, token: int) -> None:
        if not row.matcher.accept_token(token):
            raise OrchError("grammar rejected a token it allowed")
        if token == row.end_id:
            row.done = True
        else:
            row.generated.append(token)
            row.pending = [token]
            row.done = len(row.generated) >= self.max_new_tokens

    def result(self, row: Row, clock: Clock) -> Decoded | OrchError:
        if row.function is None:
            return Decoded(None, {}, 1, 1, row.scores, {"prefill_ms": clock.prefill_ms, "decode_ms": 0.0})
        if not row.matcher.is_terminated():
            return OrchError(f"arguments longer than {self.max_new_tokens} tokens; request cut off")
        arguments = json.loads(self.tokenizer.decode(row.generated, skip_special_tokens=False))
        try:
            arguments = trimmed(row.app.function(row.function), arguments)
        except OrchError as err:
            return err
        decode_ms = (time.perf_counter() - clock.decode_start) * 1000
        timings = {"prefill_ms": clock.prefill_ms, "decode_ms": decode_ms}
        return Decoded(row.function, arguments, len(row.generated) + 2, clock.passes, row.scores, timings)

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
        ids = self.tokenizer(text, add_special_tokens=False).input_ids
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
