"""Fuzz ``orch serve`` from its own OpenAPI contract with schemathesis, against a live server.

Starts the server on 127.0.0.1 (a free port; or use --url), runs ``schemathesis run`` over
``/openapi.json`` with every check (server errors, status codes and response bodies that the
schema does not declare, content types, ...) but one: "schema-valid data gets a 2xx" (a query is
any string in the schema, and text the server cannot use gets a declared 400 with its reason).
Then it reads the server's own count of answers by
status from ``/health``. Prints one table: requests answered, answers by status, 500s, and the
checks that failed. Exit status 1 if any 500 or any check failed. Usage:
    python benchmarks/api_fuzz.py [--max-examples 400] [--url http://127.0.0.1:8000]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_test import HOST, free_port, start_server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", default="registry.yaml")
    parser.add_argument("--url", help="A running orch serve (default: start one).")
    parser.add_argument("--max-examples", type=int, default=400, help="Generated cases per operation.")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    server = None
    url = args.url
    if url is None:
        port = free_port()
        server = start_server(args.registry, port, None)
        url = f"http://{HOST}:{port}"
    try:
        before = httpx.get(f"{url}/health", timeout=30).json()["responses"]
        tool = shutil.which("schemathesis") or str(Path(sys.executable).with_name("schemathesis"))
        command = [
            tool, "run", f"{url}/openapi.json", "--checks", "all", "--exclude-checks", "positive_data_acceptance",
            "--max-examples", str(args.max_examples),
            "--seed", str(args.seed), "--request-timeout", "120", "--workers", "1",
        ]  # fmt: skip
        run = subprocess.run(command, capture_output=True, text=True)
        health = httpx.get(f"{url}/health", timeout=30).json()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=120)
    after = health["responses"]
    answers = {code: after.get(code, 0) - before.get(code, 0) for code in sorted(after)}
    total = sum(answers.values())
    rows = [
        ("requests answered", str(total)),
        *[(f"  status {code}", str(count)) for code, count in answers.items() if count],
        ("500 responses", str(answers.get("500", 0))),
        (
            "schemathesis exit status",
            f"{run.returncode} ({'no check failed' if run.returncode == 0 else 'checks failed'})",
        ),
    ]
    print(f"schemathesis over {url}/openapi.json, --max-examples {args.max_examples} per operation")
    print(f"{'measure':<28} {'value':>10}")
    print("-" * 39)
    for name, value in rows:
        print(f"{name:<28} {value:>10}")
    print(_summary(run.stdout) or run.stderr[-2000:])
    return 0 if run.returncode == 0 and not answers.get("500") else 1


def _summary(output: str) -> str:
    """schemathesis' closing summary (failures by check, then the totals)."""
    marker = output.rfind("SUMMARY")
    return output[marker:].strip() if marker >= 0 else output[-3000:].strip()


if __name__ == "__main__":
    sys.exit(main())
