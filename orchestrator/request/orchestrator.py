"""The request path: registry -> router -> adapter pool -> constrained decoder -> Call."""

from __future__ import annotations

import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestrator.calls import Call, prompt_text
from orchestrator.engines.adapter_pool import AdapterPool
from orchestrator.engines.base_model import BaseModel, load_base
from orchestrator.engines.constraints import Decoded
from orchestrator.engines.decoder import CallDecoder
from orchestrator.engines.llama_backend import LlamaApps, LlamaDecoder
from orchestrator.engines.probe import serving_weights
from orchestrator.errors import OrchError
from orchestrator.registry import App, Function, Registry, load_registry
from orchestrator.request.address import as_addressed
from orchestrator.request.all_the_way import as_a_setting
from orchestrator.request.choices import said_choices, unsaid_choices
from orchestrator.request.decision import Candidate, Verdict, call_probability, reachable, redecide
from orchestrator.request.grounding import UNSPACED, ground, missing
from orchestrator.request.left_empty import read_where_left_empty
from orchestrator.request.negation import told_not_to
from orchestrator.request.one_span import one_value_per_span
from orchestrator.request.other_operation import asks_another_operation
from orchestrator.request.repeat import as_asked, repeats_unasked
from orchestrator.request.route_ends import route_ends
from orchestrator.request.router import Route, Router
from orchestrator.request.statement import asks_for_nothing
from orchestrator.request.switch_object import names_a_home_thing, silences_one_thing, switches_something_else
from orchestrator.request.unspaced_values import as_the_template_frames_it
from orchestrator.request.value_frame import (
    a_clock_time_is_no_date,
    a_lone_end_as_the_start,
    frame_only_dropped,
    no_title_that_is_the_message,
    the_whole_message,
    time_and_thing_swapped,
    times_for_things_dropped,
    when_apart_from_other_values,
    when_less_its_frame,
    with_its_artist,
    with_its_clock_time,
    with_its_day,
    with_qualifiers,
    with_the_whole_time,
)
from orchestrator.request.value_words import (
    a_little_as_templated,
    phrased_levels,
    read_values,
    templated_levels,
    unsaid_levels,
)

# Chinese and Japanese put no spaces between words. A request that arrives word-segmented ("明日 の
# 7 時 に アラーム": from a speech front end, a tokenizer, a corpus) is joined back to the way the
# adapters and the router learnt the language; a space beside a Latin word ("用 Spotify 播放") stays.
_UNSPACED_GAP = re.compile(f"(?<=[{UNSPACED}]) (?=[{UNSPACED}0-9])|(?<=[{UNSPACED}0-9]) (?=[{UNSPACED}])")


def check_query(query: object, limit: int) -> str:
    """Reject what is not a usable request: non-text, empty, control bytes, over the length limit."""
    if not isinstance(query, str):
        raise OrchError(f"query must be text, got {type(query).__name__}")
    text = query.strip()
    if not text:
        raise OrchError("query is empty")
    for position, ch in enumerate(text):
        category = unicodedata.category(ch)
        if category == "Cs":
            # A lone UTF-16 surrogate: from JSON "\ud83c", or from bytes that were not UTF-8 on
            # the command line (Python keeps them as surrogates); no tokenizer can take it.
            raise OrchError(f"query is not valid text (a lone surrogate or invalid UTF-8 at character {position + 1})")
        if category == "Cc" and ch not in "\t\n\r":
            raise OrchError("query contains control characters; send plain text")
    if len(text) > limit:
        raise OrchError(f"query is {len(text)} characters; the limit is {limit} (decoding.max_query_chars)")
    return _UNSPACED_GAP.sub("", " ".join(text.split()))


