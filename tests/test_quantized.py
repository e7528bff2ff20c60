"""Int8 decoding steps (``orchestrator/engines/quantized.py``): close to float, exact for prompts, repacked
when the adapter pool repoints or rewrites a weight, and the same calls as float on real requests
(where the decision is clear of its boundary: ``tests/numeric_paths.py``)."""

from __future__ import annotations

import pytest
import torch

from orchestrator.engines.quantized import STEP_TOKENS, Int8Linear, quantize_linears, weights_of
from tests.numeric_paths import compare_calls


def test_one_requests_steps_are_close_to_float_and_prompts_and_batches_are_float_exactly() -> None:
    torch.manual_seed(0)
    linear = torch.nn.Linear(64, 96, bias=True)
    model = torch.nn.Sequential(linear)
    reference = torch.nn.Linear(64, 96, bias=True)
    reference.load_state_dict(linear.state_dict())
    assert quantize_linears(model) == 1 and isinstance(linear, Int8Linear) and weights_of(model) == "int8"
    step = torch.randn(1, 3, 64)
    error = (linear(step) - reference(step)).abs().max() / reference(step).abs().max()
    assert 0 < error < 0.03, error  # int8, not float: close, never equal
    for float_input in (torch.randn(1, STEP_TOKENS + 1, 64), torch.randn(2, 1, 64)):
        assert torch.equal(linear(float_input), reference(float_input))


def test_a_repointed_or_rewritten_weight_is_repacked() -> None:
    """What the adapter pool does on a merged switch: point at another buffer, rewrite it in place."""
    torch.manual_seed(0)
    linear = torch.nn.Linear(32, 32, bias=False)
    quantize_linears(torch.nn.Sequential(linear))
    x = torch.randn(1, 1, 32)
    original = linear.weight
    merged = torch.nn.Parameter(original.detach() * 2, requires_grad=False)
    before = linear(x)
    linear.weight = merged
    assert torch.allclose(linear(x), 2 * before, rtol=0.05, atol=0.05)
    with torch.no_grad():
        merged.mul_(-1)  # the next switch rewrites the merged buffer in place
    assert torch.allclose(linear(x), -2 * before, rtol=0.05, atol=0.05)
    linear.weight = original
    assert torch.allclose(linear(x), before)
    assert len(linear._int8) == 2  # the pristine and the merged copy, no more


@pytest.mark.slow
def test_int8_steps_make_the_float_calls_on_dev_requests_also_in_mixed_batches(project_registry, orchestrator):
    from orchestrator.evaluation.evaluate import read_rows
    from orchestrator.registry import load_registry
    from orchestrator.request.orchestrator import Orchestrator
    from tests.conftest import SHARED

    registry = load_registry(project_registry.path)
    registry.weights = "int8"
    int8 = Orchestrator(registry, router=orchestrator.router)
    assert int8.weights == "int8"
    queries = [row.query for row in read_rows(SHARED / "eval" / "dev.jsonl")][::3]
    want = [orchestrator.run(q) for q in queries]
    alone = [int8.run(q) for q in queries]
    mixed = int8.run_batch([(q, None) for q in queries], mixed=True)
    threshold = orchestrator.router.threshold
    compare_calls(want, alone, threshold).check()
    compare_calls(want, mixed, threshold).check()


def test_a_merged_adapter_switch_bumps_the_weight_version_int8_keys_on(orchestrator) -> None:
    """Writes through ``.data`` keep a tensor's version: int8 would then decode with the previous
    app's merged weights. The pool must write the merged buffer through the Parameter."""
    pool = orchestrator.pool
    name = next(iter(pool.load("doordash").lora))
    pool.activate("doordash")
    weight = pool.modules[name].weight
    version = weight._version
    pool.activate("vehicle")
    assert pool.modules[name].weight is weight and weight._version > version
