"""Validators made once per schema answer as ``jsonschema`` does on each call."""

from __future__ import annotations

import jsonschema
import pytest

from orchestrator.schema_check import check_schema, first_error

SCHEMA = {
    "type": "object",
    "properties": {"n": {"type": "integer", "minimum": 1}, "unit": {"enum": ["s", "min"]}},
    "required": ["n"],
    "additionalProperties": False,
}


@pytest.mark.parametrize("instance", [{}, {"n": 0}, {"n": "x"}, {"n": 2, "m": 1}, {"n": 2, "unit": "h"}, {"n": 3}])
def test_the_error_is_the_one_jsonschema_validate_raises(instance: dict) -> None:
    try:
        jsonschema.validate(instance, SCHEMA)
        expected = None
    except jsonschema.ValidationError as err:
        expected = (err.message, list(err.absolute_path))
    for _ in range(2):  # made once, asked twice
        got = first_error(instance, SCHEMA)
        assert (got and (got.message, list(got.absolute_path))) == expected


def test_a_bad_schema_is_refused_every_time_and_an_edited_one_is_read_anew() -> None:
    bad = {"type": "object", "properties": {"n": {"type": "integr"}}}
    for _ in range(2):
        with pytest.raises(jsonschema.SchemaError):
            check_schema(bad)
    edited = {**SCHEMA, "required": ["n", "unit"]}
    assert first_error({"n": 2}, SCHEMA) is None and first_error({"n": 2}, edited) is not None
