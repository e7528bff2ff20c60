"""The command line: bad input gets one line on stderr and exit 2, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from orchestrator.cli import cli
from orchestrator.registry import load_registry

from .conftest import DATA, ROOT


def orch(*args: str, registry: Path | None = None, input: str | None = None):
    runner = CliRunner()
    prefix = ["--registry", str(registry)] if registry else []
    return runner.invoke(cli, [*prefix, *args], input=input, catch_exceptions=False)


def assert_one_line_error(result, text: str) -> None:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("orch: error:") and text in lines[0], lines[0]
    assert "Traceback" not in result.output


def test_missing_registry(tmp_path: Path) -> None:
    assert_one_line_error(orch("apps", registry=tmp_path / "nope.yaml"), "registry file not found")


def test_malformed_registry(tmp_path: Path) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text("apps: {yelp: {functions: 3}}\n")
    result = orch("apps", registry=path)
    assert_one_line_error(result, "apps.yelp.functions: must be a non-empty list")


def test_unknown_app(project_copy: Path) -> None:
    assert_one_line_error(orch("run", "--app", "spotify", "play jazz", registry=project_copy), "unknown app 'spotify'")
    assert_one_line_error(orch("train", "spotify", registry=project_copy), "unknown app 'spotify'")
    assert_one_line_error(orch("add-app", "spotify", "--no-train", registry=project_copy), "not a built-in app")
    assert_one_line_error(orch("remove-app", "spotify", registry=project_copy), "unknown app 'spotify'")


def test_calibrating_a_registry_without_apps_is_a_one_line_error(project_copy: Path) -> None:
    for app in ("android", "vehicle", "yelp", "doordash"):
        assert orch("remove-app", app, registry=project_copy).exit_code == 0
    assert_one_line_error(orch("calibrate", registry=project_copy), "no apps to calibrate")


def test_the_committed_calibration_is_what_orch_calibrate_fits_today(project_copy: Path) -> None:
    """The committed calibration records a digest of what it was fitted on, and it is today's: a
    change to the apps, the router's or calibration's data, or an adapter, committed without
    `orch calibrate` run again, fails here; every base's. A registry changed since says so in one
    line."""
    raw = yaml.safe_load(project_copy.read_text())
    bases = sorted(raw["router"]["calibration"], key=lambda base: base == raw["base_model"])  # the active one last
    for base in bases:
        assert orch("use-base", base, registry=project_copy).exit_code == 0
        checked = orch("calibrate", "--check", registry=project_copy)
        assert checked.exit_code == 0, checked.output
    raw = yaml.safe_load(project_copy.read_text())
    recorded = raw["router"]["calibration"][raw["base_model"]].pop("inputs")
    project_copy.write_text(yaml.safe_dump(raw, sort_keys=False))
    rows = project_copy.parent / "rows.jsonl"
    rows.write_text(json.dumps({"query": "order a pizza", "app": "doordash", "function": "order_food"}) + "\n")
    measured = orch("eval", "--data", str(rows), registry=project_copy)
    assert measured.exit_code == 0 and "with no record of what it was fitted on" in measured.output, measured.output
    raw["router"]["calibration"][raw["base_model"]]["inputs"] = recorded
    raw["apps"]["yelp"]["router_examples"].append("find me a quiet cafe to work from")
    project_copy.write_text(yaml.safe_dump(raw, sort_keys=False))
    assert_one_line_error(orch("calibrate", "--check", registry=project_copy), "fitted for other requests or weights")


def test_training_in_a_language_without_phrasebooks_is_refused(project_copy: Path) -> None:
    assert_one_line_error(orch("train", "yelp", "--languages", "zh,fr", registry=project_copy), "no phrasebooks in fr")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "query is empty"),
        ("   ", "query is empty"),
        ("x" * 600, "the limit is 512"),
        ("order\x00pizza", "control characters"),
        ("order \ud83c pizza", "not valid text"),
    ],
)
def test_bad_queries(project_copy: Path, query: str, message: str) -> None:
    assert_one_line_error(orch("run", query, registry=project_copy), message)


def test_invalid_utf8_on_the_command_line_is_a_one_line_error(project_copy: Path) -> None:
    import subprocess
    import sys

    command = [sys.executable, "-m", "orchestrator.cli", "--registry", str(project_copy), "run"]
    result = subprocess.run([*command, b"order \xff\xfe pizza"], capture_output=True, timeout=300)
    assert result.returncode == 2, result.stderr
    message = "orch: error: query is not valid text (a lone surrogate or invalid UTF-8 at character 7)"
    assert result.stderr.decode().strip() == message


def test_missing_adapter_file(project_copy: Path) -> None:
    registry = load_registry(project_copy)
    (registry.adapter_dir(registry.app("yelp")) / "adapter_model.safetensors").unlink()
    place = f"apps.yelp.adapters[{registry.base_model}]"
    result = orch("run", "find sushi in Denver", registry=project_copy)
    assert_one_line_error(result, f"{place}: adapter file not found")


def test_eval_heldout_scores_a_committed_adapter_on_the_splits_beside_it(project_copy: Path) -> None:
    """``orch eval --heldout`` loads the committed adapter and scores the held-out splits its
    training saved (cut here to 8 requests and 4 siblings); bad use is a one-line error."""
    registry = load_registry(project_copy)
    folder = registry.adapter_dir(registry.app("android"))
    for name, keep in (("heldout.jsonl", 8), ("heldout_siblings.jsonl", 4)):
        rows = (folder / name).read_text().splitlines()[:keep]
        (folder / name).write_text("\n".join(rows) + "\n")
    result = orch("eval", "--heldout", "android", "--json", registry=project_copy)
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert (body["adapter"], body["n"], body["sibling_n"]) == ("android", 8, 4)
    # The committed adapter's whole split: function 98%, exact 95%, siblings refused 97%.
    assert body["function_accuracy"] >= 7 / 8 and body["exact_match"] >= 6 / 8 and body["sibling_refusal"] >= 3 / 4
    assert len(body["misses"]) <= 8 * (1 - body["exact_match"]) + 4 * (1 - body["sibling_refusal"]) + 1e-9

    assert_one_line_error(orch("eval", registry=project_copy), "give one of --data FILE or --heldout ADAPTER")
    assert_one_line_error(orch("eval", "--heldout", "spotify", registry=project_copy), "unknown app 'spotify'")
    (folder / "heldout.jsonl").unlink()
    assert_one_line_error(orch("eval", "--heldout", "android", registry=project_copy), "no held-out split")


def test_use_base_switches_in_one_command_and_refuses_an_unknown_base(project_copy: Path, tmp_path: Path) -> None:
    before = project_copy.read_bytes()
    assert_one_line_error(orch("use-base", "embedded:nonsense", registry=project_copy), "unknown embedded base")
    assert_one_line_error(orch("use-base", str(tmp_path / "nowhere"), registry=project_copy), "not found")
    assert project_copy.read_bytes() == before

    other = tmp_path / "my-base"
    other.mkdir()
    (other / "config.json").write_text("{}")
    result = orch("use-base", str(other), registry=project_copy)
    assert result.exit_code == 0, result.output
    assert "yelp: no adapter for this base yet (run: orch train yelp)" in result.output
    assert "router: not calibrated on this base yet" in result.output
    switched = load_registry(project_copy)
    assert switched.base_model == str(other) and switched.app("yelp").adapter is None

    original = load_registry(ROOT / "registry.yaml").base_model
    result = orch("use-base", original, registry=project_copy)
    assert result.exit_code == 0 and "no adapter" not in result.output and "calibrated" not in result.output
    back, committed = load_registry(project_copy), load_registry(ROOT / "registry.yaml")
    assert back.to_dict()["apps"] == committed.to_dict()["apps"]
    assert (back.router_threshold, back.router_pooling) == (committed.router_threshold, committed.router_pooling)


def test_bad_tools_file(project_copy: Path, tmp_path: Path) -> None:
    bad = tmp_path / "tools.json"
    params = {"type": "object", "properties": {"x": {"type": "nonsense"}}}
    bad.write_text(json.dumps({"tools": [{"function": {"name": "f", "parameters": params}}]}))
    before = project_copy.read_text()
    assert_one_line_error(
        orch("add-app", "newapp", "--tools", str(bad), "--no-train", registry=project_copy), "not a valid JSON Schema"
    )
    assert project_copy.read_text() == before


def test_add_and_remove_app_keep_other_apps_untouched(project_copy: Path) -> None:
    before = yaml.safe_load(project_copy.read_text())
    result = orch("add-app", "smarthome", "--tools", str(DATA / "smarthome.json"), "--no-train", registry=project_copy)
    assert result.exit_code == 0, result.output
    after = yaml.safe_load(project_copy.read_text())
    for name, app in before["apps"].items():
        assert after["apps"][name]["token_offset"] == app["token_offset"]
        assert after["apps"][name]["adapters"] == app["adapters"]
    assert after["apps"]["smarthome"]["adapters"] == {}
    assert len(after["apps"]["smarthome"]["router_examples"]) >= 20

    listing = json.loads(orch("apps", "--json", registry=project_copy).output)
    states = {row["app"]: row["adapter_state"] for row in listing["apps"]}
    assert states["smarthome"] == "untrained" and states["doordash"] == "trained"

    assert_one_line_error(
        orch("run", "--app", "smarthome", "lights on in the kitchen", registry=project_copy), "no trained adapter"
    )
    assert orch("remove-app", "smarthome", registry=project_copy).exit_code == 0
    final = yaml.safe_load(project_copy.read_text())
    assert final["apps"].keys() == before["apps"].keys()


def test_explain_shows_how_the_call_was_decided() -> None:
    result = orch("run", "--explain", "order pizza", registry=ROOT / "registry.yaml")
    assert result.exit_code == 0, result.output
    decision = next(line for line in result.output.splitlines() if line.strip().startswith("decision:"))
    assert "doordash: router" in decision and " x adapter " in decision and decision.endswith("-> doordash")
    body = json.loads(orch("run", "--json", "--explain", "order pizza", registry=ROOT / "registry.yaml").output)
    assert body["decision"]["app"] == "doordash" and body["decision"]["candidates"][0]["adapter"] > 0.5


def test_concurrent_add_apps_all_land_with_distinct_slots(project_copy: Path) -> None:
    """Six `orch add-app` processes at once: each read-modify-write runs under the registry lock."""
    import subprocess
    import sys

    names = [f"home{i}" for i in range(6)]
    command = [sys.executable, "-m", "orchestrator.cli", "--registry", str(project_copy), "add-app"]
    tools = ["--tools", str(DATA / "smarthome.json"), "--no-train"]
    processes = [
        subprocess.Popen([*command, name, *tools], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in names
    ]
    outputs = [process.communicate(timeout=600) for process in processes]
    assert all(process.returncode == 0 for process in processes), outputs
    apps = yaml.safe_load(project_copy.read_text())["apps"]
    assert set(names) <= set(apps)
    slots = [set(range(app["token_offset"], app["token_offset"] + len(app["functions"]) + 1)) for app in apps.values()]
    assert sum(len(s) for s in slots) == len(set().union(*slots))  # no slot taken twice
    for name, (out, _) in zip(names, outputs, strict=True):
        first = apps[name]["token_offset"]
        assert f"token slots {first}-" in out
