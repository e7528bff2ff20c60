"""Call latency at Gemma-2B scale: HF defaults vs the fast path (static KV cache, merged adapter, compiled decode).

A random-weight Gemma-2B config measures speed honestly (latency does not depend on the weights'
values). One "call" = a 24-token prompt prefill plus 16 greedy tokens, batch 1, as orch decodes.
Paths, all measured in this one run on the same model:

  hf-eager           model.generate, dynamic cache (the HF default)
  hf-eager+lora      the same with an unmerged rank-16 PEFT LoRA on every projection
  hf-static-compile  model.generate with a static cache and torch.compile (HF's best)
  merged-static-graph   merged adapter (base-speed weights), a static KV cache, and the one-token
                     step compiled with mode="reduce-overhead" (CUDA graphs), argmax on device

Usage (GPU): python benchmarks/gemma_scale.py
Smoke test anywhere: python benchmarks/gemma_scale.py --tiny --device cpu --runs 2
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from transformers import GemmaConfig, GemmaForCausalLM, StaticCache

GEMMA_2B = {
    "vocab_size": 256000,
    "hidden_size": 2048,
    "intermediate_size": 16384,
    "num_hidden_layers": 18,
    "num_attention_heads": 8,
    "num_key_value_heads": 1,
    "head_dim": 256,
    "max_position_embeddings": 8192,
}
TINY = {
    **GEMMA_2B,
    "vocab_size": 1024,
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "head_dim": 16,
}


def build(tiny: bool, device: str, dtype: torch.dtype) -> GemmaForCausalLM:
    config = GemmaConfig(**(TINY if tiny else GEMMA_2B))
    torch.manual_seed(0)
    with torch.device(device):
        model = GemmaForCausalLM(config).to(dtype)
    return model.eval()


def sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def timed(fn, runs: int, device: str) -> float:
    fn()
    fn()  # warm-up: compile, graph capture, allocator
    times = []
    for _ in range(runs):
        sync(device)
        started = time.perf_counter()
        fn()
        sync(device)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def hf_generate(model, prompt: torch.Tensor, new_tokens: int, **kwargs):
    return lambda: model.generate(
        prompt, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False, eos_token_id=None, **kwargs
    )


class StaticGraphDecoder:
    """Prefill once, then a compiled one-token step on a static cache; tokens stay on the device."""

    def __init__(self, model, max_len: int, device: str) -> None:
        self.model = model
        self.cache = StaticCache(config=model.config, max_cache_len=max_len)
        mode = "reduce-overhead" if device.startswith("cuda") else "default"
        self.step = torch.compile(self._step, mode=mode, fullgraph=True)

    def _step(self, token: torch.Tensor, position: torch.Tensor) -> torch.Tensor:
        out = self.model(input_ids=token, cache=self.cache, cache_position=position, use_cache=True)
        return out.logits[:, -1].argmax(dim=-1, keepdim=True)

    @torch.inference_mode()
    def __call__(self, prompt: torch.Tensor, new_tokens: int) -> torch.Tensor:
        self.cache.reset()
        length = prompt.shape[1]
        positions = torch.arange(length, device=prompt.device)
        out = self.model(input_ids=prompt, cache=self.cache, cache_position=positions, use_cache=True, logits_to_keep=1)
        token = out.logits[:, -1].argmax(dim=-1, keepdim=True)
        tokens = [token]
        for i in range(new_tokens - 1):
            position = torch.tensor([length + i], device=prompt.device)
            token = self.step(token, position).clone()
            tokens.append(token)
        return torch.cat(tokens, dim=1)


def add_lora(model):
    from peft import LoraConfig, get_peft_model

    targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    lora = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, target_modules=targets, init_lora_weights=False))
    return lora.eval()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--tiny", action="store_true", help="a 2-layer model: checks the script, not the speed")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--prompt-tokens", type=int, default=24)
    parser.add_argument("--new-tokens", type=int, default=16)
    args = parser.parse_args()
    dtype = torch.bfloat16 if args.device.startswith("cuda") else torch.float32
    model = build(args.tiny, args.device, dtype)
    prompt = torch.randint(0, model.config.vocab_size, (1, args.prompt_tokens), device=args.device)
    n = args.new_tokens
    results: dict[str, float] = {}
    with torch.inference_mode():
        results["hf-eager"] = timed(hf_generate(model, prompt, n), args.runs, args.device)
    lora = add_lora(model)
    with torch.inference_mode():
        results["hf-eager+lora"] = timed(hf_generate(lora, prompt, n), args.runs, args.device)
    model = lora.merge_and_unload()  # merged: the adapter costs nothing per token
    with torch.inference_mode():
        results["hf-static-compile"] = timed(
            hf_generate(model, prompt, n, cache_implementation="static"), args.runs, args.device
        )
    decoder = StaticGraphDecoder(model, args.prompt_tokens + n + 8, args.device)
    results["merged-static-graph"] = timed(lambda: decoder(prompt, n), args.runs, args.device)
    with torch.inference_mode():
        reference = model.generate(prompt, max_new_tokens=n, min_new_tokens=n, do_sample=False, eos_token_id=None)
        same = torch.equal(reference[:, prompt.shape[1] :], decoder(prompt, n))

    name = "tiny Gemma" if args.tiny else "Gemma-2B config, random weights"
    print(f"{name}, {args.device}, {dtype}: one call = {args.prompt_tokens}-token prefill + {n} tokens, batch 1")
    print(f"merged-static-graph tokens identical to HF greedy generate: {'yes' if same else 'NO'}")
    print(f"{'path':<22} {'ms/call':>9} {'vs hf-eager':>12} {'vs hf-static':>13}")
    for path, ms in results.items():
        print(f"{path:<22} {ms:>9.1f} {results['hf-eager'] / ms:>11.2f}x {results['hf-static-compile'] / ms:>12.2f}x")


if __name__ == "__main__":
    main()
