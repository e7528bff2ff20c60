"""``orch``: the command line. A thin shell over the Python API; every user error is one line, exit 2."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

import click

from orchestrator.data.languages import LANGUAGES
from orchestrator.errors import OrchError
from orchestrator.registry import Registry, load_registry, registry_change

DEFAULT_REGISTRY = "registry.yaml"


class OrchGroup(click.Group):
    """Turns OrchError (and any unexpected error) into one line on stderr, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OrchError as err:
            click.echo(f"orch: error: {err}", err=True)
            ctx.exit(err.exit_code)
        except BrokenPipeError:
            ctx.exit(0)  # the reader (head, less) went away: nothing left to say
        except KeyboardInterrupt:
            click.echo("orch: interrupted", err=True)
            ctx.exit(130)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as err:
            if os.environ.get("ORCH_DEBUG"):
                raise
            first = str(err).splitlines()[0] if str(err) else ""
            click.echo(
                f"orch: internal error: {type(err).__name__}: {first} (ORCH_DEBUG=1 shows the traceback)", err=True
            )
            ctx.exit(1)


def _registry(ctx: click.Context, check_files: bool = True) -> Registry:
    return load_registry(ctx.obj["registry"], check_files=check_files)


@click.group(cls=OrchGroup)
@click.option(
    "--registry",
    "registry_path",
    envvar="ORCH_REGISTRY",
    default=DEFAULT_REGISTRY,
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Registry file (env ORCH_REGISTRY).",
)
@click.pass_context
def cli(ctx: click.Context, registry_path: str) -> None:
    """orch: natural-language requests to exact function calls, on a small on-device model."""
    ctx.ensure_object(dict)
    ctx.obj["registry"] = Path(registry_path)


# ----- apps ---------------------------------------------------------------------------------------
@cli.command("apps")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def apps_cmd(ctx: click.Context, as_json: bool) -> None:
    """List apps, their functions, functional tokens and adapter state."""
    registry = _registry(ctx, check_files=False)
    rows = []
    for app in registry.apps.values():
        path = registry.adapter_dir(app)
        state = (
            "trained" if path and (path / "adapter_model.safetensors").is_file() else "missing" if path else "untrained"
        )
        rows.append(
            {
                "app": app.name,
                "adapter": app.adapter,
                "adapter_state": state,
                "other_languages_adapter": app.other_languages.get("path"),
                "adapter_bases": [s for s, e in app.adapter_entries(registry.base_model).items() if e["path"]],
                "functions": [
                    {"name": fn.name, "token": tok} for fn, tok in zip(app.functions, app.function_tokens, strict=False)
                ],
                "end_token": app.end_token,
                "token_offset": app.token_offset,
            }
        )
    if as_json:
        click.echo(json.dumps({"base_model": registry.base_model, "apps": rows}, indent=2))
        return
    click.echo(f"base model: {registry.base_model}   router threshold: {registry.router_threshold}")
    for row in rows:
        click.echo(f"{row['app']}  [{row['adapter_state']}: {row['adapter'] or '-'}]  end token {row['end_token']}")
        if row["other_languages_adapter"]:
            click.echo(f"    requests not in English: {row['other_languages_adapter']}")
        for fn in row["functions"]:
            click.echo(f"    {fn['token']:<16} {fn['name']}")