class Orchestrator:
    """Turns a request into a schema-valid function call of the right app, or into no call."""

    def __init__(
        self,
        registry: Registry,
        base: BaseModel | None = None,
        router: Router | None = None,
        device: str | None = None,
        pool_mode: str | None = None,
    ) -> None:
        self.registry = registry
        base = base or load_base(registry, device=device)
        weights, self.engine_note = serving_weights(registry.weights, base)
        self.base = base
        self.router = router or Router(registry)
        if weights == "q8_0":
            self.weights = weights
            self.pool = LlamaApps(base, registry)
            self.decoder = LlamaDecoder(base, self.pool, max_new_tokens=registry.max_new_tokens)
        else:
            self.weights = str(base.dtype).removeprefix("torch.")
            self.pool = AdapterPool(self.base, registry, mode=pool_mode)
            self.decoder = CallDecoder(self.base, max_new_tokens=registry.max_new_tokens)

    @classmethod
    def from_registry(cls, path: str | Path, **kwargs) -> Orchestrator:
        return cls(load_registry(path), **kwargs)

    def route(self, query: str) -> Route:
        return self.router.route(check_query(query, self.registry.max_query_chars))

    def run(self, query: str, app: str | None = None) -> Call:
        """Route (unless ``app`` is given), ask the candidate apps' adapters, decode the call."""
        result = self.run_batch([(query, app)], mixed=True)[0]
        if isinstance(result, OrchError):
            raise result
        return result

    def run_batch(self, requests: list[tuple[str, str | None]], mixed: bool = False) -> list[Call | OrchError]:
        """Answer several requests in shared forward passes.

        A request with an app goes to that app's adapter, which alone decides whether to call. A
        request without one is routed; each candidate app's adapter reads it in the same batch,
        and ``decide`` pools both views (``orchestrator/request/decision.py``). ``mixed`` runs every row in
        one batch with per-row adapters (when the apps fit in the pool); otherwise one merged
        batch per app, and a routed request asks only its top candidate. A request that fails
        gets its error in its place.
        """
        texts = [check_query(query, self.registry.max_query_chars) for query, _ in requests]
        started = time.perf_counter()
        results: list[Call | OrchError | None] = [None] * len(requests)
        rows, verdicts, scores = plan_rows(self.router, self.registry, texts, requests, results, top_only=not mixed)
        route_ms = (time.perf_counter() - started) * 1000
        rows = self._loadable(rows, results, verdicts)
        several = len({row.adapter for row in rows}) > 1
        mixed = mixed and several and len(adapter_groups(rows, self.pool.max_resident)) == 1
        groups = adapter_groups(rows, self.pool.max_resident if mixed else 1)
        # The active adapter's group first: it needs no switch.
        for group in sorted(groups, key=lambda group: group[0].adapter != self.pool.active):
            group_started = time.perf_counter()
            try:
                if mixed:
                    model = self.pool.activate_rows([r.adapter for r in group], merged=_likeliest(group, verdicts))
                else:
                    model = self.pool.activate(group[0].adapter)
            except OrchError as err:
                for row in group:
                    results[row.request] = err
                continue
            timings = {"route_ms": route_ms, "adapter_ms": (time.perf_counter() - group_started) * 1000}
            batch = [(self.registry.app(row.app), self._prompt(texts[row.request])) for row in group]
            requested = [texts[row.request] for row in group]
            decoded = self.decoder.decode_batch(model, batch, gate=_gate(group, verdicts), texts=requested)
            for row, result in zip(group, decoded, strict=True):
                verdict = verdicts.get(row.request)
                if verdict is not None and verdict.app != row.app:
                    continue  # a candidate that lost: its request is answered by the winner, or by no call
                call = result if isinstance(result, OrchError) else self._call(texts[row.request], row.app, result)
                if isinstance(call, Call):
                    call.adapter = row.adapter
                    call.timings_ms = _rounded({**timings, **call.timings_ms, "total_ms": _since(started)})
                results[row.request] = call
        return settle_routed(results, verdicts, scores, texts, route_ms, started)

    def engine_health(self) -> dict:
        """What ``/health`` reports of the model side."""
        return {
            "engine": "orch",
            "weights": self.weights,
            "active_adapter": self.pool.active,
            "torch_weights_loaded": self.base.loaded,
            "adapter_switches": self.pool.stats["switches"],
            "batching": self.registry.pool_batching,
            **({"fast_engine_unavailable": self.engine_note} if self.engine_note else {}),
        }

    def judge(self, queries: list[str], batch_size: int = 16) -> list[Verdict]:
        """Both views of every candidate app for each query, from prefills alone (no decoding):
        what ``orch calibrate`` fits the threshold on."""
        texts = [check_query(query, self.registry.max_query_chars) for query in queries]
        routed = {i: (c, other) for i, _, c, other in self._candidates(texts, list(range(len(texts))), False)}
        # English requests first, then the others: an app's two adapters never share a batch.
        order = sorted(routed, key=lambda i: routed[i][1])
        verdicts: dict[int, Verdict] = {}
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            found = {i: open_verdict(self.router, routed[i][0], routed[i][1]) for i in chunk}
            rows = [
                _Row(i, c.app, c, self.registry.app(c.app).adapter_key(routed[i][1]))
                for i in chunk
                for c in found[i].candidates
            ]
            for group in adapter_groups(rows, self.pool.max_resident):
                model = self.pool.activate_rows([r.adapter for r in group])
                batch = [(self.registry.app(r.app), self._prompt(texts[r.request])) for r in group]
                record = _gate(group, found)
                self.decoder.decode_batch(model, batch, gate=lambda scores, gate=record: [False for _ in gate(scores)])
            verdicts.update(found)
        return [verdicts[i] for i in range(len(texts))]

    def _candidates(self, texts: list[str], indices: list[int], reachable_only: bool = True):
        return route_candidates(self.router, texts, indices, reachable_only)

    def _loadable(self, rows: list[_Row], results: list, verdicts: dict[int, Verdict]) -> list[_Row]:
        """Rows whose app's adapter loads; a request whose every row fails gets the error."""
        kept = []
        for row in rows:
            try:
                self.pool.load(row.adapter)
                kept.append(row)
            except OrchError as err:
                if row.request in verdicts:
                    verdicts[row.request].candidates.remove(row.candidate)
                if row.request not in verdicts or not verdicts[row.request].candidates:
                    results[row.request] = err
        return kept

    def _prompt(self, text: str) -> list[int]:
        return self.base.tokenizer(prompt_text(self.registry.prompt_template, text), add_special_tokens=False).input_ids

    def _call(self, text: str, app: str, decoded: Decoded) -> Call:
        return grounded_call(self.registry, text, app, decoded)


