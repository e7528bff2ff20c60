"""``--execute``: hand a call to the Python handler registered for its app.

The built-in apps ship demo handlers that say what they would do; a real integration registers
its own with ``register_handler("doordash", fn)`` where ``fn(function, arguments) -> str``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from orchestrator.calls import Call

Handler = Callable[[str, dict[str, Any]], str]
_HANDLERS: dict[str, Handler] = {}


def register_handler(app: str, handler: Handler) -> None:
    _HANDLERS[app] = handler


def _demo(app: str) -> Handler:
    def handler(function: str, arguments: dict[str, Any]) -> str:
        args = ", ".join(f"{k}={json.dumps(v)}" for k, v in arguments.items()) or "no arguments"
        return f"[{app} demo] would call {function} with {args}"

    return handler


for _app in ("android", "vehicle", "yelp", "doordash"):
    register_handler(_app, _demo(_app))


def dispatch(call: Call) -> str:
    """Run the app's handler for this call; apps without one get the demo handler."""
    handler = _HANDLERS.get(call.app or "") or _demo(call.app or "?")
    return handler(call.function or "", call.arguments)
