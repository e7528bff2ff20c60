"""Whether llama.cpp can serve on this machine, asked once, in a child process.

llama.cpp is orch's fast engine on the CPU, but a native library can kill the process that loads it:
a build whose kernels this CPU lacks dies of an illegal instruction, and llama.cpp's AMX kernels
crash on some Intel Xeons. So before the engine first serves on a machine, a child process loads
the embedded base's GGUF and decodes one token. Its verdict is cached per CPU (model name and
flags) and library version, so the probe runs once; a new CPU or a new llama-cpp-python asks again.
A failed probe, a crash included, leaves orch on torch with the reason in one line.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from orchestrator.atomic import atomic_write_text
from orchestrator.engines.base_model import BaseModel, cache_root, embedded_gguf_path
from orchestrator.engines.gguf_apps import SUPPORTED
from orchestrator.registry import EMBEDDED_PROMPTS

PROBE_TIMEOUT_S = 120
# What the child runs: load a GGUF, decode one token, print its logits' length.
PROBE = """
import sys
import llama_cpp as llama
llama.llama_backend_init()
model = llama.llama_model_load_from_file(sys.argv[1].encode(), llama.llama_model_default_params())
assert model, "cannot load the model"
params = llama.llama_context_default_params()
params.n_ctx = params.n_batch = 16
params.n_threads = params.n_threads_batch = 1
ctx = llama.llama_init_from_model(model, params)
assert ctx, "cannot create a context"
batch = llama.llama_batch_get_one((llama.llama_token * 1)(1), 1)
assert llama.llama_decode(ctx, batch) == 0, "decode failed"
vocab = llama.llama_vocab_n_tokens(llama.llama_model_get_vocab(model))
logits = llama.llama_get_logits_ith(ctx, -1)
print(vocab, float(logits[0]))
"""


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str  # why not, in one line ("" when ok)


def serving_weights(setting: str, base: BaseModel) -> tuple[str, str]:
    """The weights to serve with (``ORCH_WEIGHTS`` overrides ``decoding.weights``) and, when
    ``auto`` stays on torch, why in one line. ``auto`` takes q8_0 on llama.cpp where it can run:
    on the CPU, an embedded base of an architecture orch merges, a probe that passed."""
    setting = os.environ.get("ORCH_WEIGHTS") or setting
    if base.device.type != "cpu":
        return "native", "" if setting in ("auto", "native") else f"{setting} runs on the CPU only"
    if setting != "auto":
        return setting, ""
    if base.spec not in EMBEDDED_PROMPTS or base.config.model_type not in SUPPORTED:
        return "native", f"q8_0 serves embedded {'/'.join(sorted(SUPPORTED.values()))} bases; {base.spec} is not one"
    verdict = fast_engine_verdict()
    return ("q8_0", "") if verdict.ok else ("native", verdict.reason)


def llama_version() -> str | None:
    try:
        return importlib.metadata.version("llama-cpp-python")
    except importlib.metadata.PackageNotFoundError:
        return None


def cpu_key() -> str:
    """This CPU's model name and feature flags, hashed: what a build's kernels depend on."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        info = ""
    lines = [line for line in info.splitlines() if line.startswith(("model name", "flags"))]
    return hashlib.sha256("\n".join(sorted(set(lines))).encode()).hexdigest()[:16]


def verdict_path(version: str) -> Path:
    return cache_root() / "probe" / f"llama-cpp-python-{version}-{cpu_key()}.json"


def fast_engine_verdict() -> Verdict:
    """Whether llama.cpp serves here: cached, else probed in a child process."""
    version = llama_version()
    if version is None:
        return Verdict(False, "llama-cpp-python is not installed (make install builds it)")
    path = verdict_path(version)
    if path.is_file():
        cached = json.loads(path.read_text())
        return Verdict(cached["ok"], cached["reason"])
    verdict = run_probe()
    atomic_write_text(path, json.dumps({"ok": verdict.ok, "reason": verdict.reason}))
    return verdict


def run_probe(script: str | None = None) -> Verdict:
    """Run ``script`` (``PROBE``) on the embedded base's GGUF in a child process and judge how it
    ended."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", script or PROBE, str(embedded_gguf_path())],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return Verdict(False, f"llama.cpp's one-token probe did not finish in {PROBE_TIMEOUT_S} s")
    if done.returncode == 0:
        return Verdict(True, "")
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        return Verdict(False, f"llama.cpp crashed in its one-token probe ({name})")
    last = (done.stderr.strip().splitlines() or ["no message"])[-1]
    return Verdict(False, f"llama.cpp failed its one-token probe: {last}")
