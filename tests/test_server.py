"""The HTTP API, driven with an HTTP client: shapes, bad requests, concurrency without cross-talk."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from orchestrator.calls import Call
from orchestrator.serving.server import MAX_BODY_BYTES, InferenceWorker, Job, create_app
from tests.numeric_paths import compare_calls


@pytest.fixture(scope="module")
def client(orchestrator):
    with TestClient(create_app(orchestrator)) as http:
        yield http


def test_health_and_apps(client) -> None:
    assert client.get("/health").json()["status"] == "ok"
    names = {a["name"] for a in client.get("/v1/apps").json()["apps"]}
    assert names == {"android", "vehicle", "yelp", "doordash"}


def test_call_returns_openai_tool_calls(client) -> None:
    body = client.post("/v1/call", json={"query": "order a pizza from Domino's"}).json()
    assert body["app"] == "doordash"
    (call,) = body["tool_calls"]
    assert call["type"] == "function" and call["function"]["name"] == "order_food"
    arguments = json.loads(call["function"]["arguments"])  # a JSON string, as OpenAI sends it
    assert arguments["item"].lower() == "pizza"


def test_no_app_is_an_empty_list(client) -> None:
    body = client.post("/v1/call", json={"query": "what's the capital of Peru"}).json()
    assert body == {"app": None, "tool_calls": [], "needs_input": None, "timings_ms": body["timings_ms"]}
    # a refusal is timed like a call: routing, and any adapter the decision asked
    assert body["timings_ms"]["total_ms"] >= body["timings_ms"]["route_ms"] > 0


def test_route(client) -> None:
    body = client.post("/v1/route", json={"query": "turn off the AC"}).json()
    assert body["app"] == "vehicle" and set(body["scores"]) >= {"vehicle", "none"}


def test_chat_completions_shape(client) -> None:
    body = client.post(
        "/v1/chat/completions",
        json={
            "model": "orch",
            "messages": [{"role": "system", "content": "x"}, {"role": "user", "content": "set volume to 20"}],
        },
    ).json()
    message = body["choices"][0]["message"]
    assert body["object"] == "chat.completion" and body["choices"][0]["finish_reason"] == "tool_calls"
    assert message["tool_calls"][0]["function"]["name"] in {"set_volume", "adjust_volume"}


JSON = {"content-type": "application/json"}


BAD_REQUESTS = pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "text"),
    [
        ("post", "/v1/call", {"content": b"{not json", "headers": {"content-type": "application/json"}}, 422, "JSON"),
        ("post", "/v1/call", {"json": {"q": "hi"}}, 422, "query"),
        ("post", "/v1/call", {"json": {"query": "play jazz", "app": "spotify"}}, 404, "unknown app"),
        ("post", "/v1/call", {"json": {"query": "   "}}, 400, "empty"),
        ("post", "/v1/call", {"json": {"query": "x" * 5000}}, 400, "limit"),
        ("post", "/v1/call", {"content": b"x" * (MAX_BODY_BYTES + 1)}, 413, "body over"),
        ("post", "/v1/chat/completions", {"json": {"messages": [{"role": "system", "content": "x"}]}}, 400, "no user"),
        ("post", "/v1/route", {"json": {"query": 12}}, 422, "query"),
        ("post", "/v1/call", {"content": b'{"query": "order \\ud83c pizza"}', "headers": JSON}, 400, "not valid text"),
        ("post", "/v1/route", {"content": b'{"query": "order \\ud83c pizza"}', "headers": JSON}, 400, "not valid text"),
        ("post", "/v1/call", {"content": b'{"query": "order \xff pizza"}', "headers": JSON}, 400, "parsing the body"),
    ],
)


@BAD_REQUESTS
def test_bad_requests_get_4xx_json(client, method, path, kwargs, status, text) -> None:
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status, response.text
    assert text.lower() in response.json()["error"]["message"].lower()
    assert client.get("/health").status_code == 200  # still serving


def test_wrong_method_gets_405_with_allow_header(client) -> None:
    response = client.request("TRACE", "/v1/call")
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert response.json()["error"]["status"] == 405


# Distinct requests of every app and of none: a copy of one request could take another copy's
# answer unseen.
CONCURRENT_REQUESTS = [
    "order a burger",
    "get me a large pepperoni pizza from Domino's",
    "turn on the front defroster",
    "fan speed 3",
    "set the temperature to 21 degrees",
    "find coffee shops in Denver",
    "book a table for two at Nobu at 7 pm",
    "set an alarm for 7 am",
    "text mom that I'm running late",
    "take a selfie",
    "turn on wifi",
    "what is 2 plus 2",
    "what's the capital of Peru",
    "tell me a joke",
]


def _answer(body: dict) -> tuple:
    """A ``/v1/call`` body without what differs between two equal calls (ids, timings)."""
    tools = [(c["function"]["name"], c["function"]["arguments"]) for c in body["tool_calls"]]
    return body["app"], tools, body.get("needs_input")


def test_concurrent_mixed_apps_match_sequential_answers(client, orchestrator, monkeypatch) -> None:
    """Concurrent requests of different apps are batched together. Each client gets the call the
    batch made for its own request (exactly: no cross-talk), and that call is the request's solo
    call wherever its decisions are clear of their boundaries (a batch rounds differently from one
    request alone, by CPU: ``numeric_paths``)."""
    batched: dict[str, list[Call]] = {}
    run_batch = orchestrator.run_batch

    def recorded(requests, **options):
        calls = run_batch(requests, **options)
        for (query, _), call in zip(requests, calls, strict=True):
            batched.setdefault(query, []).append(call)
        return calls

    monkeypatch.setattr(orchestrator, "run_batch", recorded)
    before = client.get("/health").json()
    with ThreadPoolExecutor(max_workers=8) as pool:
        bodies = list(pool.map(lambda q: client.post("/v1/call", json={"query": q}).json(), CONCURRENT_REQUESTS))
    after = client.get("/health").json()
    assert after["batches"] - before["batches"] < len(CONCURRENT_REQUESTS)  # some were answered together
    for query, body in zip(CONCURRENT_REQUESTS, bodies, strict=True):
        (call,) = batched[query]
        assert _answer(body) == _answer(call.to_json()), query
    monkeypatch.undo()
    alone = [orchestrator.run(query) for query in CONCURRENT_REQUESTS]
    together = [batched[query][0] for query in CONCURRENT_REQUESTS]
    compare_calls(alone, together, orchestrator.router.threshold).check()


def test_a_client_that_went_away_does_not_stop_the_worker(orchestrator) -> None:
    """A cancelled request (its client disconnected) is skipped; the batch and the worker go on."""
    worker = InferenceWorker(orchestrator)
    gone = worker.submit(Job("order a pizza from Domino's", None))
    assert gone.cancel()
    kept = worker.submit(Job("turn on the front defroster", None))
    worker.start()
    try:
        assert kept.result(timeout=120).app == "vehicle"
        again = worker.submit(Job("set the fan to 3", "vehicle"))
        assert again.result(timeout=120).function is not None and worker.thread.is_alive()
    finally:
        worker.stop()


def test_a_registry_change_is_reported_not_ignored(orchestrator, project_copy) -> None:
    """An app added while the server runs is named in a 404 that says to restart."""
    from orchestrator.apps import add_app
    from orchestrator.registry import load_registry, registry_change
    from orchestrator.request.orchestrator import Orchestrator

    from .conftest import DATA

    registry = load_registry(project_copy)
    orch = Orchestrator(registry, base=orchestrator.base, router=orchestrator.router)
    with TestClient(create_app(orch)) as http:
        assert http.get("/health").json()["registry_changed"] is False
        with registry_change(registry.path) as changed:
            add_app(changed, "smarthome", DATA / "smarthome.json")
        assert http.get("/health").json()["registry_changed"] is True
        response = http.post("/v1/call", json={"query": "lights on", "app": "smarthome"})
        assert response.status_code == 404 and "restart orch serve" in response.json()["error"]["message"]
        assert http.post("/v1/call", json={"query": "fan speed 3", "app": "vehicle"}).status_code == 200


def test_sigterm_drains_then_exits_0(tmp_path) -> None:
    """SIGTERM: requests in flight are answered, new ones get 503, then the process exits 0."""
    import signal
    import socket
    import subprocess
    import sys
    import time

    import httpx

    from .conftest import ROOT

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "orchestrator.cli", "--registry", str(ROOT / "registry.yaml")]
    server = subprocess.Popen([*command, "serve", "--port", str(port)], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        queries = ["order 2 pizzas from Domino's", "set the driver side to 21 degrees", "find sushi in Denver"] * 3
        with ThreadPoolExecutor(len(queries)) as pool:
            calls = [pool.submit(httpx.post, f"{url}/v1/call", json={"query": q}, timeout=300) for q in queries]
            waited, in_flight = time.monotonic() + 60, 0
            while in_flight < len(queries) and time.monotonic() < waited:
                in_flight = httpx.get(f"{url}/health", timeout=5).json()["in_flight"]
            server.send_signal(signal.SIGTERM)
            time.sleep(0.05)
            late = httpx.post(f"{url}/v1/call", json={"query": "order a pizza"}, timeout=30)
            answered = [call.result() for call in calls]
        assert late.status_code == 503 and "shutting down" in late.json()["error"]["message"]
        statuses = [r.status_code for r in answered]
        # Those in flight at the signal are answered; any not yet admitted get 503.
        assert set(statuses) <= {200, 503} and statuses.count(200) >= in_flight >= 1, (statuses, in_flight)
        assert server.wait(timeout=120) == 0, server.stderr.read()
    finally:
        server.kill()
