"""The HTTP API, driven with an HTTP client: shapes, bad requests, concurrency without cross-talk."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from orchestrator.server import MAX_BODY_BYTES, create_app


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
    assert body == {"app": None, "tool_calls": [], "timings_ms": body["timings_ms"]}


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


@pytest.mark.parametrize(
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
    ],
)
def test_bad_requests_get_4xx_json(client, method, path, kwargs, status, text) -> None:
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status, response.text
    assert text.lower() in response.json()["error"]["message"].lower()
    assert client.get("/health").status_code == 200  # still serving


def test_concurrent_mixed_apps_match_sequential_answers(client) -> None:
    queries = [
        "order a burger",
        "turn on the front defroster",
        "find coffee shops in Denver",
        "set an alarm for 7 am",
        "what is 2 plus 2",
        "fan speed 3",
    ] * 3
    alone = {q: client.post("/v1/call", json={"query": q}).json() for q in set(queries)}
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda q: client.post("/v1/call", json={"query": q}).json(), queries))
    for query, got in zip(queries, together, strict=True):
        want = alone[query]
        assert got["app"] == want["app"]
        strip = [(c["function"]["name"], c["function"]["arguments"]) for c in got["tool_calls"]]
        assert strip == [(c["function"]["name"], c["function"]["arguments"]) for c in want["tool_calls"]]
