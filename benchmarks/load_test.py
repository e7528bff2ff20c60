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
from pathlib import Path

import httpx

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(registry: str, port: int, batching: str | None) -> subprocess.Popen:
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
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(f"http://{HOST}:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.3)
        if server.poll() is not None:
            raise SystemExit(f"server exited: {server.stderr.read()[-500:]}")
    server.kill()
    raise SystemExit("server did not become healthy in 120 s")


def answer(body: dict) -> tuple:
    return body["app"], tuple((c["function"]["name"], c["function"]["arguments"]) for c in body["tool_calls"])


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
        latencies: list[float] = []
        errors = wrong = wrong_app = 0
        lock = threading.Lock()
        stop_at = time.time() + args.seconds

        def client(index: int) -> None:
            nonlocal errors, wrong, wrong_app
            with httpx.Client(timeout=30) as http:
                i = index
                while time.time() < stop_at:
                    query = queries[i % len(queries)]
                    i += args.clients
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
                        latencies.append((time.perf_counter() - started) * 1000)
                        errors += not ok
                        wrong += ok and not same
                        wrong_app += ok and not same_app

        started = time.time()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 60)
        elapsed = time.time() - started
        health = httpx.get(f"http://{HOST}:{port}/health").json()
    finally:
        server.terminate()
        server.wait(timeout=10)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    batching = health["batching"]
    print(f"orch serve load test: {args.clients} clients, {elapsed:.0f} s, {len(queries)} distinct mixed-app requests")
    print(f"{'batching':<28} {batching:>8}")
    print(f"{'requests':<28} {len(latencies):>8}")
    print(f"{'requests/s':<28} {len(latencies) / elapsed:>8.2f}")
    print(f"{'latency p50 / p95 (ms)':<28} {cuts[49]:>8.0f} / {cuts[94]:.0f}")
    print(f"{'errors':<28} {errors:>8}")
    print(f"{'answers differing from solo':<28} {wrong:>8}")
    print(f"{'wrong-app answers':<28} {wrong_app:>8}")
    mean_batch = health["requests"] / max(1, health["batches"])
    print(f"{'worker batches (mean size)':<28} {health['batches']:>8} ({mean_batch:.1f})")
    print(f"{'adapter switches':<28} {health['adapter_switches']:>8}")


if __name__ == "__main__":
    main()
