"""Faults and hostile input: what the user sees, and that nothing is lost.

Property-based parts use hypothesis: any text through the query check, any YAML document through
the registry parser, any JSON document through the tools-file parser, either passes or gives one
``OrchError`` line; no other exception escapes.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import functools
import json
import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestrator import atomic
from orchestrator.atomic import atomic_directory, atomic_write_text
from orchestrator.cli import cli
from orchestrator.errors import OrchError
from orchestrator.registry import load_registry, parse_registry, tools_from_file
from orchestrator.request.orchestrator import check_query

from .conftest import DATA, ROOT

LIMIT = 512
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=25,
)


def orch(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# ----- hostile text ---------------------------------------------------------------------------------
@given(st.text(alphabet=st.characters(codec=None), max_size=600))
@settings(max_examples=400, deadline=None)
def test_any_text_is_accepted_clean_or_refused_in_one_line(text: str) -> None:
    try:
        clean = check_query(text, LIMIT)
    except OrchError as err:
        assert "\n" not in str(err)
        return
    assert clean and len(clean) <= LIMIT and clean == " ".join(clean.split())
    assert not any(unicodedata.category(ch) in ("Cs", "Cc") for ch in clean)
    clean.encode("utf-8")  # a tokenizer can take it


@pytest.mark.parametrize(
    ("segmented", "joined"),
    [
        ("明日 の 7 時 に アラーム を セット し て", "明日の7時にアラームをセットして"),
        ("今天 会 下雨 吗 ？", "今天会下雨吗？"),
        ("用 Spotify 播放 周杰伦", "用 Spotify 播放周杰伦"),  # beside a Latin word the space stays
        ("set an alarm for 7 am", "set an alarm for 7 am"),
        ("Wecker auf 7 Uhr", "Wecker auf 7 Uhr"),
    ],
)
def test_word_segmented_chinese_and_japanese_is_read_as_written(segmented: str, joined: str) -> None:
    assert check_query(segmented, LIMIT) == joined


@given(st.binary(max_size=64))
@settings(max_examples=200, deadline=None)
def test_any_bytes_from_a_command_line_are_accepted_or_refused(data: bytes) -> None:
    text = data.decode("utf-8", errors="surrogateescape")  # what Python makes of argv bytes
    with contextlib.suppress(OrchError):
        check_query(text, LIMIT).encode("utf-8")


# ----- hostile files --------------------------------------------------------------------------------
@given(JSON_VALUES)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_registry_document_parses_or_gives_one_error(document) -> None:
    text = yaml.safe_dump(document)
    try:
        parse_registry(yaml.safe_load(text), Path("registry.yaml"), check_files=False)
    except OrchError as err:
        assert str(err).startswith("registry.yaml") and "\n" not in str(err)


@functools.cache
def real_registry() -> dict:
    """The committed registry.yaml as parsed YAML (read once: 300 examples use it)."""
    return yaml.safe_load((ROOT / "registry.yaml").read_text())


@given(st.sampled_from(["apps", "router", "pool", "decoding"]), JSON_VALUES)
@settings(max_examples=300, deadline=None)
def test_any_section_of_a_real_registry_parses_or_gives_one_error(section: str, value) -> None:
    raw = copy.deepcopy(real_registry())
    raw[section] = value
    try:
        parse_registry(raw, Path("registry.yaml"), check_files=False)
    except OrchError as err:
        assert "\n" not in str(err)


@given(JSON_VALUES)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_tools_file_parses_or_gives_one_error(tmp_path: Path, document) -> None:
    _tools_file_parses_or_gives_one_error(tmp_path, document)


@given(st.integers(min_value=0, max_value=3), JSON_VALUES)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_damaged_tool_of_a_real_tools_file_gives_one_error(tmp_path: Path, index: int, value) -> None:
    document = json.loads((DATA / "smarthome.json").read_text())
    tool = document["tools"][index]
    tool["function"]["parameters"] = value
    _tools_file_parses_or_gives_one_error(tmp_path, document)


def _tools_file_parses_or_gives_one_error(tmp_path: Path, document) -> None:
    path = tmp_path / "tools.json"
    path.write_text(json.dumps(document))
    try:
        tools_from_file(path)
    except OrchError as err:
        assert "\n" not in str(err)


# ----- failed writes ----------------------------------------------------------------------------------
def _disk_full(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failed_registry_write_keeps_the_registry(project_copy: Path, monkeypatch) -> None:
    before = project_copy.read_bytes()
    monkeypatch.setattr(atomic.os, "fsync", _disk_full)
    result = CliRunner().invoke(
        cli,
        [
            "--registry",
            str(project_copy),
            "add-app",
            "smarthome",
            "--tools",
            str(DATA / "smarthome.json"),
            "--no-train",
        ],
    )
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == f"orch: error: could not write {project_copy}: No space left on device; the file is unchanged"
    )
    assert project_copy.read_bytes() == before
    assert sorted(p.name for p in project_copy.parent.iterdir()) == [".registry.yaml.lock", "adapters", "registry.yaml"]


def test_a_failed_adapter_write_keeps_the_previous_adapter(tmp_path: Path, monkeypatch) -> None:
    committed = load_registry(ROOT / "registry.yaml")
    adapter = shutil.copytree(committed.adapter_dir(committed.app("vehicle")), tmp_path / "adapters" / "vehicle")
    before = {p.name: p.read_bytes() for p in adapter.iterdir()}
    disk_full = r"could not write .*vehicle: No space left on device; the previous vehicle is kept"
    with pytest.raises(OrchError, match=disk_full), atomic_directory(adapter) as staging:
        (staging / "adapter_model.safetensors").write_bytes(b"half an adapter")
        _disk_full()
    assert {p.name: p.read_bytes() for p in adapter.iterdir()} == before
    assert sorted(p.name for p in adapter.parent.iterdir()) == ["vehicle"]  # no staging left behind
    monkeypatch.setattr(atomic.tempfile, "mkdtemp", lambda **_: _read_only())
    with pytest.raises(OrchError, match="Read-only file system; the previous vehicle is kept"):
        atomic_directory(adapter).__enter__()
    with pytest.raises(OrchError, match=r"could not write .*new: Read-only file system; nothing was written"):
        atomic_directory(tmp_path / "adapters" / "new").__enter__()


def _read_only():
    raise OSError(errno.EROFS, "Read-only file system")


def test_a_failed_text_write_leaves_no_temp_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "registry.yaml"
    target.write_text("version: 1\n")
    monkeypatch.setattr(atomic.os, "replace", _disk_full)
    with pytest.raises(OrchError, match="No space left on device; the file is unchanged"):
        atomic_write_text(target, "apps: {}\n")
    assert [p.name for p in tmp_path.iterdir()] == ["registry.yaml"] and target.read_text() == "version: 1\n"


# ----- damaged adapters -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("truncated", "is unreadable"),
        ("garbage", "is unreadable"),
        ("bad config", "is unreadable"),
        ("another base", "was trained on embedded:other-base, not on the registry's base embedded:"),
    ],
)
def test_an_unusable_adapter_is_named_and_other_apps_still_serve(project_copy: Path, damage: str, message: str) -> None:
    from orchestrator.request.orchestrator import Orchestrator

    registry = load_registry(project_copy)
    adapter = registry.adapter_dir(registry.app("yelp"))
    weights = adapter / "adapter_model.safetensors"
    if damage == "truncated":
        weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 3])
    elif damage == "garbage":
        weights.write_bytes(b"\x00" * 4096)
    elif damage == "bad config":
        (adapter / "adapter_config.json").write_text('{"r": 16,')
    else:
        manifest = json.loads((adapter / "orch_manifest.json").read_text())
        manifest.update(base_model="embedded:other-base", base_fingerprint="0123456789abcdef")
        (adapter / "orch_manifest.json").write_text(json.dumps(manifest))
    orchestrator = Orchestrator(load_registry(project_copy))
    yelp, vehicle = orchestrator.run_batch([("find sushi in Denver", "yelp"), ("fan speed 3", "vehicle")])
    assert isinstance(yelp, OrchError) and str(yelp).startswith(f"adapter {adapter.resolve()} {message}")
    assert "orch train yelp" in str(yelp)
    assert vehicle.app == "vehicle" and vehicle.function is not None


def test_kill_9_during_training_keeps_the_registry_and_the_adapter(project_copy: Path) -> None:
    import subprocess
    import sys
    import time

    adapter_path = load_registry(project_copy).app("vehicle").adapter
    adapter = project_copy.parent / adapter_path
    registry_before = project_copy.read_bytes()
    adapter_before = {p.name: p.read_bytes() for p in adapter.iterdir()}
    command = [sys.executable, "-m", "orchestrator.cli", "--registry", str(project_copy), "train", "vehicle"]
    trainer = subprocess.Popen([*command, "--samples", "60"], stderr=subprocess.PIPE, text=True)
    seen, deadline = "", time.monotonic() + 300
    while "train vehicle" not in seen and time.monotonic() < deadline:
        chunk = trainer.stderr.read(1)
        if not chunk:
            break
        seen += chunk
    trainer.kill()
    trainer.wait(timeout=60)
    assert "train vehicle" in seen, seen[-500:]  # it was training when it died
    assert project_copy.read_bytes() == registry_before
    assert {p.name: p.read_bytes() for p in adapter.iterdir()} == adapter_before
    assert load_registry(project_copy).app("vehicle").adapter == adapter_path
