"""Compare grammar libraries for orch's decoder: xgrammar vs llguidance, same schemas, same tokens.

For every function of the registry's apps, a generated answer's argument tokens are replayed
through each library: per token, compute the next-token mask and accept the token (what the
decoder does each step). Reports setup (tokenizer wrap), compile per schema and per-token
cost, all measured in this one run. Usage: python benchmarks/grammar.py [--registry registry.yaml]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from orchestrator.calls import arguments_json, strict_schema
from orchestrator.data.datagen import generate
from orchestrator.engines.base_model import load_base
from orchestrator.registry import load_registry


def replay_streams(registry, base, per_function: int = 3) -> list[tuple[dict, list[int], int]]:
    streams = []
    for app in registry.apps.values():
        examples, _ = generate(app, per_function * len(app.functions) + 1, seed=5, negative_rate=0.0)
        for ex in examples:
            if ex.function:
                fn = app.function(ex.function)
                ids = base.tokenizer(arguments_json(fn, ex.arguments), add_special_tokens=False).input_ids
                streams.append((strict_schema(fn), ids, base.token_id(app.end_token)))
    return streams


def bench_xgrammar(base, streams, vocab: int) -> dict[str, float]:
    import xgrammar as xgr

    started = time.perf_counter()
    info = xgr.TokenizerInfo.from_huggingface(base.tokenizer, vocab_size=vocab)
    compiler = xgr.GrammarCompiler(info, max_threads=1, cache_enabled=False)
    setup = time.perf_counter() - started
    bitmask = xgr.allocate_token_bitmask(1, vocab)
    compile_s, token_s, tokens = [], 0.0, 0
    for schema, ids, end_id in streams:
        started = time.perf_counter()
        grammar = compiler.compile_json_schema(json.dumps(schema), any_whitespace=False)
        compile_s.append(time.perf_counter() - started)
        matcher = xgr.GrammarMatcher(grammar, override_stop_tokens=[end_id])
        started = time.perf_counter()
        for token in ids:
            matcher.fill_next_token_bitmask(bitmask)
            assert matcher.accept_token(token)
        matcher.fill_next_token_bitmask(bitmask)
        assert matcher.accept_token(end_id)
        token_s += time.perf_counter() - started
        tokens += len(ids) + 1
    return {
        "setup_ms": setup * 1000,
        "compile_ms": statistics.median(compile_s) * 1000,
        "per_token_us": token_s / tokens * 1e6,
    }


def bench_llguidance(base, streams, vocab: int) -> dict[str, float]:
    import llguidance
    import llguidance.hf
    import llguidance.torch

    started = time.perf_counter()
    tokenizer = llguidance.hf.from_tokenizer(base.tokenizer, n_vocab=vocab)
    setup = time.perf_counter() - started
    bitmask = llguidance.torch.allocate_token_bitmask(1, vocab)
    compile_s, token_s, tokens = [], 0.0, 0
    options = {"whitespace_flexible": False, "item_separator": ", ", "key_separator": ": "}
    for schema, ids, _end_id in streams:
        started = time.perf_counter()
        grammar = llguidance.LLMatcher.grammar_from_json_schema(schema, overrides=options)
        matcher = llguidance.LLMatcher(tokenizer, grammar)
        compile_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        for token in ids:
            llguidance.torch.fill_next_token_bitmask(matcher, bitmask, 0)
            assert matcher.consume_token(token), matcher.get_error()
        llguidance.torch.fill_next_token_bitmask(matcher, bitmask, 0)
        token_s += time.perf_counter() - started
        assert matcher.is_accepting()
        tokens += len(ids) + 1
    return {
        "setup_ms": setup * 1000,
        "compile_ms": statistics.median(compile_s) * 1000,
        "per_token_us": token_s / tokens * 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", default="registry.yaml")
    args = parser.parse_args()
    registry = load_registry(args.registry, check_files=False)
    base = load_base(registry, device="cpu")
    vocab = base.model.get_output_embeddings().weight.shape[0]
    streams = replay_streams(registry, base)
    results = {"xgrammar": bench_xgrammar(base, streams, vocab), "llguidance": bench_llguidance(base, streams, vocab)}
    n_tokens = sum(len(ids) + 1 for _, ids, _ in streams)
    print(f"grammar libraries: {len(streams)} schemas replayed, {n_tokens} tokens, vocab {vocab}")
    print(f"{'library':<12} {'setup ms':>10} {'compile ms':>11} {'mask+accept us/token':>21}")
    for name, r in results.items():
        print(f"{name:<12} {r['setup_ms']:>10.1f} {r['compile_ms']:>11.2f} {r['per_token_us']:>21.1f}")
    x, g = results["xgrammar"], results["llguidance"]
    print(
        f"ratio llguidance/xgrammar: setup {g['setup_ms'] / x['setup_ms']:.2f}x, "
        f"compile {g['compile_ms'] / x['compile_ms']:.2f}x, "
        f"per token {g['per_token_us'] / x['per_token_us']:.2f}x"
    )


if __name__ == "__main__":
    main()
