"""The router's encoder and decisions."""

from __future__ import annotations

import torch

from orchestrator.encoder import PipelineEncoder, plain_pipeline
from orchestrator.router import encoder_path, load_encoder


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
