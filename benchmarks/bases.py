"""Which embedded base should be the default? One table from one run on one machine.

For every base that has an adapter for each app of ``registry.yaml``: accuracy on
``../shared/eval/dev.jsonl`` and ``snips.jsonl`` (never trained or tuned on), on ten dev requests
each translated by hand into Spanish and Chinese (``benchmarks/data/dev_{es,zh}.jsonl``), and on
the adapters' generated held-out splits; warm p50/p95 over the dev requests; cold start; adapter
size; the serving process's peak memory; and with ``--ci-app`` the time to train the CI's
100-example app (``tests/data/smarthome.json``) from scratch. Each base is measured in its own
process, so each peak-memory figure is that base's alone.

    python benchmarks/bases.py [--ci-app] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestrator.registry import EMBEDDED_GEMMA, EMBEDDED_SMOLLM2, Registry, load_registry  # noqa: E402

BASES = [EMBEDDED_SMOLLM2, EMBEDDED_GEMMA]
EVAL = ROOT.parent / "shared" / "eval"
SETS = {
    "dev": EVAL / "dev.jsonl",
    "snips": EVAL / "snips.jsonl",
    "dev_es": ROOT / "benchmarks" / "data" / "dev_es.jsonl",
    "dev_zh": ROOT / "benchmarks" / "data" / "dev_zh.jsonl",
}


def registry_on(spec: str, workdir: Path) -> Registry:
    """A copy of the project registry switched to ``spec``; adapter paths still resolve."""
    shutil.copy(ROOT / "registry.yaml", workdir / "registry.yaml")
    (workdir / "adapters").symlink_to(ROOT / "adapters")
    registry = load_registry(workdir / "registry.yaml", check_files=False)
    missing = registry.use_base(spec)
    if missing:
        raise SystemExit(f"skip {spec}: no adapter for {', '.join(missing)} (orch train APP --base {spec})")
    registry.save()
    return load_registry(workdir / "registry.yaml")


def ci_app_training(spec: str) -> dict[str, float]:
    """`orch add-app smarthome --tools tests/data/smarthome.json --samples 100` into an empty registry."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "registry.yaml"
        Registry(path=path, base_model=spec).save()
        load_registry(path)  # the prompt template follows the base
        tools = ROOT / "tests" / "data" / "smarthome.json"
        command = [sys.executable, "-m", "orchestrator.cli", "--registry", str(path), "add-app", "smarthome"]
        started = time.perf_counter()
        done = subprocess.run(
            [*command, "--tools", str(tools), "--samples", "100"], capture_output=True, text=True, env=_quiet_env()
        )
        if done.returncode != 0:
            raise SystemExit(f"CI app on {spec} failed: {done.stderr.strip().splitlines()[-1:]}")
        training = load_registry(path).app("smarthome").training
        return {
            "wall_s": time.perf_counter() - started,
            "train_s": training["train_seconds"],
            "function": training["heldout"]["function_accuracy"],
            "exact": training["heldout"]["exact_match"],
        }


def _quiet_env() -> dict[str, str]:
    return {**os.environ, "TQDM_DISABLE": "1"}


def measure(spec: str, ci_app: bool) -> dict:
    from orchestrator.evaluation.bench import cold_start_seconds, machine_line, warm_calls
    from orchestrator.evaluation.evaluate import evaluate, read_rows
    from orchestrator.request.orchestrator import Orchestrator

    with tempfile.TemporaryDirectory() as tmp:
        registry = registry_on(spec, Path(tmp))
        report: dict = {"base": spec, "cold_start_s": cold_start_seconds(registry.path)}
        orch = Orchestrator(registry)
        report["machine"] = machine_line(orch)
        rows = {name: read_rows(path) for name, path in SETS.items() if path.is_file()}
        for row in rows["dev"][:3]:
            orch.run(row.query)  # warm-up: first-call allocations, grammar compiles
        for name, data in rows.items():
            result = evaluate(orch, data)
            result.pop("misses")
            report[name] = result
        report["warm"] = warm_calls(orch, rows["dev"])
        heldout = [app.training["heldout"] for app in registry.apps.values()]
        report["heldout"] = {
            key: sum(h[key] for h in heldout) / len(heldout) for key in ("function_accuracy", "exact_match")
        }
        sizes = [
            (registry.adapter_dir(app) / "adapter_model.safetensors").stat().st_size for app in registry.apps.values()
        ]
        report["adapter_mb"] = sum(sizes) / len(sizes) / 1e6
        report["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if ci_app:
        report["ci_app"] = ci_app_training(spec)
    return report


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.1%}"


