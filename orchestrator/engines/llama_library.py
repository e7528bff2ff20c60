"""llama-cpp-python, imported once for every part of orch that runs on llama.cpp (the q8_0
decoding and the router's encoders), with its logging quieted."""

from __future__ import annotations

import logging
import weakref
from pathlib import Path

from orchestrator.errors import OrchError


def llama_cpp_module(purpose: str):
    """The ``llama_cpp`` module (its low-level C API), or a one-line error saying what ``purpose``
    needs it for and how to get it."""
    try:
        import llama_cpp
    except ImportError:
        raise OrchError(f"{purpose} needs llama-cpp-python (run: make install)") from None
    # llama-cpp-python prints llama.cpp's log (graph dumps included) unless its logger is told not
    # to. Its table reads ggml's levels one off (a warning as ERROR, such as Gemma 3's "using
    # full-size SWA cache"), so only CRITICAL keeps stderr clean; orch reports failures itself.
    logging.getLogger("llama-cpp-python").setLevel(logging.CRITICAL)
    return llama_cpp


def load_gguf_model(llama, path: str | Path):
    """llama.cpp's model read from the GGUF at ``path`` (its backend started first), or a one-line
    error: orch writes every file it loads, so a bad one is rebuilt once deleted."""
    llama.llama_backend_init()
    model = llama.llama_model_load_from_file(str(path).encode(), llama.llama_model_default_params())
    if not model:
        raise OrchError(f"llama.cpp cannot load {path}; delete it to have it rebuilt")
    return model


def free_with(owner: object, llama, batch, ctx, model) -> weakref.finalize:
    """Free ``owner``'s llama.cpp batch, context and model when it is collected, or earlier by
    calling the returned finalizer (once; later calls do nothing). Python's collector never sees
    that native memory (hundreds of MB a model): without this, every pool or router dropped in a
    process (tests, ``orch calibrate``, a server that reloads) kept its models."""
    return weakref.finalize(owner, _free, llama, batch, ctx, model)


def _free(llama, batch, ctx, model) -> None:
    llama.llama_batch_free(batch)
    llama.llama_free(ctx)
    llama.llama_model_free(model)
