"""Bounded load test of ``orch serve`` on loopback: N clients, mixed apps, fixed duration, then stop.

Starts the server on 127.0.0.1 (a free port), asks every request once alone to learn its answer,
then runs the clients for the duration and checks that every answer under load is the same
(any difference would mean a request saw another app's adapter). Prints requests/s, latency
p50/p95, errors and wrong answers. Usage:
    python benchmarks/load_test.py [--clients 8] [--seconds 60] [--batching grouped|mixed] [--data FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(
    registry: str, port: int, batching: str | None, extra: tuple[str, ...] = (), timeout_s: float = 120
) -> subprocess.Popen:
    """``orch serve`` on a free port, once healthy (``extra``: more ``serve`` options)."""
    command = [
        sys.executable,
        "-m",
        "orchestrator.cli",
        "--registry",
        registry,
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        *(["--batching", batching] if batching else []),
        *extra,
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        try:
            if httpx.get(f"http://{HOST}:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.3)
        if server.poll() is not None:
            raise SystemExit(f"server exited: {server.stderr.read()[-500:]}")
    server.terminate()
    server.wait(timeout=30)
    raise SystemExit(f"server did not become healthy in {timeout_s:g} s")


def answer(body: dict) -> tuple:
    return body["app"], tuple((c["function"]["name"], c["function"]["arguments"]) for c in body["tool_calls"])


@dataclass
class Load:
    """What N clients saw over a fixed duration."""

    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    errors: int = 0
    wrong: int = 0
    wrong_app: int = 0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def _cut(self, percent: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[percent - 1] if len(self.latencies) > 1 else 0.0

    @property
    def p50(self) -> float:
        return self._cut(50)

    @property
    def p95(self) -> float:
        return self._cut(95)


def run_load(url: str, queries: list[str], expected: dict[str, tuple], clients: int, seconds: float) -> Load:
    """``clients`` threads, each sending the next request as soon as its last is answered, for
    ``seconds``; every answer is checked against ``expected`` (the answer given alone)."""
    load = Load()
    lock = threading.Lock()
    stop_at = time.time() + seconds

    def client(index: int) -> None:
        with httpx.Client(timeout=120) as http:
            i = index
            while time.time() < stop_at:
                query = queries[i % len(queries)]
                i += clients
                started = time.perf_counter()
                try:
                    response = http.post(url, json={"query": query})
                    ok = response.status_code == 200
                    got = answer(response.json()) if ok else None
                    same = ok and got == expected[query]
                    same_app = ok and got[0] == expected[query][0]
                except httpx.HTTPError:
                    ok = same = same_app = False
                with lock:
                    load.latencies.append((time.perf_counter() - started) * 1000)
                    load.errors += not ok
                    load.wrong += ok and not same
                    load.wrong_app += ok and not same_app

    started = time.time()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 180)
    load.elapsed = time.time() - started
    return load


def main() -> None:
    parser = argparse.ArgumentParser(description="bounded loopback load test of orch serve")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--data", default="../shared/eval/dev.jsonl")
    parser.add_argument("--registry", default="registry.yaml")
    parser.add_argument("--batching", choices=["grouped", "mixed"], help="Override the registry's pool.batching.")
    args = parser.parse_args()
    queries = [json.loads(line)["query"] for line in Path(args.data).read_text().splitlines() if line.strip()]
    # The dev file lists each app's requests together; shuffled, the 8 requests in flight at any
    # moment are a real mix of apps (and of no-app requests), as independent users would send.
    random.Random(0).shuffle(queries)
    port = free_port()
    server = start_server(args.registry, port, args.batching)
    url = f"http://{HOST}:{port}/v1/call"
    try:
        with httpx.Client(timeout=30) as http:
            expected = {q: answer(http.post(url, json={"query": q}).json()) for q in queries}
        load = run_load(url, queries, expected, args.clients, args.seconds)
        health = httpx.get(f"http://{HOST}:{port}/health").json()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"orch serve load test: {args.clients} clients, {load.elapsed:.0f} s, {len(queries)} distinct requests")
    print(f"{'batching':<28} {health['batching']:>8}")
    print(f"{'requests':<28} {len(load.latencies):>8}")
    print(f"{'requests/s':<28} {load.rate:>8.2f}")
    print(f"{'latency p50 / p95 (ms)':<28} {load.p50:>8.0f} / {load.p95:.0f}")
    print(f"{'errors':<28} {load.errors:>8}")
    print(f"{'answers differing from solo':<28} {load.wrong:>8}")
    print(f"{'wrong-app answers':<28} {load.wrong_app:>8}")
    mean_batch = health["requests"] / max(1, health["batches"])
    print(f"{'worker batches (mean size)':<28} {health['batches']:>8} ({mean_batch:.1f})")
    print(f"{'adapter switches':<28} {health['adapter_switches']:>8}")


if __name__ == "__main__":
    main()
