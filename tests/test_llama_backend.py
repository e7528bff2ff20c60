"""``decoding.weights: q8_0``: each app merged into a Q8_0 GGUF and decoded by llama.cpp.

``make install`` builds llama-cpp-python, so ``make test`` (and CI) runs them; they skip where it is
not installed. The clear error for a machine without it runs always.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
import torch

from orchestrator.calls import validate_call
from orchestrator.engines.base_model import load_base
from orchestrator.errors import OrchError
from orchestrator.registry import EMBEDDED_SMOLLM2, load_registry
from orchestrator.request.orchestrator import Orchestrator
from tests.numeric_paths import DECISION_MARGIN, SCORE_TOLERANCE, compare_calls

ROOT = Path(__file__).resolve().parents[1]

needs_llama = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None, reason="llama-cpp-python is not installed (make install builds it)"
)


def q8_registry(base: str | None = None, weights: str = "q8_0"):
    registry = load_registry(ROOT / "registry.yaml")
    if base:
        assert not registry.use_base(base), f"every app has a {base} adapter"
    registry.weights = weights
    return registry


def heldout(app: str, count: int, base: str | None = None) -> list[dict]:
    """The app's own held-out requests (written by ``orch train``; no measuring set), from its
    adapter for ``base`` (the active base's by default)."""
    registry = q8_registry(base)
    lines = (registry.adapter_dir(registry.app(app)) / "heldout.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines[:count]]


def assert_same_first_tokens(
    reference: Orchestrator, q8: Orchestrator, apps: list[str], count: int, base: str | None = None
):
    """Over each app's functional and end tokens, the first-token probabilities of the merged Q8_0
    model agree with the torch adapter's within ``SCORE_TOLERANCE`` and pick the same token where
    the best two are ``DECISION_MARGIN`` apart, on ``count`` held-out requests per app and one no
    app serves."""
    for app_name in apps:
        app = reference.registry.app(app_name)
        torch_model = reference.pool.activate(app_name)
        context = q8.pool.load(app_name)
        for query in [row["query"] for row in heldout(app_name, count, base)] + ["what is the capital of France"]:
            prompt = reference._prompt(query)
            with torch.inference_mode():
                logits = torch_model(input_ids=torch.tensor([prompt]), logits_to_keep=1).logits[0, -1]
            _, expected = reference.decoder.constraints.first_scores(app, logits)
            _, got = q8.decoder.constraints.first_scores(app, context.read(prompt))
            assert float((got - expected).abs().max()) < SCORE_TOLERANCE, (app_name, query, got, expected)
            best, second = expected.topk(2).values.tolist()
            if best - second >= DECISION_MARGIN:
                assert int(got.argmax()) == int(expected.argmax()), (app_name, query)


@pytest.fixture(scope="module")
def q8_orchestrator(embedded_base):
    return Orchestrator(q8_registry(), base=embedded_base)


@pytest.fixture(scope="module")
def smollm2_base():
    """SmolLM2, the other embedded base: another architecture, and its app files are written in a
    fraction of Gemma's time (a 49k-token vocabulary, not 262k)."""
    return load_base(q8_registry(EMBEDDED_SMOLLM2), device="cpu")


def test_q8_0_without_llama_cpp_is_a_clear_error(embedded_base, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # what `import llama_cpp` sees when it is absent
    with pytest.raises(OrchError, match=r"decoding.weights q8_0 needs llama-cpp-python \(run: make install\)"):
        Orchestrator(q8_registry(), base=embedded_base)


@needs_llama
def test_first_token_distribution_matches_the_torch_adapter(q8_orchestrator, orchestrator) -> None:
    """The merged Q8_0 model is the same model (float32 against Q8_0 moved one near-even split by
    0.067 on an AMD EPYC)."""
    assert_same_first_tokens(orchestrator, q8_orchestrator, ["doordash", "android", "yelp", "vehicle"], 5)


@needs_llama
def test_smollm2_on_q8_0_is_its_torch_model_and_makes_its_calls(smollm2_base) -> None:
    """SmolLM2, the other embedded base (another architecture: llama, whose q/k rows GGUF stores
    permuted), merges into a Q8_0 file that is the same model as its torch adapters, and its
    routed calls are the torch path's wherever the decisions are clear of their boundaries."""
    base = smollm2_base
    reference = Orchestrator(q8_registry(EMBEDDED_SMOLLM2, weights="native"), base=base)
    q8 = Orchestrator(q8_registry(EMBEDDED_SMOLLM2), base=base, router=reference.router)
    assert q8.weights == "q8_0" and base.config.model_type == "llama"
    apps = ["vehicle", "doordash"]
    assert_same_first_tokens(reference, q8, apps, 3, EMBEDDED_SMOLLM2)
    requests = [row["query"] for app in apps for row in heldout(app, 4, EMBEDDED_SMOLLM2)]
    got = [q8.run(query) for query in requests]
    compare_calls([reference.run(query) for query in requests], got, reference.router.threshold).check()
    assert sum(call.app in apps for call in got) >= len(requests) - 2


@needs_llama
def test_q8_0_makes_the_float_calls_and_every_one_is_schema_valid(q8_orchestrator, orchestrator) -> None:
    """Routed end to end on 10 held-out requests per app: the float path's calls wherever the
    decisions are clear of their boundaries (``tests/numeric_paths.py``), and every call valid
    against its function's schema (the grammar's guarantee holds on llama.cpp)."""
    requests = [row["query"] for app in ("doordash", "android", "yelp", "vehicle") for row in heldout(app, 10)]
    expected = [orchestrator.run(query) for query in requests]
    got = [q8_orchestrator.run(query) for query in requests]
    for call in got:
        if call.function:
            validate_call(q8_orchestrator.registry.app(call.app).function(call.function), call)
    compare_calls(expected, got, orchestrator.router.threshold).check()


@needs_llama
def test_q8_0_serves_without_the_torch_weights_once_every_app_file_is_cached(q8_orchestrator) -> None:
    for app in q8_orchestrator.registry.apps:
        q8_orchestrator.pool.load(app)  # writes any app file the cache lacks
    base = load_base(q8_registry(), device="cpu")
    fresh = Orchestrator(q8_registry(), base=base, router=q8_orchestrator.router)
    for query in [heldout(app, 1)[0]["query"] for app in ("doordash", "vehicle")]:
        assert fresh.run(query).summary() == q8_orchestrator.run(query).summary()
    assert not base.loaded and fresh.engine_health()["torch_weights_loaded"] is False


@needs_llama
def test_a_mixed_batch_answers_as_its_requests_do_alone(q8_orchestrator) -> None:
    queries = [heldout(app, 1)[0]["query"] for app in ("doordash", "android", "yelp", "vehicle")]
    requests = [(query, None) for query in queries] + [(queries[0], "doordash"), (queries[1], "doordash")]
    batch = q8_orchestrator.run_batch(requests, mixed=True)
    alone = [q8_orchestrator.run(query, app=app) for query, app in requests]
    compare_calls(alone, batch, q8_orchestrator.router.threshold).check()
    assert len({c.routed_app for c in batch}) >= 3, "a batch of several apps' rows"


@needs_llama
def test_one_apps_rows_decode_together_and_answer_as_they_do_alone(q8_orchestrator, monkeypatch) -> None:
    """``SEQUENCES`` + 2 rows of one app: a group decoded in shared passes, then one more group;
    the calls are those of each request alone, in far fewer llama.cpp passes."""
    from orchestrator.engines.llama_backend import SEQUENCES, AppContext

    passes = []
    feed = AppContext.feed
    monkeypatch.setattr(AppContext, "feed", lambda self, items: passes.append(len(items)) or feed(self, items))
    # Held-out calls (the split holds "no call" rows too): rows that decode arguments together.
    calls = [row for row in heldout("yelp", 4 * SEQUENCES) if row["function"]]
    requests = [(row["query"], "yelp") for row in calls[: SEQUENCES + 2]]
    alone = [q8_orchestrator.run(query, app=app) for query, app in requests]
    alone_passes, passes[:] = len(passes), []
    batch = q8_orchestrator.run_batch(requests, mixed=True)
    compare_calls(alone, batch, q8_orchestrator.router.threshold).check()
    assert sum(call.function is not None for call in batch) >= SEQUENCES, "rows that decode arguments"
    assert max(passes) == SEQUENCES and len(passes) < alone_passes / 2, (passes, alone_passes)


@needs_llama
def test_an_apps_model_is_freed_when_evicted_or_when_its_pool_is_dropped(smollm2_base) -> None:
    """llama.cpp's memory is native, out of Python's sight: an evicted app frees its model at once,
    and a dropped pool frees its resident apps' (each Orchestrator built in one process, as in
    this suite or a reloading server, kept hundreds of MB before)."""
    import gc

    from orchestrator.engines.llama_backend import LlamaApps

    pool = LlamaApps(smollm2_base, q8_registry(EMBEDDED_SMOLLM2), max_resident=1)
    evicted = pool.load("vehicle")._free
    resident = pool.load("doordash")._free  # the pool holds one app: vehicle goes
    assert not evicted.alive and resident.alive
    del pool
    gc.collect()
    assert not resident.alive


@needs_llama
def test_an_app_file_is_written_once_and_replaced_atomically_for_a_new_adapter(
    smollm2_base, tmp_path, monkeypatch
) -> None:
    """On SmolLM2's files (the same writer as Gemma's, written in a fraction of the time)."""
    from orchestrator.engines.adapter_pool import read_adapter
    from orchestrator.engines.gguf_apps import app_gguf_path

    base = smollm2_base
    registry = q8_registry(EMBEDDED_SMOLLM2)
    app = registry.app("doordash")
    source = registry.adapter_dir(app) / "adapter_model.safetensors"
    adapter = read_adapter(registry.adapter_dir(app), app, base)
    monkeypatch.setattr("orchestrator.engines.gguf_apps.cache_root", lambda: tmp_path)  # the app files alone
    first = app_gguf_path(base, adapter, source)
    written = first.stat().st_mtime_ns
    assert app_gguf_path(base, adapter, source) == first and first.stat().st_mtime_ns == written

    retrained = tmp_path / "adapter_model.safetensors"
    retrained.write_bytes(source.read_bytes() + b" ")  # other bytes: another adapter, another file

    def disk_full(*args, **kwargs):
        raise OSError("disk full")

    with monkeypatch.context() as crashing:
        crashing.setattr("gguf.GGUFWriter.write_tensors_to_file", disk_full)
        with pytest.raises(OrchError, match=r"could not write .*: disk full; nothing was written"):
            app_gguf_path(base, adapter, retrained)
    assert [p.name for p in first.parent.iterdir()] == [first.name], "a failed write leaves no temp, keeps the old"
    second = app_gguf_path(base, adapter, retrained)
    assert second != first and [p.name for p in second.parent.iterdir()] == [second.name]


def test_the_template_reads_a_gguf_as_gguf_pys_reader_does() -> None:
    """``GGUFTemplate`` (app files copy the base's GGUF through it, 0.5 s against the reader's 23 s
    on Gemma) gives gguf-py's own values, types and tensor bytes: here on SmolLM2's GGUF."""
    import gguf
    import numpy as np

    from orchestrator.engines.base_model import embedded_gguf_path
    from orchestrator.engines.gguf_template import GGUFTemplate

    path = embedded_gguf_path(EMBEDDED_SMOLLM2)
    template, reader = GGUFTemplate(path), gguf.GGUFReader(str(path))
    fields = {key: field for key, field in reader.fields.items() if not key.startswith("GGUF.")}
    assert list(template.fields) == list(fields) and "tokenizer.ggml.tokens" in fields
    for key, field in fields.items():
        ours = template.fields[key]
        assert ours.value == field.contents() and ours.kind == field.types[0], key
        assert ours.item_kind == (field.types[1] if len(field.types) > 1 else None), key
    assert [t.name for t in template.tensors] == [t.name for t in reader.tensors]
    for ours, theirs in zip(template.tensors, reader.tensors, strict=True):
        assert ours.tensor_type == theirs.tensor_type and ours.data.dtype == theirs.data.dtype, ours.name
        assert ours.data.shape == theirs.data.shape and np.array_equal(ours.data, theirs.data), ours.name
