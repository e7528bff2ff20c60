"""What the model writes and what orch returns: ``<app_i>{json args}<app_end>`` -> ``Call``.

Training and decoding share these functions so the adapter learns exactly the text that the
grammar later allows: arguments as JSON in the schema's property order, ``json.dumps`` spacing.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from orchestrator.errors import OrchError
from orchestrator.registry import App, Function
from orchestrator.schema_check import first_error


@dataclass
class Call:
    """The answer to one request: an app and function with arguments, or no call at all."""

    query: str
    app: str | None
    function: str | None
    arguments: dict[str, Any] = field(default_factory=dict)
    grounded: dict[str, str] = field(default_factory=dict)
    # Required parameters the request gives no value for: the call is not made until they are.
    needs_input: list[str] = field(default_factory=list)
    router_scores: dict[str, float] = field(default_factory=dict)
    routed_app: str | None = None
    # The adapter that read it (``App.adapter_key``): the app's, or its adapter for other languages.
    adapter: str | None = None
    function_scores: dict[str, float] = field(default_factory=dict)
    generated_tokens: int = 0
    timings_ms: dict[str, float] = field(default_factory=dict)
    decision: dict[str, Any] = field(default_factory=dict)

    @property
    def is_call(self) -> bool:
        return self.function is not None

    @property
    def ready(self) -> bool:
        """A call that can run: a function with every required value from the request."""
        return self.is_call and not self.needs_input

    def tool_calls(self) -> list[dict[str, Any]]:
        """The OpenAI ``tool_calls`` list (arguments as a JSON string, as OpenAI sends them);
        empty for a call that needs input (see ``to_json``)."""
        if not self.ready:
            return []
        return [
            {
                "id": f"call_{uuid.uuid4().hex[:24]}",
                "type": "function",
                "function": {"name": self.function, "arguments": json.dumps(self.arguments)},
            }
        ]

    def to_json(self, explain: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"app": self.app, "tool_calls": self.tool_calls()}
        if self.needs_input:
            out["needs_input"] = {"function": self.function, "arguments": self.arguments, "missing": self.needs_input}
        if explain:
            data = asdict(self)
            out.update(
                {
                    k: data[k]
                    for k in (
                        "routed_app",
                        "adapter",
                        "grounded",
                        "router_scores",
                        "decision",
                        "function_scores",
                        "generated_tokens",
                        "timings_ms",
                    )
                }
            )
        return out

    def summary(self) -> str:
        """One human line: ``doordash.order_food(item="pizza")`` or a no-call line."""
        if not self.app:
            return "no app fits this request (no call)"
        if not self.is_call:
            return f"{self.app}: no function fits this request (no call)"
        args = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in self.arguments.items())
        line = f"{self.app}.{self.function}({args})"
        return f"{line} needs input: {', '.join(self.needs_input)} (not called)" if self.needs_input else line


def strict_schema(fn: Function) -> dict[str, Any]:
    """The parameters schema with unknown properties forbidden, for the grammar and validation."""
    schema = json.loads(json.dumps(fn.parameters))
    schema.setdefault("properties", {})
    schema["additionalProperties"] = False
    return schema


def ordered_arguments(fn: Function, arguments: dict[str, Any]) -> dict[str, Any]:
    """Arguments in schema property order: the order the grammar generates them in."""
    order = list(fn.parameters.get("properties", {}))
    return {k: arguments[k] for k in order if k in arguments}


def free_text(schema: dict[str, Any]) -> bool:
    """A string parameter whose form the schema leaves open."""
    fixed = ("enum", "const", "format", "pattern")
    return schema.get("type") == "string" and not any(key in schema for key in fixed)


# An integer that counts people or things ("party_size": "Number of people."), read from its name
# and description: a request may leave it unsaid ("book a table at nobu"), and the user is asked.
_COUNTED = re.compile(r"\b(number of|how many|people|persons?|guests?|party|quantity|count)\b", re.IGNORECASE)


def counts(name: str, schema: dict[str, Any]) -> bool:
    """An integer parameter that counts people or things."""
    described = f"{name.replace('_', ' ')} {schema.get('description', '') or ''}"
    return schema.get("type") == "integer" and "enum" not in schema and bool(_COUNTED.search(described))


def validate_arguments(fn: Function, arguments: dict[str, Any]) -> None:
    """Raise OrchError when arguments break the function's schema (type, enum, range, required)."""
    err = first_error(arguments, strict_schema(fn))
    if err is not None:
        where = ".".join(str(p) for p in err.absolute_path) or "arguments"
        raise OrchError(f"{fn.name}: {where}: {err.message}")
    for key, value in arguments.items():  # JSON Schema treats 1.0 as an integer; callers must not
        if fn.parameters["properties"][key].get("type") == "integer" and not isinstance(value, int):
            raise OrchError(f"{fn.name}: {key}: {value!r} is not an integer")


def validate_call(fn: Function, call: Call) -> None:
    """Raise OrchError unless the call's arguments are valid for ``fn``: a call that needs input
    may lack only required values, the ones it names."""
    required = set(fn.parameters.get("required", []))
    if not set(call.needs_input) <= required:
        raise OrchError(f"{fn.name}: needs input for {call.needs_input}, of which not all are required")
    properties = fn.parameters.get("properties", {})
    validate_arguments(
        fn, {**call.arguments, **{name: stand_in(properties.get(name, {})) for name in call.needs_input}}
    )


def stand_in(schema: dict[str, Any]) -> Any:
    """A valid placeholder for a value a call still needs (a number's minimum, a long enough string)."""
    if schema.get("type") in ("integer", "number"):
        return schema.get("minimum", 1)
    return "x" * max(1, schema.get("minLength", 1))


def trimmed(fn: Function, arguments: dict[str, Any]) -> dict[str, Any]:
    """Valid arguments with surrounding whitespace cut from string values (a token such as
    `` Popeyes`` carries its leading space into the JSON string); if cutting made them invalid
    (a pattern that wants the space), the arguments as written, checked."""
    cut = {k: v.strip() if isinstance(v, str) else v for k, v in arguments.items()}
    try:
        validate_arguments(fn, cut)
        return cut
    except OrchError:
        validate_arguments(fn, arguments)
        return arguments


def arguments_json(fn: Function, arguments: dict[str, Any]) -> str:
    return json.dumps(ordered_arguments(fn, arguments), ensure_ascii=False)


def answer_text(app: App, function: str | None, arguments: dict[str, Any]) -> str:
    """The exact target text for training: functional token, JSON arguments, end token."""
    if function is None:
        return app.end_token
    index = [fn.name for fn in app.functions].index(function)
    return f"{app.function_tokens[index]}{arguments_json(app.functions[index], arguments)}{app.end_token}"


def prompt_text(template: str, query: str) -> str:
    return template.replace("{query}", query)
