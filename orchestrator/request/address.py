"""An address says how a message travels: a message to an email address is an email. "send happy
new year to john@gmail dot com" came back as
``send_text_message(contact_name="john@gmail dot com", message="happy new year")``, a text
message no phone can deliver.

Where the adapter gave a function's one parameter that names a person (``values.kind_for``) an
email address, written ("john@gmail.com") or spoken ("john at gmail dot com"), and the function
carries a message, the call is the app's one function that takes an email address and a
message, with the values of each kind carried over (the address to its address, the message to
its message) and each required value it lacks asked for (a subject). Not decoded again: the
adapter had read the values, and the grammar of the other function would have made it write
them anew. An app without such a function keeps the call. No call the adapters learnt gives a
person's parameter an email address (``tests/test_address.py``).
"""

from __future__ import annotations

import re
from typing import Any

from orchestrator.registry import App, Function
from orchestrator.request.grounding import NEEDS_INPUT, NOT_WRITTEN
from orchestrator.request.value_frame import free_text_kinds

# An email address as written or as said: "jo@x.com", "jo@gmail dot com", "jo dot li at gmail dot com".
_EMAIL_ADDRESS = re.compile(
    r"^\S+(?:\s+dot\s+\S+)*(?:\s*@\s*|\s+at\s+)\S+(?:\s*(?:\.|\bdot\b)\s*[a-z]{2,})+$|@", re.IGNORECASE
)  # fmt: skip


def as_addressed(app: App, fn: Function, arguments: dict[str, Any]) -> tuple[Function, dict[str, Any], dict[str, str]]:
    """The call ``arguments`` make where ``app``'s adapter started ``fn``: that call, or where
    ``fn`` sends a message to a person its call names by an email address and ``app`` has one
    function that sends a message to an email address, that function's call with the values of
    each kind carried over and each required value it lacks asked for (module docstring); with
    what changed, as ``ground`` writes it."""
    kinds = free_text_kinds(fn)
    people = [name for name, kind in kinds.items() if kind == "person"]
    if len(people) != 1 or "message" not in kinds.values() or not _is_email_address(arguments.get(people[0])):
        return fn, arguments, {}
    emailing = [
        other
        for other in app.functions
        if other is not fn and {"email", "message"} <= set(free_text_kinds(other).values())
    ]
    if len(emailing) != 1:
        return fn, arguments, {}
    target = emailing[0]
    target_kinds = free_text_kinds(target)
    carried = {}
    for name, value in arguments.items():
        kind = "email" if name == people[0] else kinds.get(name)
        matching = [other for other, other_kind in target_kinds.items() if other_kind == kind]
        if kind is not None and len(matching) == 1:
            carried[matching[0]] = value
    asked = {
        name: f"{NOT_WRITTEN} -> {NEEDS_INPUT}" for name in target.parameters.get("required", []) if name not in carried
    }
    return target, carried, asked


def _is_email_address(value: Any) -> bool:
    return isinstance(value, str) and bool(_EMAIL_ADDRESS.search(value.strip()))
