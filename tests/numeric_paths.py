"""Compare the calls of two numeric paths that compute the same model: float32 against bf16 or
q8_0 weights, a batch against one request at a time, vLLM against orch.

Two such paths round differently, and how differently depends on the CPU (native bf16, AMX, AVX2
kernels): a decision whose score sits on its boundary may fall either way on a given machine. So
the numbers behind each decision are compared everywhere, within ``SCORE_TOLERANCE``, and the
decision itself only where both paths are clear of its boundary by ``DECISION_MARGIN``:

* the call decision of a routed request: the winner's pooled score and the threshold, and each
  candidate adapter's call probability and the veto, apart by ``VETO_LOGIT_MARGIN`` in log-odds
  (a veto is a small probability: 0.002 and 0.01 are far apart, 0.40 and 0.41 are not);
* the app: the two best candidates' pooled scores;
* the function: the two best first-token probabilities over the app's functional and end tokens.

Arguments are compared on the rows whose decisions are all clear. Each argument token is a decision
too (say, whether an optional value follows), whose margin a call does not carry: so arguments may
differ on at most ``ARGUMENT_SLACK`` of the clear rows, the app and function on none. A comparison
must keep most rows (``MIN_CLEAR``), so that a path that drifted far cannot pass by making every
row unclear.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orchestrator.calls import Call
from orchestrator.engines.constraints import NO_CALL
from orchestrator.request.decision import logit

# How far from a boundary (in probability) a decision must be, on both paths, to be compared.
DECISION_MARGIN = 0.05
# How far two paths' probabilities may lie apart: pooled scores and first-token probabilities.
# Measured worst cases: 0.04 (q8_0 vs float32 pooled score, "address of Nobu Malibu"); first-token
# probabilities of bf16 vs float32 within 0.03 on dev requests. 0.1 leaves room for other CPUs.
SCORE_TOLERANCE = 0.1
# How far (in log-odds) an adapter's call probability must be from the veto: a factor of e.
VETO_LOGIT_MARGIN = 1.0
# The share of clear rows whose arguments may differ (an optional value written by one path only).
ARGUMENT_SLACK = 0.1
# The share of rows whose decisions must be clear, so the comparison compares something.
MIN_CLEAR = 0.75


@dataclass
class Comparison:
    """What two paths' calls share: rows compared, rows left out near a boundary, and the
    disagreements (numbers beyond the tolerance, or clear decisions that differ)."""

    compared: int = 0
    near_boundary: list[str] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)
    other_arguments: list[str] = field(default_factory=list)

    def check(self, min_clear: float = MIN_CLEAR) -> None:
        rows = self.compared + len(self.near_boundary)
        assert not self.disagreements, "\n".join(self.disagreements)
        assert len(self.other_arguments) <= ARGUMENT_SLACK * self.compared, "\n".join(self.other_arguments)
        assert rows and self.compared / rows >= min_clear, (
            f"only {self.compared} of {rows} rows clear of a boundary by {DECISION_MARGIN}: {self.near_boundary}"
        )


def _top_two(scores: dict[str, float]) -> list[tuple[str, float]]:
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    return ranked[:2] + [("", 0.0)] * (2 - len(ranked[:2]))


def _pooled(call: Call) -> dict[str, float]:
    return {c["app"]: c["score"] for c in call.decision.get("candidates", [])}


def _far_apart(name: str, a: dict[str, float], b: dict[str, float]) -> list[str]:
    return [
        f"{name} {key}: {a[key]} vs {b[key]}" for key in a.keys() & b.keys() if abs(a[key] - b[key]) > SCORE_TOLERANCE
    ]


def _clear(call: Call, threshold: float | None) -> bool:
    """Whether every decision behind ``call`` is clear of its boundary by ``DECISION_MARGIN``.
    A routed call's function is the best functional token (the pooled decision said "call"); a
    request sent to one app takes the best of its functional tokens and its end token."""
    pooled = _pooled(call)
    if pooled and threshold is not None:
        (_, best), (_, second) = _top_two(pooled)
        if abs(best - threshold) < DECISION_MARGIN or best - second < DECISION_MARGIN:
            return False
    veto = call.decision.get("veto", 0.0)
    adapters = [c["adapter"] for c in call.decision.get("candidates", []) if c["adapter"] is not None]
    if veto > 0 and any(abs(logit(adapter) - logit(veto)) < VETO_LOGIT_MARGIN for adapter in adapters):
        return False
    scores = call.function_scores
    if pooled:
        scores = {name: p for name, p in scores.items() if name != NO_CALL} if call.is_call else {}
    if scores:
        (_, best), (_, second) = _top_two(scores)
        if best - second < DECISION_MARGIN:
            return False
    return True


def compare_calls(reference: list, other: list, threshold: float | None = None) -> Comparison:
    """Compare ``other``'s calls with ``reference``'s, row by row. ``threshold`` is the router's
    call threshold, for routed requests (their calls carry each candidate's pooled score)."""
    assert len(reference) == len(other)
    comparison = Comparison()
    for want, got in zip(reference, other, strict=True):
        if not isinstance(want, Call) or not isinstance(got, Call):
            comparison.disagreements.append(f"{want!r} vs {got!r}")
            continue
        query = want.query
        comparison.disagreements += [
            f"{query!r}: {line}"
            for line in _far_apart("pooled", _pooled(want), _pooled(got))
            + _far_apart("first token", want.function_scores, got.function_scores)
        ]
        if not (_clear(want, threshold) and _clear(got, threshold)):
            comparison.near_boundary.append(query)
            continue
        comparison.compared += 1
        if (want.app, want.function) != (got.app, got.function):
            comparison.disagreements.append(f"{query!r}: {want.summary()} vs {got.summary()}")
        elif want.arguments != got.arguments:
            comparison.other_arguments.append(f"{query!r}: {want.summary()} vs {got.summary()}")
    return comparison


def assert_same_classes(reference, other) -> None:
    """Two paths' class probabilities ([rows, classes] tensors) pick the same class on every row
    where both are clear of a tie (their two best classes ``DECISION_MARGIN`` apart), and most rows
    are (``MIN_CLEAR``)."""

    def margin(probs) -> float:
        top = probs.topk(2).values
        return float(top[0] - top[1])

    clear = [i for i in range(len(reference)) if min(margin(reference[i]), margin(other[i])) >= DECISION_MARGIN]
    assert len(clear) >= MIN_CLEAR * len(reference)
    assert reference[clear].argmax(dim=1).tolist() == other[clear].argmax(dim=1).tolist()
