"""``orch serve --engine vllm``: routing, the call decision and grounding in orch, decoding in vLLM.

vLLM serves ``orch export`` (one base holding every app's functional-token rows, a pure LoRA per
app; ``orchestrator/engines/export.py``). A request takes the same path as in ``Orchestrator.run_batch``,
with vLLM doing the model's work:

1. route, with orch's router on this machine;
2. for every candidate app at once, one token under that app's LoRA, returning the
   log-probabilities of its functional tokens and end token: Octopus's function choice, and the
   adapter's call probability that ``decide`` pools with the router's;
3. for the winner only, the prompt plus the chosen functional token, decoded greedily under that
   function's JSON schema, every other functional token banned and the app's end token as stop;
4. grounding of free-text values in the request, as ``orch run`` does.

vLLM batches the rows of concurrent requests across adapters itself. A vLLM that is down or slower
than ``timeout_s`` raises ``EngineUnavailable`` (HTTP 503), never a hang.
"""

from __future__ import annotations

import json
import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from orchestrator.calls import Call, prompt_text, trimmed
from orchestrator.engines.constraints import NO_CALL, Decoded
from orchestrator.errors import EngineError, EngineUnavailable, OrchError
from orchestrator.registry import Registry
from orchestrator.request.decision import Verdict, call_probability, redecide
from orchestrator.request.orchestrator import _Row, check_query, grounded_call, plan_rows, settle_routed
from orchestrator.request.router import Route, Router


@dataclass
class AppManifest:
    """One app as exported for vLLM (``loras/<app>/orch_app.json``)."""

    name: str
    lora_name: str
    end_id: int
    function_ids: dict[str, int]
    schemas: dict[str, dict[str, Any]]
    argument_logit_bias: dict[str, float]

    @classmethod
    def read(cls, path: Path) -> AppManifest:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            name=raw["app"],
            lora_name=raw["lora_name"],
            end_id=raw["end_token"]["id"],
            function_ids={f["name"]: f["token_id"] for f in raw["functions"]},
            schemas={f["name"]: f["structured_outputs"]["json"] for f in raw["functions"]},
            argument_logit_bias=raw["argument_logit_bias"],
        )

    @property
    def first_token_ids(self) -> list[int]:
        return [*self.function_ids.values(), self.end_id]


