"""``orch serve --engine vllm``: the same API and the same answers as orch's own engine.

Without vLLM, a real export and a vLLM address that refuses or never answers check the failure
path: bad input gets the built-in server's 4xx, an unreachable or slow vLLM a 503 with a reason,
within the timeout. With vLLM installed (``make vllm``), a real ``vllm serve`` on the export must
make ``orch run``'s calls on the dev set.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time

import pytest
from fastapi.testclient import TestClient

from orchestrator.engines.export import export_vllm
from orchestrator.errors import OrchError
from orchestrator.evaluation.evaluate import read_rows
from orchestrator.registry import EMBEDDED_GEMMA, EMBEDDED_SMOLLM2
from orchestrator.serving.server import create_app
from orchestrator.serving.vllm_engine import VLLMEngine
from orchestrator.serving.vllm_process import VLLMProcess, free_port, vllm_python
from tests.conftest import ROOT, SHARED
from tests.numeric_paths import compare_calls
from tests.test_server import BAD_REQUESTS


@pytest.fixture(scope="module")
def export_dir(project_registry, tmp_path_factory):
    directory = tmp_path_factory.mktemp("vllm") / "export"
    export_vllm(project_registry, directory)
    return directory


@pytest.fixture(scope="module")
def silent_vllm():
    """A server that accepts connections and never answers: a vLLM stuck or overloaded."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


@pytest.fixture(scope="module")
def down_client(project_registry, export_dir, orchestrator):
    engine = VLLMEngine(project_registry, export_dir, f"http://127.0.0.1:{free_port()}", router=orchestrator.router)
    with TestClient(create_app(engine)) as http:
        yield http


@BAD_REQUESTS
def test_bad_requests_get_the_built_in_servers_4xx(down_client, method, path, kwargs, status, text) -> None:
    response = getattr(down_client, method)(path, **kwargs)
    assert response.status_code == status, response.text
    assert text.lower() in response.json()["error"]["message"].lower()


def test_a_vllm_that_is_down_gives_503_with_a_reason_and_routing_still_works(down_client) -> None:
    response = down_client.post("/v1/call", json={"query": "order a pizza"})
    assert response.status_code == 503 and "not reachable" in response.json()["error"]["message"]
    assert response.headers["retry-after"]
    health = down_client.get("/health")
    assert health.status_code == 503 and "not reachable" in health.json()["error"]["message"]
    # Routing is orch's own: it needs no vLLM.
    assert down_client.post("/v1/route", json={"query": "turn off the AC"}).json()["app"] == "vehicle"


def test_a_vllm_that_never_answers_gives_503_within_the_timeout(
    project_registry, export_dir, orchestrator, silent_vllm
) -> None:
    engine = VLLMEngine(project_registry, export_dir, silent_vllm, timeout_s=1.0, router=orchestrator.router)
    with TestClient(create_app(engine)) as http:
        started = time.perf_counter()
        response = http.post("/v1/call", json={"query": "order a pizza", "app": "doordash"})
        waited = time.perf_counter() - started
    assert response.status_code == 503 and "did not answer within 1 s" in response.json()["error"]["message"]
    assert waited < 10, waited


def test_an_export_of_another_base_is_refused(project_registry, export_dir, tmp_path) -> None:
    import shutil

    copy = shutil.copytree(export_dir, tmp_path / "export", ignore=shutil.ignore_patterns("*.safetensors"))
    manifest = copy / "export.json"
    other = EMBEDDED_SMOLLM2 if project_registry.base_model == EMBEDDED_GEMMA else EMBEDDED_GEMMA
    manifest.write_text(manifest.read_text().replace(project_registry.base_model, other))
    with pytest.raises(OrchError, match="export again"):
        VLLMEngine(project_registry, copy, "http://127.0.0.1:9")


def vllm_installed() -> bool:
    try:
        vllm_python(ROOT)
    except OrchError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(not vllm_installed(), reason="vLLM is not installed (make vllm)")
def test_vllm_engine_makes_orch_runs_calls_on_dev(project_registry, export_dir, orchestrator) -> None:
    """Routed dev requests through a real ``vllm serve``: app, function and arguments as ``orch run``."""
    queries = [row.query for row in read_rows(SHARED / "eval" / "dev.jsonl")]
    want = [orchestrator.run(query) for query in queries]
    process = VLLMProcess(vllm_python(ROOT), export_dir, export_dir / "vllm.log")
    url = process.start()
    try:
        engine = VLLMEngine(project_registry, export_dir, url, timeout_s=120, router=orchestrator.router)
        got = engine.run_batch([(query, None) for query in queries])
        # Both engines run the same weights: the same calls wherever a decision is clear.
        compare_calls(want, got, orchestrator.router.threshold).check()
    finally:
        process.stop()
    assert process.process.poll() is not None
    pgrep = subprocess.run(["pgrep", "-f", str(export_dir / "base")], capture_output=True, text=True)
    assert pgrep.stdout.strip() == "", "vLLM left processes behind"
    with pytest.raises(OrchError, match="not reachable"):
        engine.run("order a pizza", app="doordash")
