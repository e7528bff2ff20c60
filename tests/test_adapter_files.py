"""Committed adapters are ordinary peft adapters: stored in bfloat16, naming their base by its hub
id (no path of the machine that trained them), loadable with plain peft over the embedded base."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file

from orchestrator.registry import EMBEDDED_HUB_IDS
from tests.conftest import ROOT
from tests.numeric_paths import DECISION_MARGIN, SCORE_TOLERANCE


def committed_adapters() -> list:
    """The active base's adapters, those for other languages too (retrained since adapters are
    stored this way; Gemma 3's were once float32, named by a local path: docs/bases.md)."""
    from orchestrator.registry import load_registry

    registry = load_registry(ROOT / "registry.yaml")
    keys = [app.adapter_key(other) for app in registry.apps.values() for other in (False, True)]
    return sorted({registry.keyed_adapter(key)[1] for key in keys})


@pytest.mark.parametrize("adapter", committed_adapters(), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_an_adapter_names_its_base_by_hub_id_and_is_stored_in_bfloat16(adapter) -> None:
    config = json.loads((adapter / "adapter_config.json").read_text())
    manifest = json.loads((adapter / "orch_manifest.json").read_text())
    assert config["base_model_name_or_path"] == EMBEDDED_HUB_IDS[manifest["base_model"]]
    assert {tensor.dtype for tensor in load_file(str(adapter / "adapter_model.safetensors")).values()} == {
        torch.bfloat16
    }


@pytest.mark.slow
def test_plain_peft_loads_an_adapter_over_the_embedded_base_and_gives_orchs_logits(project_registry, orchestrator):
    from peft import PeftModel

    from orchestrator.engines.base_model import load_base

    app = project_registry.app("vehicle")
    fresh = load_base(project_registry, device="cpu", dtype=torch.float32)  # plain peft changes its model
    ids = torch.tensor([orchestrator._prompt("turn on the AC")])
    peft_model = PeftModel.from_pretrained(fresh.model, str(project_registry.adapter_dir(app)))
    orch_model = orchestrator.pool.activate("vehicle")  # outside inference mode: the pool writes weights
    with torch.inference_mode():
        peft_logits = peft_model(ids).logits
        orch_logits = orch_model(input_ids=ids).logits.float()
    token_ids = [fresh.token_id(token) for token in [*app.function_tokens, app.end_token]]
    # orch's base may run in bf16 (CPUs with native bf16): compare the first-token choice and its
    # distribution over the app's tokens, within the numeric-paths tolerance.
    want = torch.softmax(peft_logits[0, -1, token_ids], dim=-1)
    got = torch.softmax(orch_logits[0, -1, token_ids], dim=-1)
    assert float((want - got).abs().max()) < SCORE_TOLERANCE
    best, second = want.topk(2).values.tolist()
    assert best - second >= DECISION_MARGIN and int(want.argmax()) == int(got.argmax())
