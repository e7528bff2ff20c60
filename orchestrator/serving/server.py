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
from collections import Counter
from concurrent.futures import Future
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from orchestrator.errors import EngineError, EngineUnavailable, OrchError
from orchestrator.request.orchestrator import Orchestrator, check_query
from orchestrator.serving.vllm_engine import VLLMEngine

Engine = Orchestrator | VLLMEngine

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


class FunctionCall(BaseModel):
    name: str
    arguments: str = Field(..., description="JSON-encoded arguments, as OpenAI sends them.")


class ToolCall(BaseModel):
    id: str
    type: str = "function"
    function: FunctionCall


class NeedsInput(BaseModel):
    function: str
    arguments: dict[str, Any] = Field(..., description="The values the request gave.")
    missing: list[str] = Field(..., description="Required parameters the request gives no value for.")


class CallResponse(BaseModel):
    app: str | None = Field(..., description="The app called, or null for no call.")
    tool_calls: list[ToolCall] = Field(..., description="Empty for no call, and for a call that needs input.")
    needs_input: NeedsInput | None = Field(
        None, description="The function the request asks for, when it leaves a required value unsaid: ask the user."
    )
    timings_ms: dict[str, float]


class RouteResponse(BaseModel):
    app: str | None
    scores: dict[str, float]


class AppsResponse(BaseModel):
    apps: list[dict[str, Any]]


class ChatChoice(BaseModel):
    index: int
    message: dict[str, Any]
    finish_reason: str


class ChatResponse(BaseModel):
    id: str
    object: str
    created: int
    model: str
    choices: list[ChatChoice]
    usage: dict[str, int]
    orch: dict[str, Any]


class ErrorDetail(BaseModel):
    message: str
    status: int


class ErrorBody(BaseModel):
    error: ErrorDetail


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in [
        (400, "Bad request text (empty, too long, invalid or control characters)"),
        (404, "Unknown app"),
        (413, "Request body too large"),
        (422, "Malformed JSON or a field of the wrong type"),
        (500, "Internal error"),
        (502, "The vLLM engine refused or garbled a request (--engine vllm)"),
        (503, "Shutting down, or the vLLM engine is down or too slow (--engine vllm)"),
    ]
}


@dataclass
class Job:
    query: str
    app: str | None
    route_only: bool = False
    future: Future = field(default_factory=Future)


class InferenceWorker:
    """The single owner of the model: drains the queue, groups by app, answers futures."""

    def __init__(self, orch: Engine, max_batch: int = 16, window_ms: float = 20.0) -> None:
        self.orch = orch
        self.max_batch = max_batch
        self.window_s = window_ms / 1000
        self.jobs: queue.Queue[Job | None] = queue.Queue()
        self.thread = threading.Thread(target=self._loop, name="orch-inference", daemon=True)
        self.stats: dict[str, Any] = {"batches": 0, "requests": 0, "responses": Counter()}

    def start(self) -> None:
        if not self.thread.is_alive():
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
                    _settle(job.future, self.orch.route(job.query))
                    continue
                if job.app is not None:
                    self.orch.registry.app(job.app)
                calls.append((job, job.app))
            except Exception as err:
                _settle(job.future, err)
        if not calls:
            return
        mixed = self.orch.registry.pool_batching == "mixed"
        try:
            results = self.orch.run_batch([(job.query, app) for job, app in calls], mixed=mixed)
        except Exception as err:
            results = [err] * len(calls)
        for (job, _), result in zip(calls, results, strict=True):
            _settle(job.future, result)


def _settle(future: Future, result: Any) -> None:
    """Answer a job, unless its client went away (its future was cancelled): the batch and the
    worker go on either way."""
    if not future.set_running_or_notify_cancel():
        return
    if isinstance(result, Exception):
        future.set_exception(result)
    else:
        future.set_result(result)


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"message": message, "status": status}}, headers=headers)