@cli.command("add-app")
@click.argument("name")
@click.option("--tools", "tools_file", type=click.Path(dir_okay=False), help="OpenAI tools JSON file for a new app.")
@click.option("--no-train", is_flag=True, help="Only register; train later with `orch train NAME`.")
@click.option(
    "--samples", type=int, default=None, help="Training examples to generate (default: max(360, 60 per function))."
)
@click.option("--epochs", type=int, default=3, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.pass_context
def add_app_cmd(
    ctx: click.Context, name: str, tools_file: str | None, no_train: bool, samples: int | None, epochs: int, seed: int
) -> None:
    """Register an app (built-in NAME, or --tools FILE.json), generate its data and train its adapter."""
    from orchestrator.apps import add_app

    with registry_change(ctx.obj["registry"]) as registry:
        app = add_app(registry, name, tools_file)
    first, last = app.token_offset, app.token_offset + app.token_count - 1
    click.echo(f"added {name}: {len(app.functions)} functions, token slots {first}-{last}")
    if not no_train:
        _train(ctx, name, samples, epochs, None, seed, None)


@cli.command("remove-app")
@click.argument("name")
@click.option("--delete-adapter", is_flag=True, help="Also delete the adapter directory.")
@click.pass_context
def remove_app_cmd(ctx: click.Context, name: str, delete_adapter: bool) -> None:
    """Unregister an app; other apps' tokens and adapters are untouched."""
    from orchestrator.apps import remove_app

    with registry_change(ctx.obj["registry"]) as registry:
        remove_app(registry, name, delete_adapter)
    click.echo(f"removed {name}")


@cli.command("train")
@click.argument("app")
@click.option(
    "--samples", type=int, default=None, help="Training examples to generate (default: max(360, 60 per function))."
)
@click.option("--epochs", type=int, default=3, show_default=True, help="At least; small sets run to 100 steps.")
@click.option("--lr", type=float, default=None, help="Learning rate (default: tuned per base model).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--base", default=None, help="Train for this base (embedded:..., path or HF id) instead of the active one."
)
@click.option(
    "--languages",
    default="",
    help=f"Also phrase a share of the requests in these languages (comma-separated, of {','.join(LANGUAGES)}), "
    "from the app's phrasebooks in them. The adapter is the app's adapter for requests not in English "
    "(adapters/<base>/<app>.languages); its English adapter stays.",
)
@click.pass_context
def train_cmd(
    ctx: click.Context,
    app: str,
    samples: int | None,
    epochs: int,
    lr: float | None,
    seed: int,
    base: str | None,
    languages: str,
) -> None:
    """Generate APP's data from its schemas and train its functional-token LoRA adapter."""
    _train(ctx, app, samples, epochs, lr, seed, base, _languages(languages))


def _languages(text: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [language for language in chosen if language not in LANGUAGES]
    if unknown:
        raise OrchError(f"--languages: no phrasebooks in {', '.join(unknown)} (there are: {', '.join(LANGUAGES)})")
    return chosen


def _train(
    ctx: click.Context,
    app_name: str,
    samples: int | None,
    epochs: int,
    lr: float | None,
    seed: int,
    base: str | None,
    languages: tuple[str, ...] = (),
) -> None:
    from training.trainer import TrainConfig, train_app

    registry = _registry(ctx, check_files=False)
    app = registry.app(app_name)
    if base:
        registry.use_base(base)
    config = TrainConfig(
        samples=samples or max(360, 60 * len(app.functions)),
        epochs=epochs,
        learning_rate=lr,
        seed=seed,
        languages=languages,
    )
    if config.samples < 1 or config.epochs < 1:
        raise OrchError("--samples and --epochs must be positive")
    adapter_dir = registry.default_adapter_dir(app.name, other_languages=bool(languages))
    result = train_app(registry, app.name, config, adapter_dir=adapter_dir)
    command = f"orch train {app.name} --samples {config.samples} --epochs {epochs} --seed {seed}"
    command += (f" --lr {lr}" if lr else "") + (f" --base {base}" if base else "")
    command += f" --languages {','.join(languages)}" if languages else ""
    with registry_change(registry.path) as fresh:
        training = {
            "command": command,
            "examples": result.examples,
            "train_seconds": round(result.train_seconds, 1),
            "heldout": {k: round(v, 4) for k, v in result.metrics.items()},
        }
        relative = os.path.relpath(adapter_dir, registry.path.parent)
        fresh.record_adapter(app.name, registry.base_model, relative, training, other_languages=bool(languages))
    m = result.metrics
    click.echo(
        f"trained {app.name}: {result.examples} examples ({result.rejected} rejected), "
        f"{result.train_seconds:.0f}s, loss {result.final_loss:.4f}; held-out n={m['n']}: "
        f"function {m['function_accuracy']:.1%}, exact {m['exact_match']:.1%}"
        + (f"; sibling operations refused {m['sibling_refusal']:.1%} of {m['sibling_n']}" if "sibling_n" in m else "")
        + f" -> {adapter_dir}; the router's calibration predates it: run orch calibrate once the apps are trained"
    )


@cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["vllm"]), default="vllm", show_default=True)
@click.pass_context
def export_cmd(ctx: click.Context, directory: str, fmt: str) -> None:
    """Write the registry as an inference engine serves it (vLLM: one base, one pure LoRA per app)."""
    from orchestrator.engines.export import export_vllm

    click.echo(export_vllm(_registry(ctx), Path(directory)).summary())


