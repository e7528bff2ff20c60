"""Do orch's own decoder and vLLM, serving ``orch export``, make the same calls?

Two processes, because vLLM lives in its own venv (``make vllm``):

    .venv/bin/python benchmarks/vllm_parity.py orch EXPORT_DIR          # export + orch's calls
    .venv-vllm/bin/python benchmarks/vllm_parity.py vllm EXPORT_DIR     # vLLM's calls, compared

Each dev request with an app goes to that app's adapter (the router is orch's either way); vLLM
decodes greedily under the app's structural tag from its export manifest.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def orch_side(export_dir: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from orchestrator.calls import prompt_text
    from orchestrator.evaluation import read_rows
    from orchestrator.export import export_vllm
    from orchestrator.orchestrator import Orchestrator
    from orchestrator.registry import load_registry

    registry = load_registry(ROOT / "registry.yaml")
    print(export_vllm(registry, export_dir).summary())
    orch = Orchestrator(registry)
    calls = []
    for row in read_rows(DEV):
        if row.app is None:
            continue
        call = orch.run(row.query, app=row.app)
        prompt = orch.base.tokenizer(prompt_text(registry.prompt_template, row.query), add_special_tokens=False)
        calls.append(
            {
                "query": row.query,
                "app": row.app,
                "prompt_ids": prompt.input_ids,
                "function": call.function,
                "arguments": call.arguments,
            }
        )
    (export_dir / "orch_calls.json").write_text(json.dumps(calls, indent=2))


def vllm_side(export_dir: Path) -> None:
    from vllm import LLM, SamplingParams
    from vllm.lora.request import LoRARequest
    from vllm.sampling_params import StructuredOutputsParams

    calls = json.loads((export_dir / "orch_calls.json").read_text())
    apps = sorted({c["app"] for c in calls})
    manifests = {a: json.loads((export_dir / "loras" / a / "orch_app.json").read_text()) for a in apps}
    started = time.perf_counter()
    llm = LLM(
        model=str(export_dir / "base"),
        enable_lora=True,
        max_loras=len(apps),
        max_lora_rank=16,
        max_model_len=512,
        dtype="bfloat16",
        gpu_memory_utilization=0.3,  # on the CPU backend: the share of RAM it reserves
    )
    print(f"engine start {time.perf_counter() - started:.1f} s")
    loras = {a: LoRARequest(a, i + 1, str(export_dir / "loras" / a)) for i, a in enumerate(apps)}
    same, ends = 0, []
    for call in calls:
        manifest = manifests[call["app"]]
        params = SamplingParams(
            temperature=0.0,
            max_tokens=96,
            skip_special_tokens=False,
            structured_outputs=StructuredOutputsParams(structural_tag=manifest["structured_outputs"]["structural_tag"]),
        )
        out = llm.generate([{"prompt_token_ids": call["prompt_ids"]}], params, lora_request=loras[call["app"]])
        ids = list(out[0].outputs[0].token_ids)
        by_id = {f["token_id"]: f["name"] for f in manifest["functions"]}
        function = by_id.get(ids[0]) if ids else None
        arguments = {}
        if function:
            # Up to the first functional or end token (of any app: see the note on end tokens).
            end = next((i for i, t in enumerate(ids[1:], 1) if t >= manifest["base_vocab"]), len(ids))
            text = llm.get_tokenizer().decode(ids[1:end])
            try:
                arguments = json.loads(text)
            except json.JSONDecodeError:
                arguments = {"<unparsed>": text, "<ids>": ids}
        ends.append(ids[-1] == manifest["end_token"]["id"])
        ok = function == call["function"] and arguments == call["arguments"]
        same += ok
        if not ok:
            print(
                f"differs: {call['query']!r}: orch {call['function']} {call['arguments']}, vllm {function} {arguments}"
            )
    print(f"vLLM equals orch on {same}/{len(calls)} dev requests (function and arguments)")
    print(f"vLLM ended with the app's own end token on {sum(ends)}/{len(calls)}")


if __name__ == "__main__":
    side, directory = sys.argv[1], Path(sys.argv[2])
    orch_side(directory) if side == "orch" else vllm_side(directory)
