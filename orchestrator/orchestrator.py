"""The request path: registry -> router -> adapter pool -> constrained decoder -> Call."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

from orchestrator.adapter_pool import AdapterPool
from orchestrator.base_model import BaseModel, load_base
from orchestrator.calls import Call, prompt_text
from orchestrator.decoder import CallDecoder, Decoded
from orchestrator.errors import OrchError
from orchestrator.registry import Registry, load_registry
from orchestrator.router import Route, Router


def check_query(query: object, limit: int) -> str:
    """Reject what is not a usable request: non-text, empty, control bytes, over the length limit."""
    if not isinstance(query, str):
        raise OrchError(f"query must be text, got {type(query).__name__}")
    text = query.strip()
    if not text:
        raise OrchError("query is empty")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text):
        raise OrchError("query contains control characters; send plain text")
    if len(text) > limit:
        raise OrchError(f"query is {len(text)} characters; the limit is {limit} (decoding.max_query_chars)")
    return " ".join(text.split())


class Orchestrator:
    """Turns a request into a schema-valid function call of the right app, or into no call."""

    def __init__(
        self,
        registry: Registry,
        base: BaseModel | None = None,
        router: Router | None = None,
        device: str | None = None,
        pool_mode: str | None = None,
    ) -> None:
        self.registry = registry
        self.base = base or load_base(registry, device=device)
        self.router = router or Router(registry)
        self.pool = AdapterPool(self.base, registry, mode=pool_mode)
        self.decoder = CallDecoder(self.base, max_new_tokens=registry.max_new_tokens)

    @classmethod
    def from_registry(cls, path: str | Path, **kwargs) -> Orchestrator:
        return cls(load_registry(path), **kwargs)

    def route(self, query: str) -> Route:
        return self.router.route(check_query(query, self.registry.max_query_chars))

    def run(self, query: str, app: str | None = None) -> Call:
        """Route (unless ``app`` is given), swap in the app's adapter, decode the call."""
        text = check_query(query, self.registry.max_query_chars)
        timings: dict[str, float] = {}
        started = time.perf_counter()
        scores: dict[str, float] = {}
        if app is None:
            route = self.router.route(text)
            app, scores = route.app, route.scores
        else:
            self.registry.app(app)
        timings["route_ms"] = (time.perf_counter() - started) * 1000
        if app is None:
            timings["total_ms"] = timings["route_ms"]
            return Call(text, None, None, {}, scores, timings_ms=_rounded(timings))
        swap_started = time.perf_counter()
        model = self.pool.activate(app)
        timings["adapter_ms"] = (time.perf_counter() - swap_started) * 1000
        decoded = self.decoder.decode(model, self.registry.app(app), self._prompt(text))
        call = self._call(text, app, decoded, timings, started)
        call.router_scores = scores
        return call

    def run_batch(self, requests: list[tuple[str, str]], mixed: bool = False) -> list[Call | OrchError]:
        """Decode already-routed ``(query, app)`` requests in shared forward passes.

        ``mixed`` runs them as one batch with per-row adapters (when their apps fit in the pool);
        otherwise one merged-adapter batch per app. Either way each request is decoded under its
        own app's adapter and grammar, and a request that fails gets its error in its place.
        """
        texts = [check_query(query, self.registry.max_query_chars) for query, _ in requests]
        results: list[Call | OrchError | None] = [None] * len(requests)
        apps = [app for _, app in requests]
        mixed = mixed and len(set(apps)) <= self.pool.max_resident
        groups = _indices_by_app(apps)
        if mixed:
            # An app whose adapter cannot load (not trained yet, say) fails its own requests only.
            for app in list(groups):
                try:
                    self.pool.load(app)
                except OrchError as err:
                    for i in groups.pop(app):
                        results[i] = err
            groups = {"mixed": sorted(i for group in groups.values() for i in group)} if groups else {}
        # The active adapter's group first: it needs no switch.
        for group in sorted(groups.values(), key=lambda group: apps[group[0]] != self.pool.active):
            started = time.perf_counter()
            group_apps = [apps[i] for i in group]
            try:
                model = self.pool.activate_rows(group_apps) if mixed else self.pool.activate(group_apps[0])
            except OrchError as err:
                for i in group:
                    results[i] = err
                continue
            timings = {"adapter_ms": (time.perf_counter() - started) * 1000}
            batch = [(self.registry.app(app), self._prompt(texts[i])) for i, app in zip(group, group_apps, strict=True)]
            decoded = self.decoder.decode_batch(model, batch)
            for i, app, result in zip(group, group_apps, decoded, strict=True):
                ok = not isinstance(result, OrchError)
                results[i] = self._call(texts[i], app, result, dict(timings), started) if ok else result
        return results

    def _prompt(self, text: str) -> list[int]:
        return self.base.tokenizer(prompt_text(self.registry.prompt_template, text), add_special_tokens=False).input_ids

    @staticmethod
    def _call(text: str, app: str, decoded: Decoded, timings: dict[str, float], started: float) -> Call:
        timings.update(decoded.timings_ms)
        timings["total_ms"] = (time.perf_counter() - started) * 1000
        return Call(
            query=text,
            app=app if decoded.function else None,
            function=decoded.function,
            arguments=decoded.arguments,
            routed_app=app,
            function_scores=decoded.function_scores,
            generated_tokens=decoded.generated_tokens,
            timings_ms=_rounded(timings),
        )


def _indices_by_app(apps: list[str]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for index, app in enumerate(apps):
        groups.setdefault(app, []).append(index)
    return groups


def _rounded(timings: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 2) for k, v in timings.items()}
