"""The router's tuned English encoder (``orch train-router``): what it is recorded as, how it is
used, and that it reads real requests better than the frozen encoder's head."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import torch
import yaml

from orchestrator.corpus import content_words, is_heldout, is_unseen_heldout, load_corpus, words_of
from orchestrator.errors import OrchError
from orchestrator.registry import TUNED_PARTS, Registry, load_registry
from orchestrator.request.encoder import load_tuned_encoder
from orchestrator.request.router import Router, class_probabilities
from training.router_encoder import TUNED_DIR, TuneConfig, train_router

from .conftest import DATA
from .numeric_paths import assert_same_classes
from .test_cli import assert_one_line_error, orch


def _accuracy(router: Router, lines) -> float:
    probs = router.probabilities([line.text for line in lines])
    picks = [router.classes[i] for i in probs.argmax(dim=1).tolist()]
    return sum(pick == (line.app or "<none>") for pick, line in zip(picks, lines, strict=True)) / len(lines)


def test_the_tuned_router_reads_real_requests_it_never_learnt_better_than_the_frozen_head(orchestrator) -> None:
    """The shipped corpus's held-out part, as ``test_router`` reads it: requests the apps serve
    that the deployed router never learnt, and whole intents no app serves that the calibrating
    router never learnt. The committed tuned encoder against the same router without it (the
    frozen multilingual encoder's head alone)."""
    registry = orchestrator.registry
    assert registry.router_tuned_english, "registry.yaml records orch train-router's encoder"
    deployed = orchestrator.router
    frozen = replace(registry, router_tuned_english={})
    heldout = [line for line in load_corpus() if is_heldout(line)]
    words = content_words(list(registry.apps.values()))
    served = [line for line in heldout if line.app]
    unserved = [line for line in heldout if is_unseen_heldout(line) and not (words & words_of(line.text))]
    tuned = {
        "served": _accuracy(deployed, served),
        "unserved": _accuracy(Router(registry, encoder=deployed.encoder, calibrating=True), unserved),
    }
    before = {
        "served": _accuracy(Router(frozen, encoder=deployed.encoder), served),
        "unserved": _accuracy(Router(frozen, encoder=deployed.encoder, calibrating=True), unserved),
    }
    assert tuned["served"] >= 0.85 and tuned["unserved"] >= 0.85, tuned
    assert sum(tuned.values()) >= sum(before.values()) + 0.015, (tuned, before)


def test_requests_in_other_languages_keep_the_multilingual_head(orchestrator) -> None:
    """English requests are read over the tuned encoder; requests the router reads as in another
    language keep the multilingual encoder's head (the tuned encoder reads English only)."""
    deployed = orchestrator.router
    frozen = Router(replace(orchestrator.registry, router_tuned_english={}), encoder=deployed.encoder)
    queries = ["what's the weather like in Paris tomorrow", "明天巴黎的天气怎么样", "Wie wird das Wetter morgen"]
    assert deployed.other_language(queries) == [False, True, True]
    tuned, plain = deployed.probabilities(queries), frozen.probabilities(queries)
    assert torch.equal(tuned[1:], plain[1:])
    assert not torch.allclose(tuned[0], plain[0], atol=1e-3)
    assert deployed.route(queries[0]).app == "android"


def test_the_tuned_encoder_reads_alike_in_bf16_and_float32(orchestrator, monkeypatch) -> None:
    """The tuned encoder runs in the base's dtype (bf16 where the CPU has native bf16 math: a third
    faster); its head is fitted in that dtype too, so the cache keeps one head per dtype. Over one
    head, the two dtypes' embeddings give the same class wherever both are clear of a tie by
    ``DECISION_MARGIN`` (machines round bf16 differently: ``numeric_paths``)."""
    directory = orchestrator.registry.resolve(orchestrator.registry.router_tuned_english["path"]) / "deployed"
    texts = [line.text for line in load_corpus() if is_heldout(line)][::5]
    readings = {}
    for dtype in ("float32", "bfloat16"):
        monkeypatch.setenv("ORCH_DTYPE", dtype)
        encoder, identity = load_tuned_encoder(directory)
        assert next(encoder.model.parameters()).dtype == getattr(torch, dtype)
        readings[dtype] = (identity, encoder.encode(texts, normalize_embeddings=True))
    (full_key, full), (half_key, half) = readings["float32"], readings["bfloat16"]
    assert full_key != half_key and full.dtype == half.dtype == torch.float32
    assert torch.nn.functional.cosine_similarity(full, half).min() >= 0.999
    head, router = orchestrator.router.tuned, orchestrator.router
    assert_same_classes(
        *(class_probabilities(e, head.weight, head.bias, head.parent, len(router.classes)) for e in (full, half))
    )


@pytest.fixture
def small_registry(tmp_path: Path) -> Registry:
    from orchestrator.registry import tools_from_file

    registry = Registry(path=tmp_path / "registry.yaml")
    description, functions = tools_from_file(DATA / "smarthome.json")
    registry.add_app("smarthome", description, functions)
    registry.save()
    return registry


def test_train_router_writes_both_encoders_and_the_router_reads_english_over_them(small_registry) -> None:
    directory = small_registry.path.parent / TUNED_DIR
    results = train_router(small_registry, directory, TuneConfig(max_steps=2))
    assert set(results) == set(TUNED_PARTS) and all(r.steps == 2 for r in results.values())
    assert results["calibrating"].texts < results["deployed"].texts  # no real requests calibration asks
    for part in TUNED_PARTS:
        assert (directory / part / "adapter_model.safetensors").is_file()
    assert not [p for p in directory.parent.iterdir() if p.name.startswith(".")]  # no staging left
    small_registry.router_tuned_english = {"path": str(TUNED_DIR), "training": {"command": "test"}}
    small_registry.save()
    registry = load_registry(small_registry.path)
    assert registry.router_tuned_english["path"] == str(TUNED_DIR)
    router = Router(registry)
    assert router.tuned is not None and router.classes == ["smarthome", "<none>"]
    probs = router.probabilities(["turn on the kitchen lights", "开厨房的灯"])
    assert torch.allclose(probs.sum(dim=1), torch.ones(2), atol=1e-5)


def test_a_registry_naming_a_missing_or_malformed_tuned_encoder_is_a_one_line_error(project_copy: Path) -> None:
    raw = yaml.safe_load(project_copy.read_text())
    raw["router"]["tuned_english"]["path"] = "adapters/router/nowhere"
    project_copy.write_text(yaml.safe_dump(raw))
    assert_one_line_error(orch("run", "hi", registry=project_copy), "tuned encoder file not found")
    assert_one_line_error(orch("route", "hi", registry=project_copy), "no tuned encoder in")  # loads unchecked
    raw["router"]["tuned_english"] = {"path": 3}
    project_copy.write_text(yaml.safe_dump(raw))
    assert_one_line_error(orch("route", "hi", registry=project_copy), "router.tuned_english.path: must be str")
    raw["router"]["tuned_english"] = {"path": "x", "epochs": 2}
    project_copy.write_text(yaml.safe_dump(raw))
    with pytest.raises(OrchError, match="epochs"):
        load_registry(project_copy)


def test_train_router_refuses_bad_input_in_one_line(project_copy: Path, tmp_path: Path) -> None:
    assert_one_line_error(orch("train-router", "--epochs", "0", registry=project_copy), "--epochs must be positive")
    empty = tmp_path / "empty.yaml"
    empty.write_text("version: 1\napps: {}\n")
    assert_one_line_error(orch("train-router", registry=empty), "no apps to route")