def route_candidates(router: Router, texts: list[str], indices: list[int], reachable_only: bool = True):
    """(index, router probabilities by class, candidate apps, whether it is in another language
    than English) for the given requests. With ``reachable_only``, a candidate that cannot reach
    the threshold even with a sure adapter is left out (no adapter row is spent on it; a request
    with none left gets no call)."""
    if not indices:
        return []
    probabilities, other_language = router.read([texts[i] for i in indices])
    return [
        (
            i,
            router.named(probs),
            [
                Candidate(app, p)
                for app, p in router.candidates(probs)
                if not reachable_only or reachable(p, *router.calibration_for(other)[:2])
            ],
            other,
        )
        for i, probs, other in zip(indices, probabilities, other_language, strict=True)
    ]


def open_verdict(router: Router, candidates: list[Candidate], other_language: bool) -> Verdict:
    """A routed request's verdict before its adapters are read, under the calibration of its
    language (``Router.calibration_for``)."""
    threshold, pooling, veto = router.calibration_for(other_language)
    return Verdict(None, threshold, candidates, veto, pooling)


def plan_rows(
    router: Router,
    registry: Registry,
    texts: list[str],
    requests: list[tuple[str, str | None]],
    results: list,
    top_only: bool = False,
) -> tuple[list[_Row], dict[int, Verdict], dict[int, dict[str, float]]]:
    """The (request, app) rows to ask: a request's given app, or its reachable router candidates
    (only the top one with ``top_only``), each under the adapter for the request's language;
    with each routed request's open verdict and router scores. A request naming an unknown app
    gets its error in ``results``."""
    verdicts: dict[int, Verdict] = {}
    scores: dict[int, dict[str, float]] = {}
    rows: list[_Row] = []
    unrouted = [i for i, (_, app) in enumerate(requests) if app is None]
    for i, route_scores, candidates, other in route_candidates(router, texts, unrouted):
        scores[i] = route_scores
        candidates = candidates[:1] if top_only else candidates
        verdicts[i] = open_verdict(router, candidates, other)
        rows += [_Row(i, c.app, c, registry.app(c.app).adapter_key(other)) for c in candidates]
    given: list[tuple[int, App]] = []
    for i, (_, app) in enumerate(requests):
        if app is not None:
            try:
                given.append((i, registry.app(app)))
            except OrchError as err:
                results[i] = err
    # Only an app with an adapter for other languages needs the request's language.
    asked = [i for i, app in given if app.other_languages]
    other_language = dict(zip(asked, router.other_language([texts[i] for i in asked]) if asked else [], strict=True))
    rows += [_Row(i, app.name, None, app.adapter_key(other_language.get(i, False))) for i, app in given]
    return rows, verdicts, scores


