"""``orch serve``: keep the base, router and adapter pool warm behind an HTTP API (FastAPI).

One inference worker thread owns the model. Requests queue up; the worker takes everything
waiting (up to ``max_batch``), routes it and decodes it in shared forward passes
(``Orchestrator.run_batch``): one merged-adapter batch per app, or one mixed-adapter batch with
per-row LoRA, as ``pool.batching`` says (``benchmarks/batching.py`` measures both). No request
ever runs under another app's adapter. Validation, size limits and errors are
answered on the event loop without touching the worker, so one bad request never blocks others.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
import uuid
from concurrent.futures import Future
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from orchestrator.errors import OrchError
from orchestrator.orchestrator import Orchestrator, check_query

MAX_BODY_BYTES = 64 * 1024


class RouteRequest(BaseModel):
    query: str = Field(..., description="The user's request.")


class CallRequest(BaseModel):
    query: str
    app: str | None = Field(None, description="Skip the router and use this app.")


class ChatMessage(BaseModel):
    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    model: str | None = None
    messages: list[ChatMessage]
    tools: list[dict[str, Any]] | None = None


@dataclass
class Job:
    query: str
    app: str | None
    route_only: bool = False
    future: Future = field(default_factory=Future)


class InferenceWorker:
    """The single owner of the model: drains the queue, groups by app, answers futures."""

    def __init__(self, orch: Orchestrator, max_batch: int = 16, window_ms: float = 20.0) -> None:
        self.orch = orch
        self.max_batch = max_batch
        self.window_s = window_ms / 1000
        self.jobs: queue.Queue[Job | None] = queue.Queue()
        self.thread = threading.Thread(target=self._loop, name="orch-inference", daemon=True)
        self.stats = {"batches": 0, "requests": 0}

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.jobs.put(None)
        self.thread.join(timeout=10)

    def submit(self, job: Job) -> Future:
        self.jobs.put(job)
        return job.future

    def _loop(self) -> None:
        while True:
            first = self.jobs.get()
            if first is None:
                return
            batch = [first]
            # Clients answered by the last batch resend within milliseconds; waiting a moment for
            # them costs little next to a batch's decoding and keeps batches full.
            deadline = time.perf_counter() + self.window_s
            while len(batch) < self.max_batch:
                try:
                    job = self.jobs.get(timeout=max(0.0, deadline - time.perf_counter()))
                except queue.Empty:
                    break
                if job is None:
                    self._serve(batch)
                    return
                batch.append(job)
            self._serve(batch)

    def _serve(self, batch: list[Job]) -> None:
        self.stats["batches"] += 1
        self.stats["requests"] += len(batch)
        calls: list[tuple[Job, str | None]] = []
        for job in batch:
            try:
                if job.route_only:
                    job.future.set_result(self.orch.route(job.query))
                    continue
                if job.app is not None:
                    self.orch.registry.app(job.app)
                calls.append((job, job.app))
            except Exception as err:
                job.future.set_exception(err)
        if not calls:
            return
        mixed = self.orch.registry.pool_batching == "mixed"
        try:
            results = self.orch.run_batch([(job.query, app) for job, app in calls], mixed=mixed)
        except Exception as err:
            results = [err] * len(calls)
        for (job, _), result in zip(calls, results, strict=True):
            if isinstance(result, Exception):
                job.future.set_exception(result)
            else:
                job.future.set_result(result)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"message": message, "status": status}})


def create_app(orch: Orchestrator, max_batch: int = 16) -> FastAPI:
    """The FastAPI application around one warm Orchestrator."""
    worker = InferenceWorker(orch, max_batch=max_batch)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        worker.start()
        yield
        worker.stop()

    app = FastAPI(
        title="orch", version="0.1.0", description="Natural-language requests to function calls.", lifespan=lifespan
    )
    app.state.worker = worker

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return _error(413, f"request body over {MAX_BODY_BYTES} bytes")
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", []) if p != "body") or "body"
        return _error(422, f"{where}: {first.get('msg', 'invalid request')}")

    async def submit(query: str, app_name: str | None, route_only: bool = False):
        try:
            text = check_query(query, orch.registry.max_query_chars)
            if app_name is not None:
                orch.registry.app(app_name)
        except OrchError as err:
            status = 404 if str(err).startswith("unknown app") else 400
            return None, _error(status, str(err))
        future = worker.submit(Job(text, app_name, route_only))
        try:
            return await asyncio.wrap_future(future), None
        except OrchError as err:
            return None, _error(400, str(err))
        except Exception as err:
            return None, _error(500, f"{type(err).__name__}: {err}")

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "apps": len(orch.registry.apps),
            "active_adapter": orch.pool.active,
            "adapter_switches": orch.pool.stats["switches"],
            "batching": orch.registry.pool_batching,
            **worker.stats,
        }

    @app.get("/v1/apps")
    async def apps() -> dict[str, Any]:
        return {
            "apps": [
                {"name": a.name, "description": a.description, "functions": [fn.to_tool() for fn in a.functions]}
                for a in orch.registry.apps.values()
            ]
        }

    @app.post("/v1/route")
    async def route(body: RouteRequest):
        result, error = await submit(body.query, None, route_only=True)
        return error or {"app": result.app, "scores": result.scores}

    @app.post("/v1/call")
    async def call(body: CallRequest):
        result, error = await submit(body.query, body.app)
        return error or {"app": result.app, "tool_calls": result.tool_calls(), "timings_ms": result.timings_ms}

    @app.post("/v1/chat/completions")
    async def chat(body: ChatRequest):
        users = [m for m in body.messages if m.role == "user"]
        if not users:
            return _error(400, "messages: no user message")
        content = users[-1].content
        if isinstance(content, list):
            content = " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
        result, error = await submit(content or "", None)
        if error:
            return error
        tool_calls = result.tool_calls()
        message: dict[str, Any] = {"role": "assistant", "content": None if tool_calls else "", "tool_calls": tool_calls}
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.model or f"orch:{result.app or 'none'}",
            "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if tool_calls else "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": result.generated_tokens, "total_tokens": 0},
            "orch": {"app": result.app, "router_scores": result.router_scores},
        }

    return app


def serve(orch: Orchestrator, host: str, port: int, max_batch: int = 16) -> None:
    import uvicorn

    uvicorn.run(create_app(orch, max_batch=max_batch), host=host, port=port, log_level="warning")
