"""The router's encoder and decisions."""

from __future__ import annotations

import torch

from orchestrator.request.encoder import PipelineEncoder, plain_pipeline
from orchestrator.request.router import encoder_path, load_encoder


def test_fast_encoder_matches_sentence_transformers() -> None:
    from sentence_transformers import SentenceTransformer

    path = encoder_path()
    assert plain_pipeline(path) == ("mean", True, 256)
    fast = load_encoder()
    assert isinstance(fast, PipelineEncoder)
    reference = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    texts = ["order a pizza from Joe's", "turn off the AC", "what's the capital of Peru", "x" * 3000]
    want = reference.encode(texts, convert_to_tensor=True, normalize_embeddings=True)
    got = fast.encode(texts, normalize_embeddings=True)
    assert torch.allclose(got, want, atol=1e-5)


def test_routes_and_refuses(orchestrator) -> None:
    router = orchestrator.router
    assert router.route("reserve a table for two at Nobu tonight").app == "yelp"
    assert router.route("roll down the rear left window").app == "vehicle"
    assert router.route("write a poem about autumn leaves").app is None
    scores = router.route("order sushi").scores
    assert set(scores) == {"android", "vehicle", "yelp", "doordash", "none"}


def test_router_head_is_a_calibrated_classifier(orchestrator) -> None:
    router = orchestrator.router
    probs = router.probabilities(["reserve a table for two at Nobu tonight", "how do I improve my credit score"])
    assert torch.allclose(probs.sum(dim=1), torch.ones(2), atol=1e-5)
    assert router.classes[-1] == "<none>" and float(probs[1, -1]) > 0.5
    route = router.route("reserve a table for two at Nobu tonight")
    assert route.candidates[0][0] == "yelp" and all(p >= router.floor for _, p in route.candidates)


def test_router_learns_none_from_real_requests_it_never_saw(orchestrator) -> None:
    """The corpus's held-out fifth: real requests, never trained on, in scope and out of it."""
    from orchestrator.corpus import content_words, is_heldout, load_corpus, words_of

    router = orchestrator.router
    words = content_words(list(orchestrator.registry.apps.values()))
    heldout = [line for line in load_corpus() if is_heldout(line)]
    served = [line for line in heldout if line.app][:150]
    unserved = [line for line in heldout if line.app is None and not (words & words_of(line.text))][::10]
    for lines, label in ((served, "in scope"), (unserved, "out of scope")):
        probs = router.probabilities([line.text for line in lines])
        picks = [router.classes[i] for i in probs.argmax(dim=1).tolist()]
        hits = sum(pick == (line.app or "<none>") for pick, line in zip(picks, lines, strict=True))
        assert hits / len(lines) >= 0.85, (label, hits, len(lines))


def test_a_new_app_refits_the_head_and_keeps_its_own_requests(builtin_registry, tmp_path) -> None:
    """Shipped "none" requests that mention a new app's function words are not held against it."""
    from orchestrator.corpus import content_words, words_of
    from orchestrator.registry import tools_from_file
    from orchestrator.request.router import Router, _corpus_none_mask, corpus_none_texts

    from .conftest import DATA

    description, functions = tools_from_file(DATA / "smarthome.json")
    app = builtin_registry.add_app("smarthome", description, functions)
    texts = [text for lines in corpus_none_texts().values() for text in lines]
    mask = _corpus_none_mask(texts, builtin_registry)
    words = content_words([app])
    assert words and not any(words & words_of(t) for t, keep in zip(texts, mask.tolist(), strict=True) if keep)
    assert any(words & words_of(t) for t in texts)  # there were some to drop
    router = Router(builtin_registry)
    assert router.classes == [*builtin_registry.apps, "<none>"]
    # One sub-class per function at least, each mapped to its app; the class columns sum to 1.
    smarthome = router.classes.index("smarthome")
    assert int((router.parent == smarthome).sum()) >= len(app.functions)
    assert torch.allclose(router.probabilities(["turn on the kitchen lights"]).sum(dim=1), torch.ones(1))