def adapter_groups(rows: list[_Row], limit: int) -> list[list[_Row]]:
    """The rows as batches: all in one when their adapters number at most ``limit`` and no two
    are of one app (an app's adapters share its functional-token rows, which one batch cannot
    hold twice); otherwise one batch per adapter."""
    adapters = list(dict.fromkeys(row.adapter for row in rows))
    apps = {row.app for row in rows}
    if len(adapters) <= limit and len(apps) == len(adapters):
        return [rows] if rows else []
    return [[row for row in rows if row.adapter == adapter] for adapter in adapters]


def settle_routed(
    results: list,
    verdicts: dict[int, Verdict],
    scores: dict[int, dict[str, float]],
    texts: list[str],
    route_ms: float,
    started: float,
) -> list:
    """Routed requests that no app answered get no call, timed like a call (a refusal costs the
    routing and any adapter that was asked); every routed call carries its decision."""
    for i, verdict in verdicts.items():
        if results[i] is None:
            timings = {"route_ms": route_ms, "total_ms": _since(started)}
            results[i] = Call(texts[i], None, None, {}, timings_ms=_rounded(timings))
        if isinstance(results[i], Call):
            results[i].decision = verdict.to_json()
            results[i].router_scores = scores[i]
    return results


def grounded_call(registry: Registry, text: str, app: str, decoded: Decoded) -> Call:
    """The decoded call, its free-text values grounded in the request (``grounding.py``) and, in
    Chinese and Japanese, as the template the request follows frames them
    (``unspaced_values.py``), with the qualifiers around them and none made of the frame alone
    (``value_frame.py``), a route's ends where the request's "from" and "to" put them
    (``route_ends.py``), the values it states in words read the same way every time
    (``value_words.py``), the optional choices it does not make left to the schema and the
    choices it says made (``choices.py``). A step the request says to take all the way, or to a
    number, is the setting there (``all_the_way.py``: "turn the volume all the way up" is
    ``set_volume`` at its maximum). A message to an email address is an email (``address.py``:
    "send happy new year to john@gmail dot com" is no text message). No call where the request

    - says only the assistant's name, states a taste, tells what happened or, to a look-up, how
      things are, and asks for nothing, or to a function that calls says "called" and no word
      that asks to call, or to a function that does something asks what was done
      (``statement.py``: "google", "i love hip hop", "i called my mom this morning", "it's
      cloudy today", "alarm at 6 called yoga", "what did I order last time");
    - rules the function's action out (``negation.py``: "don't call mom");
    - does not name the switch it would flip, names a home's thing for a phone's or car's
      setting, or one thing's notifications for Do Not Disturb (``switch_object.py``: "turn wemo
      on", "lower the blinds", "turn off notifications for whatsapp");
    - asks to remove, switch off, look up or move what the function makes, which its app cannot,
      or to be sent what a function that sends would send to someone (``other_operation.py``:
      "cancel my alarm", "send me a reminder to ...");
    - does not say again to a function that repeats, where its app has no function that does the
      thing afresh (``repeat.py``: "order something from Panda Express" is no reorder; it is
      DoorDash's ``order_food(restaurant="Panda Express")``, which asks for the dish)."""
    arguments, grounded, function = decoded.arguments, {}, decoded.function
    if function:
        application = registry.app(app)
        fn, arguments, asked = as_asked(application, application.function(function), arguments, text)
        fn, arguments, addressed = as_addressed(application, fn, arguments)
        asked |= addressed
        fn, arguments, to_the_end = as_a_setting(application, fn, arguments, text)
        asked |= to_the_end
        function = fn.name
        if (
            asks_for_nothing(fn, text)
            or told_not_to(fn, text, arguments)
            or switches_something_else(application, fn, text)
            or names_a_home_thing(application, fn, text)
            or silences_one_thing(fn, text, arguments)
            or asks_another_operation(application, fn, text, arguments)
            or repeats_unasked(fn, text, arguments)
        ):
            arguments, function = {}, None
        else:
            arguments, grounded = settle(application, fn, arguments, text)
            grounded = {**asked, **grounded}
    return Call(
        query=text,
        app=app if function else None,
        function=function,
        arguments=arguments,
        grounded=grounded,
        needs_input=missing(grounded),
        routed_app=app,
        function_scores=decoded.function_scores,
        generated_tokens=decoded.generated_tokens,
        timings_ms=dict(decoded.timings_ms),
    )