@cli.command("use-base")
@click.argument("spec")
@click.pass_context
def use_base_cmd(ctx: click.Context, spec: str) -> None:
    """Make SPEC the base every app runs on (embedded:gemma-3-270m, embedded:SmolLM2-135M-Instruct,
    a model directory or a cached HF id); adapters trained for it are used as they are."""
    from orchestrator.engines.base_model import resolve_base_dir

    resolve_base_dir(spec)  # an unknown or missing base is refused before the registry changes
    with registry_change(ctx.obj["registry"]) as registry:
        calibrated = spec == registry.base_model or spec in registry.other_calibrations
        missing = registry.use_base(spec)
    click.echo(f"base model: {spec}")
    if not calibrated:
        click.echo("  router: not calibrated on this base yet (run: orch calibrate, once its adapters are trained)")
    for app in registry.apps.values():
        if app.name in missing:
            click.echo(f"  {app.name}: no adapter for this base yet (run: orch train {app.name})")
        else:
            click.echo(f"  {app.name}: {app.adapter}")


@cli.command("train-router")
@click.option("--epochs", type=int, default=2, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.pass_context
def train_router_cmd(ctx: click.Context, epochs: int, seed: int) -> None:
    """Tune the router's English encoder (a LoRA over all-MiniLM-L6-v2) on the registry's apps;
    run `orch calibrate` after it."""
    import time

    from training.router_encoder import TUNED_DIR, TuneConfig, train_router

    if epochs < 1:
        raise OrchError("--epochs must be positive")
    registry = _registry(ctx, check_files=False)
    if not registry.apps:
        raise OrchError("no apps to route: add one first (orch add-app NAME)")
    directory = registry.path.parent / TUNED_DIR
    started = time.perf_counter()
    results = train_router(registry, directory, TuneConfig(epochs=epochs, seed=seed))
    training = {
        "command": f"orch train-router --epochs {epochs} --seed {seed}",
        "texts": {part: result.texts for part, result in results.items()},
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    with registry_change(registry.path) as fresh:
        fresh.router_tuned_english = {"path": str(TUNED_DIR), "training": training}
    for part, result in results.items():
        click.echo(
            f"tuned {part}: {result.texts} texts, {result.steps} steps, "
            f"{result.seconds:.0f}s, loss {result.final_loss:.3f}"
        )
    click.echo(f"-> {directory}; the calibration predates it: run orch calibrate")


@cli.command("calibrate")
@click.option(
    "--check",
    is_flag=True,
    help="Fit nothing: exit non-zero unless the stored calibration was fitted on today's requests and weights.",
)
@click.pass_context
def calibrate_cmd(ctx: click.Context, check: bool) -> None:
    """Fit how router and adapters pool, the call threshold and the adapters' veto, on held-out
    requests; store them."""
    from orchestrator.apps import calibrate_router

    registry = _registry(ctx)
    if check:
        if stale := _stale_calibration(registry):
            raise OrchError(stale)
        fitted = "fitted on today's requests and weights" if registry.apps else "no apps, nothing to fit"
        click.echo(f"router calibration for {registry.base_model}: {fitted}")
        return
    report = calibrate_router(registry)
    with registry_change(registry.path) as fresh:
        fresh.calibration = registry.calibration
        fresh.other_language_calibration = registry.other_language_calibration
        fresh.calibration_inputs[fresh.base_model] = registry.calibration_inputs[registry.base_model]
    decisions = {"English": registry.calibration, "other languages": registry.other_language_calibration}
    for name, (threshold, (a, b, c), veto) in ((n, d) for n, d in decisions.items() if d is not None):
        click.echo(
            f"{name}: pooling {a:.3f} * logit(router) + {b:.3f} * logit(adapter) + {c:.3f}; "
            f"call at >= {threshold:.2f}; an adapter below {veto} never calls."
        )
    click.echo(
        f"On {report['requests']} held-out requests ({report['other_language_requests']} in other languages): "
        f"in-scope app {report['in_scope_app_accuracy']:.1%}, false calls {report['false_call_rate']:.1%}"
    )


def _stale_calibration(registry: Registry) -> str | None:
    """Why the active base's calibration may not be what ``orch calibrate`` makes today, or None
    (also for a registry without apps, which decides nothing)."""
    from orchestrator.apps import calibration_inputs

    if not registry.apps:
        return None
    recorded = registry.calibration_inputs.get(registry.base_model)
    if recorded == calibration_inputs(registry):
        return None
    when = "with no record of what it was fitted on" if recorded is None else "for other requests or weights"
    return f"router calibration for {registry.base_model} was fitted {when}: run orch calibrate"


# ----- requests -----------------------------------------------------------------------------------
def _read_query(words: tuple[str, ...]) -> str:
    if words:
        return " ".join(words)
    if not sys.stdin.isatty():
        data = sys.stdin.buffer.read()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise OrchError("query is not UTF-8 text") from None
    raise OrchError("query is empty")


@cli.command("run")
@click.argument("query", nargs=-1)
@click.option("--app", default=None, help="Skip the router and use this app's adapter.")
@click.option("--json", "as_json", is_flag=True, help="Print the call as JSON (OpenAI tool_calls shape).")
@click.option("--explain", is_flag=True, help="Show router scores, adapter, tokens and timings.")
@click.option("--execute", is_flag=True, help="Dispatch the call to the app's registered handler.")
@click.pass_context
def run_cmd(
    ctx: click.Context, query: tuple[str, ...], app: str | None, as_json: bool, explain: bool, execute: bool
) -> None:
    """Turn QUERY into a function call of the right app (or into no call)."""
    from orchestrator.request.orchestrator import Orchestrator, check_query

    registry = _registry(ctx)
    text = check_query(_read_query(query), registry.max_query_chars)
    orch = Orchestrator(registry)
    call = orch.run(text, app=app)
    if as_json:
        click.echo(json.dumps(call.to_json(explain=explain), indent=2 if explain else None, ensure_ascii=False))
    else:
        click.echo(call.summary())
        if explain:
            _explain(call)
            click.echo(f"  engine:   {engine_line(orch)}")
    if execute and call.ready:
        from orchestrator.serving.handlers import dispatch

        click.echo(dispatch(call))


def engine_line(orch) -> str:
    """Which engine decodes, and why not the fast one when it is not."""
    engine = "q8_0 on llama.cpp" if orch.weights == "q8_0" else f"torch ({orch.weights})"
    return f"{engine}; fast engine unavailable: {orch.engine_note}" if orch.engine_note else engine


def _explain(call) -> None:
    scores = ", ".join(f"{k} {v:.3f}" for k, v in sorted(call.router_scores.items(), key=lambda kv: -kv[1]))
    click.echo(f"  router:   {scores or 'bypassed (--app)'}")
    if call.decision:
        veto = call.decision.get("veto", 0.0)
        views = "; ".join(
            f"{c['app']}: router {c['router']:.3f} x adapter {c['adapter'] if c['adapter'] is not None else '-'}"
            f" -> {c['score']:.3f}{' (vetoed)' if c['adapter'] is not None and c['adapter'] < veto else ''}"
            for c in call.decision["candidates"]
        )
        verdict = call.decision["app"] or "no app"
        rule = f"call at >= {call.decision['threshold']}, adapter >= {veto}"
        click.echo(f"  decision: {views or 'no candidate app'} ({rule}) -> {verdict}")
    click.echo(f"  adapter:  {call.adapter or call.routed_app or '-'}")
    if call.function_scores:
        top = sorted(call.function_scores.items(), key=lambda kv: -kv[1])[:3]
        click.echo("  first token: " + ", ".join(f"{k} {v:.3f}" for k, v in top))
    if call.grounded:
        click.echo("  grounded: " + "; ".join(f"{k}: {v}" for k, v in call.grounded.items()))
    if call.needs_input:
        click.echo(f"  needs input: {', '.join(call.needs_input)} (the request does not say; nothing is called)")
    click.echo(f"  tokens:   {call.generated_tokens} generated")
    click.echo("  timings:  " + ", ".join(f"{k} {v:.1f}" for k, v in call.timings_ms.items()))


@cli.command("route")
@click.argument("query", nargs=-1)
@click.pass_context
def route_cmd(ctx: click.Context, query: tuple[str, ...]) -> None:
    """Show which app the router picks for QUERY, with scores."""
    from orchestrator.request.orchestrator import check_query
    from orchestrator.request.router import Router

    registry = _registry(ctx, check_files=False)
    route = Router(registry).route(check_query(_read_query(query), registry.max_query_chars))
    route_json = {"app": route.app, "scores": route.scores, "candidates": dict(route.candidates)}
    click.echo(json.dumps({**route_json, "other_language": route.other_language}))


@cli.command("eval")
@click.option("--data", "data_file", type=click.Path(dir_okay=False), help="Requests in dev.jsonl form.")
@click.option("--app", default=None, help="Bypass the router: score this app's adapter on its rows only.")
@click.option(
    "--heldout",
    "heldout_key",
    default=None,
    help="Instead of --data: score adapter KEY (an app, or APP.languages) on the held-out splits saved beside it.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object with all metrics.")
@click.option("--plot", "plot_file", type=click.Path(dir_okay=False), default=None, help="Write a PNG chart.")
@click.option(
    "--operating-points",
    is_flag=True,
    help="Also read the app-level decision with its threshold moved: in-scope requests given to their app "
    "where 4, 5 and 6% of the out-of-scope ones would be called (compares adapters apart from calibration).",
)
@click.pass_context
def eval_cmd(
    ctx: click.Context,
    data_file: str | None,
    app: str | None,
    heldout_key: str | None,
    as_json: bool,
    plot_file: str | None,
    operating_points: bool,
) -> None:
    """Score requests by the project's rule: router, function, exact match, schema validity, latency."""
    from orchestrator.evaluation.evaluate import evaluate, format_table, plot, read_rows
    from orchestrator.evaluation.operating import format_points, measure
    from orchestrator.request.orchestrator import Orchestrator

    if (data_file is None) == (heldout_key is None):
        raise OrchError("give one of --data FILE or --heldout ADAPTER")
    if heldout_key is not None:
        if app or plot_file or operating_points:
            raise OrchError("--heldout scores one adapter alone: --app, --plot and --operating-points do not apply")
        _print_heldout(_registry(ctx), heldout_key, as_json)
        return
    if app and operating_points:
        raise OrchError("--operating-points reads the routed decision: --app does not apply")
    rows = read_rows(data_file)
    registry = _registry(ctx)
    if app is None and (stale := _stale_calibration(registry)):  # --app bypasses the decision
        click.echo(f"warning: {stale}", err=True)
    orchestrator = Orchestrator(registry)
    result = evaluate(orchestrator, rows, app=app)
    if operating_points:
        result["operating_points"] = measure(orchestrator, rows)
    if plot_file:
        plot(result, plot_file)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(format_table(result))
    if result.get("operating_points"):
        click.echo("\n" + format_points(result["operating_points"]))


def _print_heldout(registry: Registry, key: str, as_json: bool) -> None:
    from training.trainer import score_heldout

    result = score_heldout(registry, key)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    click.echo(f"held-out splits of adapter {result['adapter']} ({result['path']}), torch {result['dtype']}")
    click.echo(
        f"  requests {result['n']:>4}: function {result['function_accuracy']:.1%}, exact {result['exact_match']:.1%}"
        f" (the decoder alone, before grounding and value rules: {result['decoder_exact_match']:.1%})"
    )
    if "sibling_n" in result:
        click.echo(f"  siblings {result['sibling_n']:>4}: refused {result['sibling_refusal']:.1%}")
    for miss in result["misses"]:
        click.echo(f"  miss: {miss['query']!r}: expected {_json_call(miss['expected'])}, got {_json_call(miss['got'])}")


def _json_call(call: list) -> str:
    function, arguments = call
    return f"{function}({json.dumps(arguments, ensure_ascii=False)})" if function else "no call"


@cli.command("bench")
@click.option(
    "--data", "data_file", default="../shared/eval/dev.jsonl", show_default=True, type=click.Path(dir_okay=False)
)
@click.option("--rag-rows", type=int, default=20, show_default=True, help="Requests for the RAG comparison (0: all).")
@click.option("--json", "as_json", is_flag=True)
@click.option("--plot", "plot_file", type=click.Path(dir_okay=False), default=None, help="PNG chart of RAG vs orch.")
@click.pass_context
def bench_cmd(ctx: click.Context, data_file: str, rag_rows: int, as_json: bool, plot_file: str | None) -> None:
    """Measure cold start, router, warm calls, adapter swaps, merged vs unmerged, and RAG vs orch."""
    from orchestrator.evaluation.bench import format_report, plot_report, run_bench
    from orchestrator.evaluation.evaluate import read_rows

    report = run_bench(ctx.obj["registry"], read_rows(data_file), rag_rows=rag_rows)
    if plot_file:
        plot_report(report, plot_file)
    click.echo(json.dumps(report, indent=2) if as_json else format_report(report))


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--max-batch", default=16, show_default=True, type=int, help="Requests the worker takes at once.")
@click.option(
    "--batching",
    type=click.Choice(["grouped", "mixed"]),
    help="One batch per adapter, or one mixed-adapter batch (default: the registry's pool.batching).",
)
@click.option(
    "--engine",
    type=click.Choice(["orch", "vllm"]),
    default="orch",
    show_default=True,
    help="Who runs the model: orch itself, or vLLM serving `orch export` (routing stays in orch).",
)
@click.option("--vllm-url", help="A running vLLM serving `orch export` (default: start `vllm serve` on one).")
@click.option(
    "--export-dir",
    type=click.Path(file_okay=False),
    help="Where the vLLM export is written (default: ORCH_CACHE/vllm-export/<base>); re-exported on start.",
)
@click.option("--vllm-timeout", default=30.0, show_default=True, type=float, help="Seconds before a 503.")
@click.pass_context
def serve_cmd(
    ctx: click.Context,
    host: str,
    port: int,
    max_batch: int,
    batching: str | None,
    engine: str,
    vllm_url: str | None,
    export_dir: str | None,
    vllm_timeout: float,
) -> None:
    """Serve /v1/call, /v1/route, /v1/chat/completions (OpenAI tool_calls shape), /v1/apps, /health."""
    from orchestrator.serving.server import serve

    registry = _registry(ctx)
    registry.pool_batching = batching or registry.pool_batching
    if engine == "orch":
        from orchestrator.request.orchestrator import Orchestrator

        orch = Orchestrator(registry)
        click.echo(f"orch serving {len(orch.registry.apps)} apps on http://{host}:{port}", err=True)
        serve(orch, host, port, max_batch=max_batch)
        return
    with vllm_engine(registry, vllm_url, export_dir, vllm_timeout) as orch:
        click.echo(f"orch serving {len(orch.apps)} apps on http://{host}:{port}, decoding in vLLM", err=True)
        serve(orch, host, port, max_batch=max(max_batch, 64))


@contextlib.contextmanager
def vllm_engine(registry, url: str | None, export_dir: str | None, timeout_s: float):
    """A ``VLLMEngine`` on ``url``, or on a ``vllm serve`` started here on a fresh export (stopped
    on exit)."""
    from orchestrator.engines.base_model import cache_root
    from orchestrator.engines.export import export_vllm
    from orchestrator.registry import base_slug
    from orchestrator.serving.vllm_engine import VLLMEngine
    from orchestrator.serving.vllm_process import VLLMProcess, vllm_python

    directory = Path(export_dir) if export_dir else cache_root() / "vllm-export" / base_slug(registry.base_model)
    process = None
    if url is None or not (directory / "export.json").exists():
        click.echo(export_vllm(registry, directory).summary(), err=True)
    if url is None:
        process = VLLMProcess(vllm_python(registry.path.parent), directory, directory / "vllm.log")
        click.echo(f"starting vllm serve on {process.url} (log: {process.log_path})", err=True)
        url = process.start()
    try:
        engine = VLLMEngine(registry, directory, url, timeout_s=timeout_s)
        try:
            yield engine
        finally:
            engine.close()
    finally:
        if process is not None:
            process.stop()


def main() -> None:
    """Run the CLI, then leave without interpreter teardown.

    Tearing down torch's thread pools and module graph takes ~1 s on 2 cores after the answer is
    already printed. Every file orch writes is closed and renamed into place before this point, so
    flushing the streams and calling ``os._exit`` loses nothing.
    """
    try:
        cli(prog_name="orch")
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # the reader went away (| head)
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