def table(reports: list[dict]) -> str:
    lines = [f"orch bases ({reports[0]['machine']}; one run)"]
    head = f"{'measure':<46}" + "".join(f"{r['base'].removeprefix('embedded:'):>24}" for r in reports)
    lines += [head, "-" * len(head)]

    def row(label: str, cell) -> None:
        lines.append(f"{label:<46}" + "".join(f"{cell(r):>24}" for r in reports))

    row("dev: function / exact", lambda r: f"{_pct(r['dev']['function_accuracy'])} / {_pct(r['dev']['exact_match'])}")
    if all("snips" in r for r in reports):
        row("SNIPS: function", lambda r: _pct(r["snips"]["function_accuracy"]))
        row("SNIPS: in-scope function", lambda r: _pct(r["snips"]["in_scope_function_accuracy"]))
        row("SNIPS: false calls (out of scope)", lambda r: _pct(r["snips"]["false_call_rate"]))
    row(
        "held-out generated (4 apps): function / exact",
        lambda r: f"{_pct(r['heldout']['function_accuracy'])} / {_pct(r['heldout']['exact_match'])}",
    )
    for lang in ("es", "zh"):
        key = f"dev_{lang}"
        row(
            f"dev in {'Spanish' if lang == 'es' else 'Chinese'} (10): function / exact",
            lambda r, k=key: f"{_pct(r[k]['function_accuracy'])} / {_pct(r[k]['exact_match'])}",
        )
    row("warm call p50 / p95 over dev (ms)", lambda r: f"{r['warm']['p50_ms']:.0f} / {r['warm']['p95_ms']:.0f}")
    row("cold start: orch run wall time (s)", lambda r: f"{r['cold_start_s']:.1f}")
    row("adapter size, mean of 4 (MB)", lambda r: f"{r['adapter_mb']:.1f}")
    row("peak memory, serving process (MB)", lambda r: f"{r['peak_rss_mb']:.0f}")
    if all("ci_app" in r for r in reports):
        row("CI app (100 ex): train time (s)", lambda r: f"{r['ci_app']['train_s']:.0f}")
        row(
            "CI app: held-out function / exact",
            lambda r: f"{_pct(r['ci_app']['function'])} / {_pct(r['ci_app']['exact'])}",
        )
    if len(reports) == 2:
        a, b = reports
        label = f"warm p50 ratio, {b['base'].removeprefix('embedded:')} / {a['base'].removeprefix('embedded:')}"
        lines.append(f"{label:<46}{'':>24}{b['warm']['p50_ms'] / a['warm']['p50_ms']:>23.2f}x")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ci-app", action="store_true", help="Also train the CI's 100-example app on each base.")
    parser.add_argument("--json", dest="json_file", help="Also write every figure as JSON.")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # the per-base child process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.ci_app)))
        return
    reports = []
    for spec in BASES:
        command = [sys.executable, __file__, "--one", spec, *(["--ci-app"] if args.ci_app else [])]
        done = subprocess.run(command, capture_output=True, text=True, env=_quiet_env())
        if done.returncode != 0:
            print((done.stderr.strip().splitlines() or [f"{spec}: failed"])[-1])
            continue
        reports.append(json.loads(done.stdout.strip().splitlines()[-1]))
    if not reports:
        raise SystemExit("no base could be measured")
    print(table(reports))
    if args.json_file:
        Path(args.json_file).write_text(json.dumps(reports, indent=2))


if __name__ == "__main__":
    main()