def create_app(orch: Engine, max_batch: int = 16) -> FastAPI:
    """The FastAPI application around one warm engine: orch's own model, or vLLM behind orch's
    router (``VLLMEngine``); both answer the same API."""
    worker = InferenceWorker(orch, max_batch=max_batch)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        worker.start()
        yield
        worker.stop()

    app = FastAPI(
        title="orch",
        version="0.1.0",
        description="Natural-language requests to function calls.",
        lifespan=lifespan,
        responses=ERRORS,
    )
    app.state.worker = worker
    app.state.draining = False
    app.state.in_flight = 0
    registry_stamp = _stamp(orch.registry.path)

    @app.middleware("http")
    async def admit(request: Request, call_next):
        """Size limit, draining, and the count of answers by status that /health reports."""
        response = await _admitted(request, call_next)
        if request.url.path != "/health":
            worker.stats["responses"][str(response.status_code)] += 1
        return response

    async def _admitted(request: Request, call_next):
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return _error(413, f"request body over {MAX_BODY_BYTES} bytes")
        if not request.url.path.startswith("/v1/"):
            return await call_next(request)
        if app.state.draining:
            return _error(503, "the server is shutting down; send the request again (to another replica)")
        app.state.in_flight += 1
        try:
            return await call_next(request)
        finally:
            app.state.in_flight -= 1

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        """Starlette's own errors in orch's shape, keeping their headers (a 405's ``Allow``)."""
        return _error(exc.status_code, str(exc.detail), exc.headers)

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
            if not str(err).startswith("unknown app"):
                return None, _error(400, str(err))
            if app_name in _apps_on_disk(orch.registry.path):
                restart = f"app {app_name!r} was added after this server started; restart orch serve to serve it"
                return None, _error(404, restart)
            return None, _error(404, str(err))
        future = worker.submit(Job(text, app_name, route_only))
        try:
            return await asyncio.wrap_future(future), None
        except EngineUnavailable as err:
            return None, _error(503, str(err), {"Retry-After": "5"})
        except EngineError as err:
            return None, _error(502, str(err))
        except OrchError as err:
            return None, _error(400, str(err))
        except Exception as err:
            return None, _error(500, f"{type(err).__name__}: {err}")

    @app.get("/health")
    async def health() -> Any:
        if app.state.draining:
            return _error(503, f"the server is shutting down ({app.state.in_flight} requests in flight)")
        engine = await asyncio.to_thread(orch.engine_health)
        if engine.get("vllm", "ok") != "ok":
            return _error(503, engine["vllm"])
        return {
            "status": "ok",
            # The registry changed on disk (an app added, retrained or removed): this server still
            # serves what it loaded at start; a restart picks the change up.
            "registry_changed": _stamp(orch.registry.path) != registry_stamp,
            "in_flight": app.state.in_flight,
            "apps": len(orch.registry.apps),
            **engine,
            **worker.stats,
        }

    @app.get("/v1/apps", response_model=AppsResponse)
    async def apps() -> dict[str, Any]:
        return {
            "apps": [
                {"name": a.name, "description": a.description, "functions": [fn.to_tool() for fn in a.functions]}
                for a in orch.registry.apps.values()
            ]
        }

    @app.post("/v1/route", response_model=RouteResponse)
    async def route(body: RouteRequest):
        result, error = await submit(body.query, None, route_only=True)
        return error or {"app": result.app, "scores": result.scores}

    @app.post("/v1/call", response_model=CallResponse)
    async def call(body: CallRequest):
        result, error = await submit(body.query, body.app)
        return error or {**result.to_json(), "timings_ms": result.timings_ms}

    @app.post("/v1/chat/completions", response_model=ChatResponse)
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
        content = f"Which {', '.join(result.needs_input)}?" if result.needs_input else ""
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None if tool_calls else content,
            "tool_calls": tool_calls,
        }
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.model or f"orch:{result.app or 'none'}",
            "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if tool_calls else "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": result.generated_tokens, "total_tokens": 0},
            "orch": {"app": result.app, "router_scores": result.router_scores, **_needs_input(result)},
        }

    return app


def _needs_input(call) -> dict[str, Any]:
    return {"needs_input": call.to_json()["needs_input"]} if call.needs_input else {}


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _apps_on_disk(path: Path) -> set[str]:
    """The apps the registry file names now (it may have changed since the server started)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return set((raw or {}).get("apps") or {})
    except (OSError, yaml.YAMLError, AttributeError):
        return set()


DRAIN_TIMEOUT_S = 60.0


def serve(orch: Engine, host: str, port: int, max_batch: int = 16) -> None:
    """Serve until SIGINT/SIGTERM. The first signal drains: requests in flight finish, new ones get
    503, then the server exits 0. A second signal stops at once."""
    import uvicorn

    app = create_app(orch, max_batch=max_batch)

    class DrainingServer(uvicorn.Server):
        # uvicorn re-raises a captured signal after shutting down (exit status -15); a drained
        # shutdown is an orderly one, so the flags are set here and the signal is not kept.
        def handle_exit(self, sig: int, frame: Any) -> None:
            if app.state.draining:
                self.should_exit = self.force_exit = True
                return
            app.state.draining = True
            threading.Thread(target=self._drain, daemon=True).start()

        def _drain(self) -> None:
            deadline = time.monotonic() + DRAIN_TIMEOUT_S
            while app.state.in_flight and time.monotonic() < deadline:
                time.sleep(0.05)
            self.should_exit = True

    DrainingServer(uvicorn.Config(app, host=host, port=port, log_level="warning")).run()
