"""``orch serve`` fuzzed from its own OpenAPI schema (schemathesis): no 500, no status or body the
schema does not declare. ``benchmarks/api_fuzz.py`` runs the same against a live server at scale.

One check is left out: "schema-valid data must get a 2xx". A query is any string in the schema,
and the server answers 400 with a reason for text it cannot use (empty, over the registry's
length limit, control characters, lone surrogates), a declared answer."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from orchestrator.serving.server import create_app


@pytest.fixture(scope="module")
def api_schema(orchestrator):
    app = create_app(orchestrator)
    app.state.worker.start()  # the ASGI test transport does not run the lifespan
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    app.state.worker.stop()


def test_every_endpoint_keeps_its_contract(api_schema) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/v1/call", "/v1/route", "/v1/chat/completions", "/v1/apps", "/health"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def keeps_contract(case) -> None:
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        keeps_contract()
