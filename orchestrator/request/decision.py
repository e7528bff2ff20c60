"""Call or no call, and which app: the router's view pooled with the candidate adapters' own.

Two classifiers see each request. The router (a head over sentence embeddings, trained on every
app and on real requests no app serves) gives ``p``, the probability that a candidate app serves
it. The candidate's adapter, whose first token is one of its functional tokens or its end token
("no call"), gives ``q``, its probability of a call; it reads the whole request with the app's own
training, hard negatives included ("rate this book" for DoorDash). They pool in log-odds,
``s = sigmoid(a * logit(p) + b * logit(q) + c)``: with ``a = b = 1, c = 0`` that is two independent
pieces of evidence under a uniform prior; ``orch calibrate`` fits ``a, b, c`` (``router.pooling``)
by logistic regression on held-out requests, because a fine-tuned adapter is over-confident (it
gives "ai, shut up" a call probability of 0.99999) and must not outvote everything. The best
candidate makes a call when ``s`` reaches ``router.threshold``. So a router miss can be rescued
(a low ``p``, a sure adapter) and an adapter can veto (a likely app, an adapter that says "not
mine").

The pooled score gives the adapter little weight, and alone it would call where the adapter is all
but certain there is nothing to call ("cancel the timer": router 0.56, adapter 0.0006): the decoder
would then have to start a function the adapter did not want and write values for it. So a
candidate whose adapter's call probability is below ``router.veto`` never calls, whatever the
pooled score. ``orch calibrate`` fits the veto with the threshold (0 turns it off).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from orchestrator.engines.constraints import NO_CALL

EPS = 1e-4
Pooling = tuple[float, float, float]  # router weight, adapter weight, bias
INDEPENDENT: Pooling = (1.0, 1.0, 0.0)


@dataclass
class Candidate:
    app: str
    router: float
    adapter: float | None = None
    score: float = 0.0


@dataclass
class Verdict:
    """How one request was decided: each candidate's two views and the pooled score."""

    app: str | None
    threshold: float
    candidates: list[Candidate] = field(default_factory=list)
    veto: float = 0.0
    pooling: Pooling = INDEPENDENT

    def to_json(self) -> dict:
        return {
            "app": self.app,
            "threshold": self.threshold,
            "veto": self.veto,
            "candidates": [
                {"app": c.app, "router": round(c.router, 4), "adapter": _round(c.adapter), "score": round(c.score, 4)}
                for c in self.candidates
            ],
        }


def logit(p: float) -> float:
    p = min(max(p, EPS), 1 - EPS)
    return math.log(p / (1 - p))


def pooled(p: float, q: float, pooling: Pooling = INDEPENDENT) -> float:
    """The router's and the adapter's probability, pooled in log-odds with ``pooling``'s weights."""
    a, b, c = pooling
    z = a * logit(p) + b * logit(q) + c
    return 1 / (1 + math.exp(-z))


def reachable(p: float, threshold: float, pooling: Pooling = INDEPENDENT) -> bool:
    """Whether a candidate with router probability ``p`` can reach the threshold whatever its
    adapter says: one that cannot is not worth a row in the batch (the decision is unchanged)."""
    return max(pooled(p, EPS, pooling), pooled(p, 1 - EPS, pooling)) >= threshold


def call_probability(first_token_scores: dict[str, float]) -> float:
    """An adapter's probability of a call: one minus its end token's share."""
    return 1.0 - first_token_scores.get(NO_CALL, 0.0)


def decide(candidates: list[Candidate], threshold: float, pooling: Pooling = INDEPENDENT, veto: float = 0.0) -> Verdict:
    """The best-scoring candidate if its pooled score reaches the threshold, else no app. A
    candidate whose adapter's call probability is below ``veto`` is not eligible."""
    for c in candidates:
        c.score = pooled(c.router, c.adapter if c.adapter is not None else 0.5, pooling)
    best = best_eligible(candidates, veto)
    app = best.app if best is not None and best.score >= threshold else None
    return Verdict(app, threshold, candidates, veto, pooling)


def best_eligible(candidates: list[Candidate], veto: float) -> Candidate | None:
    """The best-scoring candidate whose adapter's call probability is not below ``veto``."""
    eligible = [c for c in candidates if c.adapter is None or c.adapter >= veto]
    return max(eligible, key=lambda c: c.score, default=None)


def redecide(verdict: Verdict) -> Verdict:
    """``verdict`` decided again on its candidates' current views, under its own calibration."""
    return decide(verdict.candidates, verdict.threshold, verdict.pooling, verdict.veto)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
