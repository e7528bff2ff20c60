"""`orch eval --operating-points`: the decision read with its threshold moved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestrator.evaluation.operating import Judged, judged, operating_points
from orchestrator.request.decision import Candidate, Verdict

from .test_eval import ROWS, orch


def test_each_point_calls_at_most_its_share_of_the_out_of_scope_requests() -> None:
    """20 requests no app serves (one has no candidate) and 6 in scope. At 5% one out-of-scope
    request may be called: the threshold moves to just above the second highest, and the in-scope
    requests above it that went to their own app count (not the one given to another app, nor the
    one without a candidate)."""
    outside = [0.5, 0.2, -0.1] + [-0.5 - i / 100 for i in range(16)]
    rows = [Judged(m, "a", None) for m in outside] + [Judged(None, None, None)]
    rows += [
        Judged(0.6, "a", "a"),
        Judged(0.3, "b", "b"),
        Judged(0.25, "a", "b"),  # given to another app
        Judged(-0.05, "a", "a"),  # below the committed threshold, above the 10% point
        Judged(-0.3, "b", "b"),
        Judged(None, None, "a"),
    ]
    result = operating_points(rows, rates=(0.05, 0.10))
    assert result["in_scope_n"] == 6 and result["out_of_scope_n"] == 20
    assert result["committed"] == {"false_call_rate": 0.1, "in_scope_app": round(2 / 6, 4)}
    five, ten = result["points"]
    assert five == {"false_call_rate": 0.05, "at_most": 0.05, "in_scope_app": round(2 / 6, 4), "margin": 0.2}
    assert ten == {"false_call_rate": 0.1, "at_most": 0.10, "in_scope_app": 0.5, "margin": -0.1}


def test_ties_at_the_cut_stay_out_and_a_set_without_both_kinds_has_no_points() -> None:
    rows = [Judged(0.2, "a", None)] * 3 + [Judged(-1.0, "a", None)] * 17 + [Judged(0.3, "a", "a")]
    (point,) = operating_points(rows, rates=(0.05,))["points"]
    assert point["false_call_rate"] == 0.0 and point["in_scope_app"] == 1.0
    assert operating_points([Judged(0.3, "a", "a")]) == {}
    assert operating_points([Judged(0.3, "a", None)]) == {}


def test_the_best_candidate_is_the_one_the_veto_leaves() -> None:
    """A candidate whose adapter is below the veto never calls (``decide``), however high its
    pooled score: the margin is the eligible one's."""
    candidates = [Candidate("a", 0.9, 0.05, 0.9), Candidate("b", 0.6, 0.8, 0.7), Candidate("c", 0.4, None, 0.4)]
    verdict = Verdict(None, 0.5, candidates, veto=0.1)
    got = judged(verdict, "b")
    assert got.app == "b" and got.margin == pytest.approx(0.2) and got.wanted == "b"
    assert judged(Verdict(None, 0.5, [Candidate("a", 0.9, 0.01, score=0.9)], veto=0.1), None).margin is None


def test_eval_reports_operating_points_from_the_committed_views(tmp_path: Path) -> None:
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    result = orch("eval", "--data", str(data), "--json", "--operating-points")
    assert result.exit_code == 0, result.output
    points = json.loads(result.output)["operating_points"]
    assert points["in_scope_n"] == 2 and points["out_of_scope_n"] == 1
    # Both calls go to their app, 0.42 and 0.43 above the threshold (bf16 and float32 alike at such
    # a margin); "what's the capital of Peru" has no candidate.
    assert points["committed"] == {"false_call_rate": 0.0, "in_scope_app": 1.0}
    table = orch("eval", "--data", str(data), "--operating-points")
    assert "operating points (app level" in table.output and "false calls <= 5%" in table.output
    refused = orch("eval", "--data", str(data), "--app", "vehicle", "--operating-points")
    assert refused.exit_code == 2
    assert refused.output.strip() == "orch: error: --operating-points reads the routed decision: --app does not apply"
