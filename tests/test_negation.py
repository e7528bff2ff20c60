"""A request that rules out a function's action gets no call of it."""

from __future__ import annotations

import pytest

from orchestrator.catalog import builtin_tools
from orchestrator.request.negation import told_not_to

from .conftest import committed_training_calls

FUNCTIONS = {fn.name: fn for app in ("vehicle", "yelp", "doordash", "android") for fn in builtin_tools(app)[1]}


def test_a_negation_inside_a_value_rules_nothing_out() -> None:
    fn = FUNCTIONS["send_text_message"]
    query = "text mom don't send me money"
    call = {"contact_name": "mom", "message": "don't send me money"}
    assert told_not_to(fn, query) and not told_not_to(fn, query, call)


@pytest.mark.parametrize(
    ("function", "query", "refused"),
    [
        ("make_phone_call", "don't call mom", True),
        ("make_phone_call", "please do not call John tonight", True),
        ("send_text_message", "never send that text to Sarah", True),
        ("set_alarm", "don’t set an alarm for tomorrow", True),
        ("order_food", "don't ever order from that place again", True),
        ("make_phone_call", "call mom", False),
        ("make_phone_call", "call mom, don't text her", False),  # the negated word is no name word
        ("set_volume", "don't set it too loud, set it to 30", False),  # said again plainly
        ("set_do_not_disturb", "don't disturb me", False),  # the function's name is negated
        ("toggle_wifi", "don't keep the wifi on", False),
        ("create_calendar_event", "don't let me forget the dentist on friday", False),
    ],
)
def test_a_request_that_rules_out_the_action(function: str, query: str, refused: bool) -> None:
    assert told_not_to(FUNCTIONS[function], query) == refused


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_call_is_ruled_out(project_registry, app: str) -> None:
    """The rule's premise on the committed training data: no request that targets a call says
    its function's action only negated."""
    calls = committed_training_calls(project_registry, app)
    assert calls
    assert not [row["query"] for fn, arguments, query, row in calls if told_not_to(fn, query, arguments)]


def test_no_call_end_to_end(orchestrator) -> None:
    """Router and adapters end to end: the adapters called mom for "don't call mom"."""
    assert orchestrator.run("don't call mom").function is None
    assert orchestrator.run("don't call mom", app="android").function is None
    assert orchestrator.run("call mom").function == "make_phone_call"
