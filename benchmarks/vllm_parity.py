"""Does ``orch serve --engine vllm`` make the same calls as ``orch run``?

    .venv/bin/python benchmarks/vllm_parity.py [--data ../shared/eval/dev.jsonl] [--vllm-url URL]

Every request is routed (no app given), as ``orch run`` does. orch answers first, on its own
model; then the export is served by vLLM (started here from ``.venv-vllm`` unless ``--vllm-url``)
and the same requests go through ``VLLMEngine``. Prints each request whose function or arguments
differ, with both engines' decision scores, and the count.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestrator.engines.export import export_vllm  # noqa: E402
from orchestrator.evaluation.evaluate import read_rows  # noqa: E402
from orchestrator.registry import load_registry  # noqa: E402
from orchestrator.request.orchestrator import Orchestrator  # noqa: E402
from orchestrator.serving.vllm_engine import VLLMEngine  # noqa: E402
from orchestrator.serving.vllm_process import VLLMProcess, vllm_python  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "eval" / "dev.jsonl"))
    parser.add_argument("--vllm-url", help="a vLLM already serving --export-dir")
    parser.add_argument("--export-dir", help="default: a temporary directory")
    args = parser.parse_args()
    registry = load_registry(ROOT / "registry.yaml")
    queries = [row.query for row in read_rows(Path(args.data))]

    orch = Orchestrator(registry)
    started = time.perf_counter()
    want = [orch.run(query) for query in queries]
    print(f"orch run: {len(queries)} requests in {time.perf_counter() - started:.1f} s")
    del orch

    export_dir = Path(args.export_dir or tempfile.mkdtemp(prefix="orch-export-")) / "export"
    if not args.vllm_url or not (export_dir / "export.json").exists():
        print(export_vllm(registry, export_dir).summary())
    process = None
    url = args.vllm_url
    if url is None:
        process = VLLMProcess(vllm_python(ROOT), export_dir, export_dir / "vllm.log")
        started = time.perf_counter()
        url = process.start()
        print(f"vLLM engine start: {time.perf_counter() - started:.1f} s")
    try:
        engine = VLLMEngine(registry, export_dir, url, timeout_s=120)
        started = time.perf_counter()
        got = [engine.run(query) for query in queries]
        print(f"orch + vLLM: {len(queries)} requests in {time.perf_counter() - started:.1f} s")
    finally:
        if process is not None:
            process.stop()

    same = 0
    for a, b in zip(want, got, strict=True):
        if (a.app, a.function, a.arguments) == (b.app, b.function, b.arguments):
            same += 1
            continue
        print(f"differs: {a.query!r}")
        print(f"  orch: {a.summary()}  decision {a.decision.get('candidates')}")
        print(f"  vLLM: {b.summary()}  decision {b.decision.get('candidates')}")
    print(f"vLLM engine equals orch run on {same}/{len(queries)} requests (app, function and arguments)")


if __name__ == "__main__":
    main()
