"""``orch eval``: score requests in the dev.jsonl form with the rule in ../shared/README.md.

A row without an ``arguments`` key is scored for router and function only and left out of exact
match's denominator. The false-call rate is the share of rows whose ``app`` is null that got a
call anyway (one that needs input included: it was going to do something); the false-action rate
counts only the calls among them that would run (needing no input); in-scope function
accuracy is function accuracy over the other rows. Rows that carry a ``source`` are also tallied
per source. Free-text values that are not spans of the request are listed as invented, and calls
held back for a missing required value are counted. A request that fails (the decoder gives up)
is listed under ``failed`` and scored as no call.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestrator.calls import Call, free_text, validate_call
from orchestrator.errors import OrchError
from orchestrator.evaluation.scoring import arguments_match
from orchestrator.registry import Registry
from orchestrator.request.grounding import said


@dataclass
class EvalRow:
    query: str
    app: str | None
    function: str | None
    arguments: dict[str, Any] | None  # None: the row says nothing of arguments
    source: str | None = None


@dataclass
class Outcome:
    row: EvalRow
    call: Call
    router_ok: bool
    function_ok: bool
    exact_ok: bool
    schema_valid: bool
    ms: float
    invented: dict[str, str] = field(default_factory=dict)  # free-text values the request never said


@dataclass
class Tally:
    n: int = 0
    router: int = 0
    function: int = 0
    exact: int = 0
    exact_n: int = 0
    valid: int = 0
    calls: int = 0
    in_scope: int = 0
    in_scope_function: int = 0
    out_of_scope: int = 0
    false_calls: int = 0
    false_actions: int = 0
    needs_input: int = 0
    latencies: list[float] = field(default_factory=list)

    def add(self, o: Outcome) -> None:
        self.n += 1
        self.router += o.router_ok
        self.function += o.function_ok
        if o.row.arguments is not None:
            self.exact_n += 1
            self.exact += o.exact_ok
        self.calls += o.call.is_call
        self.valid += o.call.is_call and o.schema_valid
        self.needs_input += bool(o.call.needs_input)
        if o.row.app is None:
            self.out_of_scope += 1
            self.false_calls += o.call.is_call
            self.false_actions += o.call.is_call and not o.call.needs_input
        else:
            self.in_scope += 1
            self.in_scope_function += o.function_ok
        self.latencies.append(o.ms)

    def summary(self) -> dict[str, Any]:
        n = max(1, self.n)
        return {
            "n": self.n,
            "router_accuracy": round(self.router / n, 4),
            "function_accuracy": round(self.function / n, 4),
            "exact_match": round(self.exact / self.exact_n, 4) if self.exact_n else None,
            "exact_n": self.exact_n,
            "in_scope_function_accuracy": round(self.in_scope_function / self.in_scope, 4) if self.in_scope else None,
            "false_call_rate": round(self.false_calls / self.out_of_scope, 4) if self.out_of_scope else None,
            "false_action_rate": round(self.false_actions / self.out_of_scope, 4) if self.out_of_scope else None,
            "out_of_scope_n": self.out_of_scope,
            "schema_valid_rate": round(self.valid / self.calls, 4) if self.calls else 1.0,
            "needs_input": self.needs_input,
            "p50_ms": round(percentile(self.latencies, 50), 1),
            "p95_ms": round(percentile(self.latencies, 95), 1),
        }


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def read_rows(path: str | Path) -> list[EvalRow]:
    """Rows of an eval file; a malformed line stops with its line number."""
    path = Path(path)
    if not path.is_file():
        raise OrchError(f"{path}: eval file not found")
    from orchestrator.request.orchestrator import check_query

    rows = []
    for number, data in enumerate(path.read_bytes().splitlines(), start=1):
        try:
            line = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise OrchError(f"{path}: line {number}: not valid UTF-8 (byte {err.start + 1})") from None
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as err:
            raise OrchError(f"{path}: line {number}: invalid JSON: {err.msg}") from None
        if not isinstance(raw, dict) or not isinstance(raw.get("query"), str):
            raise OrchError(f"{path}: line {number}: needs an object with a string 'query'")
        try:
            check_query(raw["query"], limit=len(raw["query"]))
        except OrchError as err:
            raise OrchError(f"{path}: line {number}: {err}") from None
        args = raw.get("arguments", None)
        if "arguments" in raw and not isinstance(args, dict):
            raise OrchError(f"{path}: line {number}: 'arguments' must be an object")
        for key in ("app", "function", "source"):
            if raw.get(key) is not None and not isinstance(raw[key], str):
                raise OrchError(f"{path}: line {number}: '{key}' must be a string or null")
        rows.append(EvalRow(raw["query"], raw.get("app"), raw.get("function"), args, raw.get("source")))
    if not rows:
        raise OrchError(f"{path}: no rows to evaluate")
    return rows


def score(registry: Registry, row: EvalRow, call: Call, routed_app: str | None) -> Outcome:
    router_ok = routed_app == row.app
    function_ok = call.app == row.app and call.function == row.function
    exact_ok = False
    valid = True
    invented: dict[str, str] = {}
    if call.is_call and call.app in registry.apps:
        fn = registry.app(call.app).function(call.function or "")
        properties = fn.parameters.get("properties", {})
        try:
            validate_call(fn, call)
        except OrchError:
            valid = False
        invented = {
            name: value
            for name, value in call.arguments.items()
            if isinstance(value, str) and free_text(properties.get(name, {})) and not said(value, call.query)
        }
        exact_ok = function_ok and row.arguments is not None and arguments_match(fn, call.arguments, row.arguments)
    elif function_ok:
        exact_ok = True  # both "no call"
    ms = call.timings_ms.get("total_ms", 0.0)
    return Outcome(row, call, router_ok, function_ok, exact_ok, valid, ms, invented)


def evaluate(orchestrator, rows: list[EvalRow], app: str | None = None) -> dict[str, Any]:
    """Run every row (through the router, or straight to ``app``'s adapter) and tally the scores."""
    registry = orchestrator.registry
    if app is not None:
        registry.app(app)
        rows = [r for r in rows if r.app == app]
        if not rows:
            raise OrchError(f"no rows for app {app!r} in the eval file")
    overall = Tally()
    per_app: dict[str, Tally] = {}
    per_source: dict[str, Tally] = {}
    misses = []
    invented = []
    failed = []
    for row in rows:
        try:
            call = orchestrator.run(row.query, app=app)
        except OrchError as err:
            # One request the decoder gives up on (arguments past the token limit) is that row's
            # failure, scored as no call, not the end of the run.
            call = Call(row.query, None, None)
            failed.append({"query": row.query, "error": str(err)})
        routed = app if app is not None else (call.routed_app if call.routed_app else None)
        outcome = score(registry, row, call, routed)
        overall.add(outcome)
        per_app.setdefault(row.app or "none", Tally()).add(outcome)
        if row.source is not None:
            per_source.setdefault(row.source, Tally()).add(outcome)
        invented += [{"query": row.query, "parameter": k, "value": v} for k, v in outcome.invented.items()]
        if not (outcome.exact_ok if row.arguments is not None else outcome.function_ok):
            misses.append(
                {
                    "query": row.query,
                    "expected": {"app": row.app, "function": row.function, "arguments": row.arguments},
                    "got": {
                        "app": call.app,
                        "function": call.function,
                        "arguments": call.arguments,
                        "routed_app": routed,
                    },
                }
            )
    result = overall.summary()
    result["per_app"] = {name: tally.summary() for name, tally in sorted(per_app.items())}
    if per_source:
        result["per_source"] = {name: tally.summary() for name, tally in sorted(per_source.items())}
    result["misses"] = misses
    result["invented_values"] = invented
    result["failed"] = failed
    result["mode"] = f"adapter only ({app})" if app else "router + adapters"
    return result


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _table(title: str, rows: list[tuple[str, dict[str, Any]]]) -> list[str]:
    width = max(10, *(len(name) for name, _ in rows))
    head = (
        f"{title:<{width}} {'n':>4} {'router':>7} {'function':>9} {'in-scope fn':>11} {'exact':>7} {'exact n':>7} "
        f"{'false call':>10} {'valid':>7} {'p50 ms':>8} {'p95 ms':>8}"
    )
    lines = [head, "-" * len(head)]
    for name, r in rows:
        lines.append(
            f"{name:<{width}} {r['n']:>4} {r['router_accuracy']:>7.1%} {r['function_accuracy']:>9.1%} "
            f"{_share(r['in_scope_function_accuracy']):>11} {_share(r['exact_match']):>7} {r['exact_n']:>7} "
            f"{_share(r['false_call_rate']):>10} {r['schema_valid_rate']:>7.1%} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f}"
        )
    return lines


def format_table(result: dict[str, Any]) -> str:
    lines = [f"orch eval ({result['mode']})"]
    lines += _table("app", [*result["per_app"].items(), ("overall", result)])
    if result.get("per_source"):
        lines += ["", *_table("source", list(result["per_source"].items()))]
    invented = result.get("invented_values") or []
    lines.append(f"\ninvented values (free text the request never said): {len(invented)}")
    lines += [f"  {v['query']!r}: {v['parameter']}={json.dumps(v['value'], ensure_ascii=False)}" for v in invented]
    if result["misses"]:
        lines.append(f"\nmisses ({len(result['misses'])}; exact where the row has arguments, else function):")
        for miss in result["misses"]:
            e, g = miss["expected"], miss["got"]
            lines.append(
                f"  {miss['query']!r}\n    expected {e['app']}.{e['function']} {_json(e['arguments'] or {})}"
                f"\n    got      {g['app']}.{g['function']} {_json(g['arguments'])} (routed: {g['routed_app']})"
            )
    return "\n".join(lines)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def pyplot():
    """matplotlib's pyplot on the file-only Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot(result: dict[str, Any], path: str | Path) -> None:
    """Bar chart of router / function / exact accuracy per app."""
    plt = pyplot()

    names = [*result["per_app"], "overall"]
    data = [*result["per_app"].values(), result]
    metrics = [("router_accuracy", "router"), ("function_accuracy", "function"), ("exact_match", "exact match")]
    data = [{**d, "exact_match": d["exact_match"] or 0.0} for d in data]
    fig, ax = plt.subplots(figsize=(1.4 * len(names) + 3.5, 3.6))
    width = 0.27
    for i, (key, label) in enumerate(metrics):
        ax.bar([x + (i - 1) * width for x in range(len(names))], [d[key] for d in data], width, label=label)
    ax.set_xticks(range(len(names)), names)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("accuracy")
    ax.set_title(f"orch eval: {result['mode']}, n={result['n']}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
