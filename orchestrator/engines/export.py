"""``orch export --format vllm DIR``: the registry as vLLM serves it, many LoRAs over one base.

vLLM takes pure LoRA adapters only (no per-adapter vocabulary, no ``modules_to_save``), so the
functional tokens' trained rows move into the served base: every app owns distinct token slots
(see the registry), so all apps' rows fit into one embedding without conflict, exactly as orch's
own adapter pool writes them at load time. Per app the export holds:

* ``loras/<app>/``: the adapter's LoRA factors and config, token rows and token indices removed;
* ``loras/<app>/orch_app.json``: token ids, functions and their schemas, the prompt template, and
  what a request to vLLM sends (``orchestrator/serving/vllm_engine.py``): step 1 asks for the first
  token's log-probabilities over the app's functional tokens and end token (``logprob_token_ids``),
  which is Octopus's function choice and the adapter's call probability; step 2 appends the chosen
  functional token and decodes the arguments under that function's JSON schema
  (``structured_outputs.json``), every functional token but the end token banned
  (``argument_logit_bias``), the end token as the stop token.

Why two steps and not one structural tag ("a functional token, then its schema, then the end
token"): xgrammar 0.2.8, which vLLM 0.32 uses, caches compiled grammars under a fingerprint that
ignores token ids, so a second app's tag is served the first app's tokens (two tags that differ
only in their token ids compile to one grammar, with xgrammar alone). Compiling a whole app's tag
is also slow, against one cached JSON schema per function. And orch's
call-or-no-call decision needs every candidate app's first-token distribution before any of them
decodes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestrator.atomic import atomic_directory
from orchestrator.calls import strict_schema
from orchestrator.errors import OrchError
from orchestrator.registry import App, Registry

EXPORT_MANIFEST = "export.json"
APP_MANIFEST = "orch_app.json"
BANNED = -100.0  # the lowest logit bias the OpenAI API takes


@dataclass
class ExportReport:
    """What an export wrote and how it differs from the export it replaced."""

    directory: Path
    apps: list[str]
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"exported {len(self.apps)} apps on {self.directory}"]
        for label, names in (("new", self.added), ("changed", self.changed), ("removed", self.removed)):
            if names:
                parts.append(f"{label}: {', '.join(names)}")
        if not (self.added or self.changed or self.removed):
            parts.append("no adapter changed since the last export")
        if self.skipped:
            parts.append(f"skipped (no adapter for this base): {', '.join(self.skipped)}")
        return "; ".join(parts)


def app_manifest(
    registry: Registry, app: App, token_ids: dict[str, int], digest: str, base_vocab: int
) -> dict[str, Any]:
    """What orch's vLLM engine needs to ask vLLM for one app's calls. ``token_ids`` holds every
    functional token of the registry: all of them but this app's end token are banned inside the
    arguments. xgrammar reads an added token as its text, which a JSON string may hold (vLLM once
    wrote ``<android_16>`` inside one); orch's own decoder masks them the same way. The end token
    is left to the grammar, which allows it only as a stop token once the JSON is complete."""
    banned = {str(i): BANNED for t, i in token_ids.items() if t != app.end_token}
    return {
        "app": app.name,
        "base_vocab": base_vocab,  # every id from here on is a functional or end token
        "lora_name": app.name,
        "base_model": registry.base_model,
        "adapter_sha256": digest,
        "prompt_template": registry.prompt_template,
        "end_token": {"token": app.end_token, "id": token_ids[app.end_token]},
        "functions": [
            {
                "name": fn.name,
                "token": token,
                "token_id": token_ids[token],
                "parameters": fn.parameters,
                "structured_outputs": {"json": strict_schema(fn)},
            }
            for fn, token in zip(app.functions, app.function_tokens, strict=True)
        ],
        "argument_logit_bias": banned,
    }


def _write_pure_lora(source: Path, target: Path) -> str:
    """The adapter without its token rows (vLLM refuses trainable-token tensors and indices), in
    the adapter's own dtype; returns the source weights' sha256, read from the same bytes."""
    from safetensors.torch import load, save_file

    config = json.loads((source / "adapter_config.json").read_text())
    config.pop("trainable_token_indices", None)
    config["modules_to_save"] = None
    weights = (source / "adapter_model.safetensors").read_bytes()
    lora = {k: v.contiguous() for k, v in load(weights).items() if ".lora_A." in k or ".lora_B." in k}
    target.mkdir(parents=True)
    (target / "adapter_config.json").write_text(json.dumps(config, indent=2))
    save_file(lora, str(target / "adapter_model.safetensors"), metadata={"format": "pt"})
    return hashlib.sha256(weights).hexdigest()


def export_vllm(registry: Registry, directory: Path) -> ExportReport:
    """Write base, pure-LoRA adapters and manifests to ``directory`` (replaced atomically)."""
    import torch

    from orchestrator.engines.adapter_pool import read_adapter
    from orchestrator.engines.base_model import load_base

    directory = Path(directory)
    if directory.exists() and not (directory / EXPORT_MANIFEST).is_file() and any(directory.iterdir()):
        raise OrchError(f"{directory} exists and is not an orch export; choose an empty or new directory")
    previous = json.loads((directory / EXPORT_MANIFEST).read_text()) if directory.exists() else {}
    before = {name: entry["adapter_sha256"] for name, entry in previous.get("apps", {}).items()}
    if previous and previous.get("base_model") != registry.base_model:
        before = {}  # another base: every app is new to this export
    base = load_base(registry, device="cpu", dtype=torch.float32)
    trained = [app for app in registry.apps.values() if registry.adapter_dir(app)]
    if not trained:
        raise OrchError(f"no app has an adapter for {registry.base_model}; nothing to export (run: orch train APP)")
    report = ExportReport(directory, [app.name for app in trained])
    report.skipped = [app.name for app in registry.apps.values() if app not in trained]
    digests: dict[str, str] = {}
    with atomic_directory(directory) as staging:
        embeddings = base.model.get_input_embeddings().weight
        token_ids = {t: base.token_id(t) for t in registry.token_slots() if t}
        for app in trained:
            source = registry.adapter_dir(app)
            adapter = read_adapter(source, app, base)  # refuses adapters of other tokens or bases
            with torch.no_grad():
                embeddings.index_copy_(0, adapter.token_ids, adapter.token_rows.to(embeddings.dtype))
            digests[app.name] = _write_pure_lora(source, staging / "loras" / app.name)
            manifest = app_manifest(registry, app, token_ids, digests[app.name], base.base_vocab)
            (staging / "loras" / app.name / APP_MANIFEST).write_text(json.dumps(manifest, indent=2))
        base.model.save_pretrained(staging / "base")
        base.tokenizer.save_pretrained(staging / "base")
        export = {
            "base_model": registry.base_model,
            "base_fingerprint": base.fingerprint,
            "prompt_template": registry.prompt_template,
            "apps": {name: {"adapter_sha256": digest, "lora": f"loras/{name}"} for name, digest in digests.items()},
        }
        (staging / EXPORT_MANIFEST).write_text(json.dumps(export, indent=2))
    report.added = sorted(set(digests) - set(before))
    report.changed = sorted(n for n in digests if n in before and before[n] != digests[n])
    report.removed = sorted(set(before) - set(digests))
    return report
