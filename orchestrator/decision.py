"""Call or no call, and which app: the router's view pooled with the candidate adapters' own.

Two classifiers see each request. The router (MiniLM, trained on every app and on real requests
no app serves) gives ``p``, the probability that a candidate app serves it. The candidate's
adapter, whose first token is one of its functional tokens or its end token ("no call"), gives
``q``, its probability of a call; it reads the whole request with the app's own training, hard
negatives included ("rate this book" for DoorDash). Taken as independent evidence with a uniform
prior, they pool in log-odds: ``s = pq / (pq + (1-p)(1-q))``. The best candidate makes a call
when ``s`` reaches ``router.threshold``. So a router miss can be rescued (a low ``p``, a sure
adapter) and an adapter can veto (a likely app, an adapter that says "not mine").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orchestrator.decoder import NO_CALL


@dataclass
class Candidate:
    app: str
    router: float
    adapter: float | None = None

    @property
    def score(self) -> float:
        return pooled(self.router, self.adapter if self.adapter is not None else 0.5)


@dataclass
class Verdict:
    """How one request was decided: each candidate's two views and the pooled score."""

    app: str | None
    threshold: float
    candidates: list[Candidate] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "app": self.app,
            "threshold": self.threshold,
            "candidates": [
                {"app": c.app, "router": round(c.router, 4), "adapter": _round(c.adapter), "score": round(c.score, 4)}
                for c in self.candidates
            ],
        }


def pooled(p: float, q: float) -> float:
    """Two independent probabilities of the same event, pooled with a uniform prior."""
    eps = 1e-6
    p, q = min(max(p, eps), 1 - eps), min(max(q, eps), 1 - eps)
    return p * q / (p * q + (1 - p) * (1 - q))


def call_probability(first_token_scores: dict[str, float]) -> float:
    """An adapter's probability of a call: one minus its end token's share."""
    return 1.0 - first_token_scores.get(NO_CALL, 0.0)


def decide(candidates: list[Candidate], threshold: float) -> Verdict:
    """The best-scoring candidate if its pooled score reaches the threshold, else no app."""
    best = max(candidates, key=lambda c: c.score, default=None)
    app = best.app if best is not None and best.score >= threshold else None
    return Verdict(app, threshold, candidates)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