def settle(app: App, fn: Function, arguments: dict[str, Any], text: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The arguments a call of ``app``'s ``fn`` carries for request ``text``: a required value
    the model wrote empty read from the template the request follows (``left_empty.py``),
    free-text values grounded in the request with their qualifiers (a song with its artist, a
    message as dictated), Chinese and Japanese values as the template the request follows frames
    them, none made of the frame alone or of another value with the frame around it, no thing
    looked for that is a time, a route's ends where "from" and "to" put them, a time written where
    a thing goes put back in its place, no clock time as a date or a name, times and dates apart
    from the other values and the template's words (a title less its time), a lone end as the
    start, no subject made of the message, each time as all of the time said, with the day said
    after it and the clock time said after its day, no optional value that is only a word of
    another (``one_span.py``), values said in words read by rule and as the phrasebooks'
    templates set them, optional choices it does not say left to the schema and those it says
    made; and what changed (``ground``'s form)."""
    arguments, read_empty = read_where_left_empty(app, fn, arguments, text)
    arguments, grounded = ground(fn, arguments, text)
    arguments, unspaced = as_the_template_frames_it(app, fn, arguments, text)
    arguments, ends = route_ends(fn, arguments, text)
    arguments, swapped = time_and_thing_swapped(fn, arguments)
    arguments, clock = a_clock_time_is_no_date(fn, arguments, text)
    arguments, apart = when_apart_from_other_values(fn, arguments)
    arguments, unframed = when_less_its_frame(app, fn, arguments)
    arguments, started = a_lone_end_as_the_start(fn, arguments, text)
    arguments, untitled = no_title_that_is_the_message(fn, arguments, text)
    arguments, whole = with_the_whole_time(fn, arguments, text)
    arguments, day = with_its_day(fn, arguments, text)
    arguments, clock_time = with_its_clock_time(fn, arguments, text)
    arguments, framed = frame_only_dropped(app, fn, arguments, text)
    arguments, untimed = times_for_things_dropped(fn, arguments)
    arguments, qualified = with_qualifiers(app, fn, arguments, text)
    arguments, dictated = the_whole_message(app, fn, arguments, text)
    arguments, artist = with_its_artist(app, fn, arguments, text)
    arguments, twice = one_value_per_span(fn, arguments, text)
    arguments, read = read_values(fn, arguments, text)
    arguments, templated = templated_levels(app, fn, arguments, text)
    arguments, a_little = a_little_as_templated(app, fn, arguments, text)
    arguments, phrased = phrased_levels(app, fn, arguments, text)
    arguments, asked = unsaid_levels(app, fn, arguments, text)
    arguments, unsaid = unsaid_choices(app, fn, arguments, text)
    arguments, said = said_choices(app, fn, arguments, text)
    return arguments, {
        **read_empty,
        **grounded,
        **unspaced,
        **ends,
        **swapped,
        **clock,
        **apart,
        **unframed,
        **started,
        **untitled,
        **whole,
        **day,
        **clock_time,
        **framed,
        **untimed,
        **qualified,
        **dictated,
        **artist,
        **twice,
        **read,
        **templated,
        **a_little,
        **phrased,
        **asked,
        **unsaid,
        **said,
    }


@dataclass
class _Row:
    """One (request, app) pair to decode: the request's given app, or one of its candidates;
    ``adapter`` is the adapter pool's key of the app's adapter that answers it (by default the
    app's own)."""

    request: int
    app: str
    candidate: Candidate | None = None
    adapter: str = ""

    def __post_init__(self) -> None:
        self.adapter = self.adapter or self.app


def _gate(rows: list[_Row], verdicts: dict[int, Verdict]):
    """The decoder's gate for one batch: records each candidate adapter's view, decides each
    routed request, and lets only its winner call (rows with a given app decide alone)."""

    def gate(first_token_scores: list[dict[str, float]]) -> list[bool | None]:
        for row, scores in zip(rows, first_token_scores, strict=True):
            if row.candidate is not None:
                row.candidate.adapter = call_probability(scores)
        for request in {row.request for row in rows if row.candidate is not None}:
            verdicts[request] = redecide(verdicts[request])
        return [None if row.candidate is None else verdicts[row.request].app == row.app for row in rows]

    return gate


def _likeliest(rows: list[_Row], verdicts: dict[int, Verdict]) -> str:
    """The adapter most rows will decode under: each request's given app's or its router's top
    candidate's."""
    likely = [
        row.adapter for row in rows if row.candidate is None or row.candidate is verdicts[row.request].candidates[0]
    ]
    return Counter(likely or [row.adapter for row in rows]).most_common(1)[0][0]


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _rounded(timings: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 2) for k, v in timings.items()}
