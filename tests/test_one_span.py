"""An optional value that the request says only inside another value of the call is dropped."""

from __future__ import annotations

import pytest

from orchestrator.request.grounding import DROPPED
from orchestrator.request.one_span import one_value_per_span

from .conftest import premise_calls

ETHIOPIAN = {"term": "Ethiopian restaurants", "location": "Ethiopian"}


@pytest.mark.parametrize(
    ("app", "function", "query", "arguments", "kept"),
    [
        ("yelp", "search_businesses", "are there any good Ethiopian restaurants near me", ETHIOPIAN,
         {"term": "Ethiopian restaurants"}),
        ("yelp", "search_businesses", "finde eine beliebte Churrascaria",
         {"term": "beliebte Churrascaria", "location": "Churrascaria"}, {"term": "beliebte Churrascaria"}),
        ("yelp", "search_businesses", "找北京烤鸭", {"term": "北京烤鸭", "location": "北京"}, {"term": "北京烤鸭"}),
        ("doordash", "order_food", "点两份宫保鸡丁", {"item": "宫保鸡丁", "restaurant": "宫保鸡丁", "quantity": 2},
         {"item": "宫保鸡丁", "quantity": 2}),
        # Said twice: two values.
        ("yelp", "get_business_reviews", "reviews for boston beer works in boston",
         {"business_name": "boston beer works", "location": "boston"}, None),
        # Inside, not at an edge.
        ("yelp", "search_businesses", "new york pizza", {"term": "new york pizza", "location": "york"}, None),
        # A required value stays: the wider one may be the wrong one.
        ("yelp", "search_businesses", "pizza plaza", {"term": "pizza", "location": "pizza plaza"}, None),
        # A time is its own rules' (``value_frame.when_apart_from_other_values``).
        ("android", "create_calendar_event", "dinner until 8",
         {"title": "dinner until 8", "start_time": "dinner", "end_time": "8"}, None),
        # A part of a word is no word of it.
        ("yelp", "search_businesses", "thai food in thailand", {"term": "thai food", "location": "thailand"}, None),
    ],
)  # fmt: skip
def test_a_value_inside_another_is_dropped(builtin_registry, app, function, query, arguments, kept) -> None:
    fn = builtin_registry.app(app).function(function)
    result, dropped = one_value_per_span(fn, arguments, query)
    assert result == (arguments if kept is None else kept)
    assert dropped == {name: DROPPED for name in set(arguments) - set(result)}


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_call_has_a_value_inside_another(project_registry, builtin_registry, app: str) -> None:
    """The rule's premise: no call the adapters learnt (committed training data, English and other
    languages, and generated requests in every phrasebook language) has an optional value that its
    request says once, inside another of its values."""
    calls = premise_calls(project_registry, builtin_registry, app)
    assert len(calls) > 1500
    assert not [query for fn, arguments, query in calls if one_value_per_span(fn, arguments, query)[1]]


def test_one_span_one_value_end_to_end(orchestrator) -> None:
    """Router, adapter and rules: the adapter wrote the cuisine as the place too."""
    call = orchestrator.run("are there any good Ethiopian restaurants near me that are open now")
    assert (call.function, call.arguments.get("term"), call.arguments.get("location")) == (
        "search_businesses",
        "Ethiopian restaurants",
        None,
    )
