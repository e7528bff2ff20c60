"""The call-or-not decision: the router's and the adapters' views pooled, rescue and veto."""

from __future__ import annotations

import pytest

from orchestrator.request.decision import Candidate, call_probability, decide, pooled, reachable


def test_pooling_is_symmetric_and_neutral_at_one_half() -> None:
    assert pooled(0.7, 0.5) == pytest.approx(0.7)
    assert pooled(0.3, 0.8) == pytest.approx(pooled(0.8, 0.3))
    assert pooled(0.9, 0.9) > 0.9 and pooled(0.1, 0.1) < 0.1
    assert 0.0 < pooled(0.0, 1.0) < 1.0  # clamped: neither view alone is certain


def test_an_adapter_vetoes_a_likely_app() -> None:
    verdict = decide([Candidate("android", 0.8, adapter=0.05)], threshold=0.5)
    assert verdict.app is None and verdict.candidates[0].score < 0.5


def test_an_adapter_rescues_a_router_miss() -> None:
    """The router's second choice wins when its adapter is sure and the first's says "not mine"."""
    candidates = [Candidate("doordash", 0.55, adapter=0.02), Candidate("yelp", 0.35, adapter=0.97)]
    verdict = decide(candidates, threshold=0.5)
    assert verdict.app == "yelp"
    assert verdict.to_json()["candidates"][1] == {"app": "yelp", "router": 0.35, "adapter": 0.97, "score": 0.9457}


def test_an_adapter_below_the_veto_is_never_made_to_call() -> None:
    """ "cancel the timer": the router likes android, whose adapter is all but sure there is nothing
    to call. The pooled score alone would call, and the decoder would have to write a timer."""
    pooling = (2.05, 0.23, 1.17)
    sure_no = Candidate("android", 0.56, adapter=0.0006)
    assert decide([sure_no], threshold=0.36, pooling=pooling).app == "android"  # no veto
    verdict = decide([sure_no], threshold=0.36, pooling=pooling, veto=0.01)
    assert sure_no.score >= 0.36 and verdict.app is None and verdict.to_json()["veto"] == 0.01
    # An adapter merely unsure ("what's this week's weather", no place said) still calls.
    assert decide([Candidate("android", 0.84, adapter=0.24)], threshold=0.36, pooling=pooling, veto=0.01).app


def test_a_vetoed_adapter_leaves_the_call_to_the_next_candidate() -> None:
    first, second = Candidate("android", 0.7, adapter=0.002), Candidate("vehicle", 0.25, adapter=0.99)
    assert decide([first, second], threshold=0.5, veto=0.01).app == "vehicle"


def test_no_candidate_means_no_call() -> None:
    assert decide([], threshold=0.5).app is None


def test_a_candidate_that_cannot_reach_the_threshold_is_not_asked() -> None:
    """Leaving out an unreachable candidate never changes a decision: no adapter could lift it."""
    pooling = (1.2, 0.3, -0.5)
    for p in [i / 100 for i in range(1, 100)]:
        best = decide([Candidate("a", p, adapter=1.0)], 0.42, pooling).app
        assert reachable(p, 0.42, pooling) == (best == "a")
    assert not reachable(0.05, 0.42, pooling) and reachable(0.3, 0.42, pooling)


def test_call_probability_is_one_minus_the_end_token() -> None:
    assert call_probability({"order_food": 0.7, "track_order": 0.1, "<no call>": 0.2}) == pytest.approx(0.8)


def test_pooling_weights_learn_which_view_to_trust() -> None:
    """An adapter that is sure of everything earns a small weight; a router that is right earns a large one."""
    import random

    from orchestrator.apps import fit_pooling

    rng = random.Random(0)
    rows = []
    for _ in range(400):
        right = rng.random() < 0.5
        p = rng.uniform(0.6, 0.95) if right else rng.uniform(0.05, 0.4)
        q = rng.choice([0.99999, 0.00001, 0.99999])  # over-confident and uninformative
        rows.append((p, q, right, 1.0))
    router_weight, adapter_weight, _ = fit_pooling(rows)
    assert router_weight > 1.0 and abs(adapter_weight) < 0.2
    verdict = decide([Candidate("android", 0.2, adapter=0.99999)], 0.5, fit_pooling(rows))
    assert verdict.app is None  # the sure adapter no longer outvotes an unlikely route


def test_the_veto_is_the_greatest_that_costs_no_more_than_sampling_error() -> None:
    """A veto that costs one request more on the calibration requests is kept: they cannot tell
    it apart from the cheapest. One that costs clearly more is not."""
    from orchestrator.apps import greatest_veto_within_error

    def costs(wrong: int, missed: int) -> list[float]:  # 200 requests, each weighted 1/200
        return [0.01] * wrong + [0.005] * missed + [0.0] * (200 - wrong - missed)

    # Two thresholds per veto; the cheapest decision (veto 0.003) costs 0.10 with a standard error
    # of about 0.03. Veto 0.1 costs one missed request more, veto 0.3 twenty more.
    table = {
        0.0: [costs(9, 4), costs(12, 2)],
        0.003: [costs(8, 4), costs(12, 3)],
        0.1: [costs(8, 5), costs(10, 9)],
        0.3: [costs(8, 24), costs(9, 30)],
    }
    assert greatest_veto_within_error(table) == 0.1
    table[0.1] = [costs(8, 14), costs(9, 20)]  # now ten more: beyond the error
    assert greatest_veto_within_error(table) == 0.003


def test_a_fitted_decision_calls_where_the_views_say_so_and_refuses_the_rest() -> None:
    """``fit_decision`` on requests whose router view separates served from unserved ones: the
    fitted decision calls the served ones and refuses the others."""
    import random

    from orchestrator.apps import fit_decision
    from orchestrator.request.decision import Verdict

    rng = random.Random(0)
    requests = []
    for i in range(300):
        served = i % 3 != 0
        p = rng.uniform(0.6, 0.95) if served else rng.uniform(0.02, 0.35)
        q = rng.uniform(0.9, 0.9999) if served else rng.uniform(0.3, 0.9999)
        requests.append((Verdict(None, 0.5, [Candidate("yelp", p, q)]), "yelp" if served else None))
    threshold, pooling, veto = fit_decision(requests)
    picks = [decide(v.candidates, threshold, pooling, veto).app for v, _ in requests]
    assert picks == [label for _, label in requests]
