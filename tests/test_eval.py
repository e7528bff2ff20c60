"""`orch eval`: the scoring table, --json keys, --app bypass, plots, and malformed files."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from orchestrator.cli import cli

from .conftest import ROOT

ROWS = [
    {"query": "order a burger", "app": "doordash", "function": "order_food", "arguments": {"item": "burger"}},
    {"query": "turn off the AC", "app": "vehicle", "function": "toggle_air_conditioning", "arguments": {"on": False}},
    {"query": "what's the capital of Peru", "app": None, "function": None, "arguments": {}, "source": "ignored"},
]


def orch(*args: str):
    return CliRunner().invoke(cli, ["--registry", str(ROOT / "registry.yaml"), *args], catch_exceptions=False)


def test_eval_json_has_the_contract_keys(tmp_path: Path) -> None:
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    plot = tmp_path / "eval.png"
    result = orch("eval", "--data", str(data), "--json", "--plot", str(plot))
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    for key in (
        "n",
        "router_accuracy",
        "function_accuracy",
        "exact_match",
        "schema_valid_rate",
        "p50_ms",
        "p95_ms",
        "per_app",
    ):
        assert key in body
    assert body["n"] == 3 and set(body["per_app"]) == {"doordash", "vehicle", "none"}
    assert body["schema_valid_rate"] == 1.0
    assert plot.stat().st_size > 1000 and plot.read_bytes()[:4] == b"\x89PNG"


def test_eval_app_bypasses_the_router(tmp_path: Path) -> None:
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    result = orch("eval", "--data", str(data), "--app", "vehicle")
    assert result.exit_code == 0, result.output
    assert "adapter only (vehicle)" in result.output and "overall       1" in result.output


def test_malformed_line_reports_its_number(tmp_path: Path) -> None:
    data = tmp_path / "rows.jsonl"
    data.write_text(json.dumps(ROWS[0]) + "\n\n" + '{"query": "broken",\n')
    result = orch("eval", "--data", str(data))
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == f"orch: error: {data}: line 3: invalid JSON: Expecting property name enclosed in double quotes"
    )
    data.write_text(json.dumps({"query": 5}) + "\n")
    result = orch("eval", "--data", str(data))
    assert result.exit_code == 2 and "line 1: needs an object with a string 'query'" in result.output
    data.write_text(json.dumps(ROWS[0]) + "\n" + '{"query": "order \\ud83c pizza"}\n')
    result = orch("eval", "--data", str(data))
    assert result.exit_code == 2 and "line 2: query is not valid text" in result.output
    data.write_bytes(json.dumps(ROWS[0]).encode() + b'\n{"query": "order \xff pizza"}\n')
    result = orch("eval", "--data", str(data))
    assert result.exit_code == 2 and "line 2: not valid UTF-8 (byte 18)" in result.output
    data.write_text(json.dumps({"query": "order\u0000pizza"}) + "\n")
    result = orch("eval", "--data", str(data))
    assert result.exit_code == 2 and "line 1: query contains control characters" in result.output


def test_rows_without_arguments_count_for_router_and_function_only(tmp_path: Path) -> None:
    rows = [
        {"query": "order a burger", "app": "doordash", "function": "order_food", "source": "crowd"},
        {"query": "order a burger", "app": "doordash", "function": "order_food", "arguments": {"item": "pizza"}},
        {"query": "what's the capital of Peru", "app": None, "function": None, "source": "crowd"},
    ]
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = orch("eval", "--data", str(data), "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["function_accuracy"] == 1.0 and body["in_scope_function_accuracy"] == 1.0
    assert body["exact_n"] == 1 and body["exact_match"] == 0.0  # the one row with arguments asked for pizza
    assert body["out_of_scope_n"] == 1 and body["false_call_rate"] == 0.0
    assert set(body["per_source"]) == {"crowd"} and body["per_source"]["crowd"]["exact_n"] == 0
    table = orch("eval", "--data", str(data)).output
    assert "false call" in table and "source" in table and "crowd" in table


def test_invented_values_are_listed_and_calls_that_need_input_counted(project_registry) -> None:
    """A string argument that is not a span of the request is invented; a call held back for a
    missing required value is counted (and still a call, for the false-call rate)."""
    from types import SimpleNamespace

    from orchestrator.calls import Call
    from orchestrator.evaluation.evaluate import EvalRow, evaluate

    answers = {
        "tell me my alarms": Call("tell me my alarms", "android", "set_alarm", {}, needs_input=["time"]),
        "text mom hi": Call("text mom hi", "android", "send_text_message", {"contact_name": "mom", "message": "hello"}),
    }
    fake = SimpleNamespace(registry=project_registry, run=lambda query, app=None: answers[query])
    rows = [
        EvalRow("tell me my alarms", None, None, None, "slurp:alarm_query:sibling"),
        EvalRow("text mom hi", "android", "send_text_message", {"contact_name": "mom", "message": "hi"}),
    ]
    result = evaluate(fake, rows)
    assert result["invented_values"] == [{"query": "text mom hi", "parameter": "message", "value": "hello"}]
    assert result["needs_input"] == 1 and result["false_call_rate"] == 1.0
    assert result["false_action_rate"] == 0.0  # asked for its time, it would not have run
    assert result["per_source"]["slurp:alarm_query:sibling"]["false_call_rate"] == 1.0
    assert result["schema_valid_rate"] == 1.0  # the held-back call lacks only what it names
