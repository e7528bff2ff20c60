"""The decision's operating curve on a labelled set (``orch eval --operating-points``).

The committed threshold is one point that ``orch calibrate`` chose. Two adapters for an app (two
seeds, two recipes) put the same requests at different points: a more eager adapter calls more of
the set's requests, in scope and out of it, so comparing them at the threshold compares how eager
they are as much as how well they separate. Here the threshold is moved instead until a given share
of the set's out-of-scope requests would be called, and the share of in-scope requests given to
their own app is read there. The views are ``Orchestrator.judge``'s (the router's and each
candidate adapter's, from prefills, under the committed pooling and veto), so this is the app-level
decision: the function the decoder would pick and the rules after the decision are not in it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from orchestrator.errors import OrchError
from orchestrator.evaluation.evaluate import EvalRow
from orchestrator.request.decision import Verdict, best_eligible
from orchestrator.request.orchestrator import Orchestrator, check_query

FALSE_CALL_RATES = (0.04, 0.05, 0.06)


@dataclass(frozen=True)
class Judged:
    """One labelled request as the decision sees it: how far its best eligible candidate is above
    its threshold (negative: below; ``None``: no candidate), that candidate's app, and the app
    the label wants (``None``: none serves it)."""

    margin: float | None
    app: str | None
    wanted: str | None


def judged(verdict: Verdict, wanted: str | None) -> Judged:
    """``verdict``'s best candidate that the veto leaves eligible, as ``decide`` picks it."""
    best = best_eligible(verdict.candidates, verdict.veto)
    if best is None:
        return Judged(None, None, wanted)
    return Judged(best.score - verdict.threshold, best.app, wanted)


def operating_points(rows: Sequence[Judged], rates: Sequence[float] = FALSE_CALL_RATES) -> dict[str, Any]:
    """In-scope requests given to their own app at the committed threshold and where each of
    ``rates`` of the out-of-scope requests would be called (at most that share: ties stay out).
    Empty where the set has no in-scope or no out-of-scope request."""
    outside = sorted((r.margin for r in rows if r.wanted is None and r.margin is not None), reverse=True)
    out_n = sum(r.wanted is None for r in rows)
    inside = [r for r in rows if r.wanted is not None]
    if not out_n or not inside:
        return {}

    def right_app(above: Callable[[float], bool]) -> float:
        right = sum(r.margin is not None and above(r.margin) and r.app == r.wanted for r in inside)
        return round(right / len(inside), 4)

    points = []
    for rate in rates:
        allowed = int(rate * out_n)
        cut = outside[allowed] if allowed < len(outside) else None
        called = sum(cut is None or margin > cut for margin in outside)
        points.append(
            {
                "false_call_rate": round(called / out_n, 4),
                "at_most": rate,
                "in_scope_app": right_app(lambda m, cut=cut: cut is None or m > cut),
                "margin": None if cut is None else round(cut, 4),
            }
        )
    return {
        "in_scope_n": len(inside),
        "out_of_scope_n": out_n,
        "committed": {
            "false_call_rate": round(sum(m >= 0 for m in outside) / out_n, 4),
            "in_scope_app": right_app(lambda m: m >= 0),
        },
        "points": points,
    }


def measure(orchestrator: Orchestrator, rows: Sequence[EvalRow]) -> dict[str, Any]:
    """The operating points of ``rows`` from the views ``orchestrator`` judges them with. A row
    the request path would refuse to read (longer than ``decoding.max_query_chars``) has no
    candidate, as it gets no call.

    A second pass beside ``evaluate``'s, not a reading of its calls' decisions: the request path
    asks no adapter for a candidate that cannot reach the committed threshold, and the points
    below that threshold need those candidates' views (``judge`` reads every candidate)."""
    limit = orchestrator.registry.max_query_chars
    readable = [i for i, row in enumerate(rows) if _readable(row.query, limit)]
    verdicts = dict(zip(readable, orchestrator.judge([rows[i].query for i in readable]), strict=True))
    return operating_points(
        [judged(verdicts[i], row.app) if i in verdicts else Judged(None, None, row.app) for i, row in enumerate(rows)]
    )


def _readable(query: str, limit: int) -> bool:
    try:
        check_query(query, limit)
    except OrchError:
        return False
    return True


def format_points(result: dict[str, Any]) -> str:
    """One line per point, for ``orch eval``'s table."""
    committed = result["committed"]
    lines = [
        f"operating points (app level, threshold moved; {result['in_scope_n']} in scope, "
        f"{result['out_of_scope_n']} out of scope):",
        f"  committed threshold   in scope to its app {committed['in_scope_app']:.1%}   "
        f"false calls {committed['false_call_rate']:.1%}",
    ]
    lines += [
        f"  false calls <= {p['at_most']:.0%}     in scope to its app {p['in_scope_app']:.1%}   "
        f"false calls {p['false_call_rate']:.1%}"
        for p in result["points"]
    ]
    return "\n".join(lines)
