"""The fast engine is probed in a child process before it serves; a failed probe, a crash
included, leaves orch on torch with the reason in one line, and the verdict is cached."""

from __future__ import annotations

import pytest

from orchestrator.engines import probe

CRASH = "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n"


def test_a_crash_in_the_child_is_a_verdict_not_a_dead_process() -> None:
    verdict = probe.run_probe(CRASH)
    assert not verdict.ok and verdict.reason == "llama.cpp crashed in its one-token probe (SIGSEGV)"
    failed = probe.run_probe("raise SystemExit('no AVX2 here')")
    assert not failed.ok and failed.reason == "llama.cpp failed its one-token probe: no AVX2 here"


@pytest.fixture
def crashing_llama(monkeypatch, tmp_path):
    """llama.cpp 'installed' and crashing in its probe; verdicts cached under ``tmp_path``."""
    monkeypatch.setattr(probe, "llama_version", lambda: "0.0-test")
    monkeypatch.setattr(probe, "verdict_path", lambda version: tmp_path / f"{version}.json")
    monkeypatch.setattr(probe, "PROBE", CRASH)
    monkeypatch.delenv("ORCH_WEIGHTS", raising=False)
    return tmp_path


def test_a_failed_probe_serves_on_torch_and_says_why(crashing_llama, project_registry, embedded_base, orchestrator):
    from orchestrator.cli import engine_line
    from orchestrator.registry import load_registry
    from orchestrator.request.orchestrator import Orchestrator

    registry = load_registry(project_registry.path)
    assert registry.weights == "auto"
    orch = Orchestrator(registry, base=embedded_base, router=orchestrator.router)
    assert orch.weights != "q8_0" and orch.run("turn on the AC").app == "vehicle"
    line = engine_line(orch)
    print(line)
    assert line.endswith("fast engine unavailable: llama.cpp crashed in its one-token probe (SIGSEGV)")
    assert orch.engine_health()["fast_engine_unavailable"] == orch.engine_note
    assert (crashing_llama / "0.0-test.json").is_file()


def test_the_verdict_is_cached_per_cpu_and_version(crashing_llama, monkeypatch) -> None:
    first = probe.fast_engine_verdict()

    def no_second_probe(*args, **kwargs):
        raise AssertionError("probed again")

    monkeypatch.setattr(probe, "run_probe", no_second_probe)
    assert probe.fast_engine_verdict() == first and not first.ok


def test_without_llama_cpp_the_reason_says_how_to_get_it(monkeypatch) -> None:
    monkeypatch.setattr(probe, "llama_version", lambda: None)
    verdict = probe.fast_engine_verdict()
    assert not verdict.ok and "make install" in verdict.reason
