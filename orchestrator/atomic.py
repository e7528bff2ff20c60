"""Atomic file and directory writes: a crash mid-write must never leave a half-written registry or adapter.

A write that fails (disk full, read-only directory) leaves the old file or directory as it was and
says so in one line (``OrchError``), naming the path and the system's reason.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from orchestrator.errors import OrchError


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (``atomic_write_bytes``)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to a temp file beside ``path``, fsync it, then rename it over ``path``: two
    processes writing the same path each write their own temp file, and the last rename wins."""
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise OrchError(f"could not write {path}: {_reason(err)}; the file is unchanged") from err
        raise


@contextmanager
def atomic_directory(path: Path) -> Iterator[Path]:
    """Yield an empty staging directory that replaces ``path`` only if the block finishes.

    The old directory is moved aside first and deleted after the swap, so a reader sees either the
    complete old contents or the complete new ones.
    """
    path = Path(path)
    kept = f"the previous {path.name} is kept" if path.exists() else "nothing was written"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    except OSError as err:
        raise OrchError(f"could not write {path}: {_reason(err)}; {kept}") from err
    try:
        yield staging
    except BaseException as err:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(err, OSError):
            raise OrchError(f"could not write {path}: {_reason(err)}; {kept}") from err
        raise
    retired = None
    if path.exists():
        retired = path.with_name(f".{path.name}.old-{os.getpid()}")
        shutil.rmtree(retired, ignore_errors=True)
        os.replace(path, retired)
    os.replace(staging, path)
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


@contextmanager
def atomic_gguf(path: Path, arch: str) -> Iterator:
    """Yield a ``gguf.GGUFWriter`` for architecture ``arch`` whose file appears at ``path``, whole,
    only if the block finishes (the header, metadata and tensors added in it are written then)."""
    import gguf

    path = Path(path)
    kept = "the file is unchanged" if path.exists() else "nothing was written"
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = gguf.GGUFWriter(str(staging), arch=arch)
        yield writer
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(staging, path)
    except OSError as err:
        raise OrchError(f"could not write {path}: {_reason(err)}; {kept}") from err
    finally:
        staging.unlink(missing_ok=True)


def _reason(err: OSError) -> str:
    return err.strerror or str(err) or type(err).__name__
