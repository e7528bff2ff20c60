"""A message to an email address is the app's email, with the values of each kind carried over."""

from __future__ import annotations

import pytest

from orchestrator.registry import Registry, tools_from_file
from orchestrator.request.address import as_addressed
from orchestrator.request.grounding import NEEDS_INPUT, NOT_WRITTEN

from .conftest import DATA, premise_calls

ASKS_FOR_THE_SUBJECT = {"title": f"{NOT_WRITTEN} -> {NEEDS_INPUT}"}


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"contact_name": "john@gmail dot com", "message": "happy new year"},
         {"recipient": "john@gmail dot com", "content": "happy new year"}),
        ({"contact_name": "jo dot li at acme dot org", "message": "see you"},
         {"recipient": "jo dot li at acme dot org", "content": "see you"}),
        ({"contact_name": "jo@acme.com"}, {"recipient": "jo@acme.com"}),
    ],
)  # fmt: skip
def test_a_text_to_an_email_address_is_an_email(builtin_registry, arguments, expected) -> None:
    android = builtin_registry.app("android")
    fn, carried, asked = as_addressed(android, android.function("send_text_message"), arguments)
    assert (fn.name, carried) == ("send_email", expected)
    assert asked == {
        name: f"{NOT_WRITTEN} -> {NEEDS_INPUT}" for name in ("recipient", "title", "content") if name not in expected
    }


@pytest.mark.parametrize(
    ("function", "arguments"),
    [
        ("send_text_message", {"contact_name": "bob at work", "message": "running late"}),  # a place, no address
        ("send_text_message", {"contact_name": "mom", "message": "mail me at jo@acme.com"}),  # the message's
        ("make_phone_call", {"contact_name": "jo@acme.com"}),  # carries no message
        ("send_email", {"recipient": "jo@acme.com", "title": "hi", "content": "hello"}),
    ],
)
def test_other_calls_stand(builtin_registry, function: str, arguments: dict) -> None:
    android = builtin_registry.app("android")
    fn = android.function(function)
    assert as_addressed(android, fn, arguments) == (fn, arguments, {})


def test_an_app_without_an_email_function_keeps_its_call(tmp_path) -> None:
    registry = Registry(path=tmp_path / "registry.yaml")
    app = registry.add_app("smarthome", *tools_from_file(DATA / "smarthome.json"))
    for fn in app.functions:
        assert as_addressed(app, fn, {"contact_name": "jo@acme.com"}) == (fn, {"contact_name": "jo@acme.com"}, {})


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_call_sends_to_an_address_of_another_kind(project_registry, builtin_registry, app: str) -> None:
    """The rule's premise: no call the adapters learnt (committed training data, English and other
    languages, and generated requests in every phrasebook language) names a person by an email
    address."""
    application = project_registry.app(app)
    calls = premise_calls(project_registry, builtin_registry, app)
    assert len(calls) > 1500
    assert not [query for fn, arguments, query in calls if as_addressed(application, fn, arguments)[0] is not fn]


def test_a_message_to_an_email_address_end_to_end(orchestrator) -> None:
    """Router, adapter and rule: the adapter started a text message to the address."""
    call = orchestrator.run("send happy new year to john@gmail dot com")
    assert (call.function, call.arguments.get("recipient"), call.needs_input) == (
        "send_email",
        "john@gmail dot com",
        ["title"],
    )
