"""JSON Schema validators, each schema checked and its validator built once per process.

``jsonschema.validate`` checks the schema itself before every instance. The registry checks each
function's schema on every load and save, and data generation validates every call it makes:
those repeated checks of the same dozen schemas were most of the time of loading a registry and
of generating an app's requests. The answers and messages are ``jsonschema``'s own.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema

_VALIDATORS: dict[tuple[str, str], Any] = {}
_KEPT = 1024  # a registry's schemas and their properties' many times over; the cache never grows past it


def _validator(schema: dict[str, Any], kind: Any) -> Any:
    key = (kind.__name__, json.dumps(schema, sort_keys=True, default=repr))
    if key not in _VALIDATORS:
        kind.check_schema(schema)  # raises jsonschema.SchemaError; nothing is kept then
        if len(_VALIDATORS) >= _KEPT:
            _VALIDATORS.clear()
        _VALIDATORS[key] = kind(copy.deepcopy(schema))
    return _VALIDATORS[key]


def check_schema(schema: dict[str, Any]) -> None:
    """Raise ``jsonschema.SchemaError`` unless ``schema`` is valid JSON Schema (draft 2020-12)."""
    _validator(schema, jsonschema.Draft202012Validator)


def first_error(instance: Any, schema: dict[str, Any]) -> jsonschema.ValidationError | None:
    """The error ``jsonschema.validate(instance, schema)`` would raise (its best match), or None."""
    kind = jsonschema.validators.validator_for(schema)
    return jsonschema.exceptions.best_match(_validator(schema, kind).iter_errors(instance))