class VLLMClient:
    """The two requests orch sends to vLLM's OpenAI-compatible ``/v1/completions``."""

    def __init__(self, url: str, timeout_s: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self.http = httpx.Client(base_url=self.url, timeout=timeout_s, limits=httpx.Limits(max_connections=256))

    def first_token(self, app: AppManifest, prompt: list[int]) -> dict[int, float]:
        """Log-probabilities of the app's functional tokens and end token as the first token."""
        body = {
            "model": app.lora_name,
            "prompt": prompt,
            "max_tokens": 1,
            "temperature": 0.0,
            "logprobs": 1,
            "logprob_token_ids": app.first_token_ids,
            "return_tokens_as_token_ids": True,
        }
        choice = self._complete(body)
        try:
            top = choice["logprobs"]["top_logprobs"][0]
            return {int(key.split(":", 1)[1]): value for key, value in top.items()}
        except (KeyError, IndexError, TypeError, ValueError) as err:
            raise EngineError(f"vLLM at {self.url} sent no first-token log-probabilities ({err!r})") from err

    def arguments(self, app: AppManifest, function: str, prompt: list[int], max_tokens: int) -> list[int]:
        """The argument tokens after ``function``'s token, under its JSON schema, up to the end token."""
        body = {
            "model": app.lora_name,
            "prompt": [*prompt, app.function_ids[function]],
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "structured_outputs": {"json": app.schemas[function]},
            "logit_bias": app.argument_logit_bias,
            "stop_token_ids": [app.end_id],
            "skip_special_tokens": False,
            "return_token_ids": True,
        }
        choice = self._complete(body)
        if choice.get("finish_reason") == "length":
            raise OrchError(f"arguments longer than {max_tokens} tokens; request cut off")
        return list(choice.get("token_ids") or [])

    def health(self) -> str | None:
        """None when vLLM answers its health check, else why not."""
        try:
            response = self.http.get("/health", timeout=min(self.timeout_s, 5.0))
        except httpx.HTTPError as err:
            return _unreachable(self.url, err, min(self.timeout_s, 5.0))
        return None if response.status_code == 200 else f"vLLM at {self.url} is unhealthy (HTTP {response.status_code})"

    def _complete(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.http.post("/v1/completions", json=body)
        except httpx.HTTPError as err:
            raise EngineUnavailable(_unreachable(self.url, err, self.timeout_s)) from err
        if response.status_code >= 500:
            raise EngineUnavailable(f"vLLM at {self.url} failed (HTTP {response.status_code}): {_reason(response)}")
        if response.status_code != 200:
            status = response.status_code
            raise EngineError(f"vLLM at {self.url} refused the request (HTTP {status}): {_reason(response)}")
        return response.json()["choices"][0]


def _unreachable(url: str, err: httpx.HTTPError, timeout_s: float) -> str:
    if isinstance(err, httpx.TimeoutException):
        return f"vLLM at {url} did not answer within {timeout_s:g} s"
    return f"vLLM at {url} is not reachable ({type(err).__name__}: {err or 'no answer'})"


def _reason(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error", {}).get("message", response.text))[:300]
    except (ValueError, AttributeError):
        return response.text[:300]


class VLLMEngine:
    """orch's request path with vLLM as the model: the same ``route``/``run``/``run_batch`` as
    ``Orchestrator``, so ``orch serve`` serves either."""

    def __init__(
        self,
        registry: Registry,
        export_dir: Path,
        url: str,
        timeout_s: float = 30.0,
        router: Router | None = None,
        concurrency: int = 64,
    ) -> None:
        from transformers import AutoTokenizer

        self.registry = registry
        self.export_dir = Path(export_dir)
        export = json.loads((self.export_dir / "export.json").read_text(encoding="utf-8"))
        if export["base_model"] != registry.base_model:
            raise OrchError(
                f"the export in {export_dir} is of {export['base_model']}, the registry's base is "
                f"{registry.base_model}; export again (orch export)"
            )
        self.apps = {
            name: AppManifest.read(self.export_dir / entry["lora"] / "orch_app.json")
            for name, entry in export["apps"].items()
        }
        self.tokenizer = AutoTokenizer.from_pretrained(str(self.export_dir / "base"))
        self.client = VLLMClient(url, timeout_s)
        self.router = router or Router(registry)
        self.threads = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="orch-vllm")
        self.stats: dict[str, int] = {"first_token_requests": 0, "argument_requests": 0}

    def route(self, query: str) -> Route:
        return self.router.route(check_query(query, self.registry.max_query_chars))

    def run(self, query: str, app: str | None = None) -> Call:
        result = self.run_batch([(query, app)])[0]
        if isinstance(result, OrchError):
            raise result
        return result

    def run_batch(self, requests: list[tuple[str, str | None]], mixed: bool = True) -> list[Call | OrchError]:
        """Answer several requests; every vLLM request of one step is in flight at once. ``mixed``
        is accepted for ``Orchestrator``'s signature: vLLM always batches across adapters."""
        texts = [check_query(query, self.registry.max_query_chars) for query, _ in requests]
        started = time.perf_counter()
        results: list[Call | OrchError | None] = [None] * len(requests)
        rows, verdicts, scores = plan_rows(self.router, self.registry, texts, requests, results)
        route_ms = _since(started)
        prompts = [self._prompt(text) for text in texts]

        firsts = self._each(lambda row: self._first_scores(row.app, prompts[row.request]), rows)
        decided: list[tuple[_Row, dict[str, float]]] = []
        for row, first in zip(rows, firsts, strict=True):
            if isinstance(first, OrchError):
                if row.candidate is not None:
                    verdicts[row.request].candidates.remove(row.candidate)
                if row.candidate is None or not verdicts[row.request].candidates:
                    results[row.request] = first
                continue
            if row.candidate is not None:
                row.candidate.adapter = call_probability(first)
            decided.append((row, first))
        for i, verdict in verdicts.items():
            if verdict.candidates:
                verdicts[i] = redecide(verdict)
        first_ms = _since(started) - route_ms

        chosen = [(row, first, _function(first, verdicts.get(row.request), row)) for row, first in decided]
        for row, first, function in chosen:
            if function is False and row.candidate is None:  # the app's adapter says "no call"
                no_call = Decoded(None, {}, 1, 1, first, {"route_ms": route_ms, "first_token_ms": first_ms})
                results[row.request] = grounded_call(self.registry, texts[row.request], row.app, no_call)
        chosen = [c for c in chosen if c[2] is not False]
        outputs = self._each(lambda c: self._arguments(c[0].app, c[2], prompts[c[0].request]), chosen)
        for (row, first, function), output in zip(chosen, outputs, strict=True):
            if isinstance(output, OrchError):
                results[row.request] = output
                continue
            arguments, tokens = output
            decode_ms = _since(started) - route_ms - first_ms
            timings = {"route_ms": route_ms, "first_token_ms": first_ms, "decode_ms": decode_ms}
            decoded = Decoded(function, arguments, tokens, 0, first, timings)
            call = grounded_call(self.registry, texts[row.request], row.app, decoded)
            call.timings_ms = {k: round(v, 2) for k, v in {**timings, "total_ms": _since(started)}.items()}
            results[row.request] = call
        return settle_routed(results, verdicts, scores, texts, route_ms, started)

    def engine_health(self) -> dict[str, Any]:
        problem = self.client.health()
        return {"engine": "vllm", "vllm_url": self.client.url, "vllm": problem or "ok", **self.stats}

    def close(self) -> None:
        self.threads.shutdown(wait=False, cancel_futures=True)
        self.client.http.close()

    def _each(self, work, items: list) -> list:
        """``work`` on every item at once (vLLM batches what arrives together); errors in place."""

        def guarded(item):
            try:
                return work(item)
            except OrchError as err:
                return err

        return list(self.threads.map(guarded, items))

    def _manifest(self, app: str) -> AppManifest:
        if app not in self.apps:
            raise OrchError(f"app {app!r} is not in the vLLM export {self.export_dir}; export again (orch export)")
        return self.apps[app]

    def _first_scores(self, app: str, prompt: list[int]) -> dict[str, float]:
        """The first-token distribution over the app's functional tokens and end token, as orch's
        decoder computes it (``CallConstraints.first_scores``)."""
        manifest = self._manifest(app)
        self.stats["first_token_requests"] += 1
        logprobs = self.client.first_token(manifest, prompt)
        names = [*manifest.function_ids, NO_CALL]
        values = [logprobs.get(token, -math.inf) for token in manifest.first_token_ids]
        top = max(values)
        if top == -math.inf:
            raise EngineError(f"vLLM returned none of {app}'s functional tokens; is it serving this export?")
        weights = [math.exp(v - top) for v in values]
        return {name: round(w / sum(weights), 4) for name, w in zip(names, weights, strict=True)}

    def _arguments(self, app: str, function: str, prompt: list[int]) -> tuple[dict[str, Any], int]:
        """The function's arguments as vLLM decodes them, checked against its schema."""
        manifest = self._manifest(app)
        self.stats["argument_requests"] += 1
        tokens = self.client.arguments(manifest, function, prompt, self.registry.max_new_tokens)
        body = [t for t in tokens if t not in (manifest.end_id, self.tokenizer.eos_token_id)]
        text = self.tokenizer.decode(body, skip_special_tokens=False)
        try:
            arguments = json.loads(text)
        except json.JSONDecodeError as err:
            raise EngineError(f"vLLM's arguments for {app}.{function} do not parse: {text[:200]!r}") from err
        return trimmed(self.registry.app(app).function(function), arguments), len(tokens) + 1

    def _prompt(self, text: str) -> list[int]:
        return self.tokenizer(prompt_text(self.registry.prompt_template, text), add_special_tokens=False).input_ids


def _function(first: dict[str, float], verdict: Verdict | None, row: _Row) -> str | bool:
    """The function this row decodes, or False for none. A request with an app takes the argmax
    over functions and "no call"; a routed one decodes only under the app ``decide`` chose, and
    then its best function (the pooled decision already said "call")."""
    if row.candidate is not None and (verdict is None or verdict.app != row.app):
        return False
    options = {name: p for name, p in first.items() if row.candidate is None or name != NO_CALL}
    best = max(options, key=options.get)
    return False if best == NO_CALL else best


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
