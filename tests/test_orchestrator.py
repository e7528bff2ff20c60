"""The request path on the real embedded base and the committed adapters."""

from __future__ import annotations

import json
import random
import string

import pytest
import torch
from click.testing import CliRunner

from orchestrator.calls import prompt_text, validate_call
from orchestrator.catalog import builtin_tools
from orchestrator.cli import cli
from orchestrator.engines.adapter_pool import AdapterPool
from orchestrator.engines.decoder import CallDecoder
from orchestrator.errors import OrchError
from orchestrator.evaluation.evaluate import evaluate, read_rows
from orchestrator.request.decision import redecide
from orchestrator.request.orchestrator import _Row, adapter_groups

from .conftest import ROOT, SHARED
from .numeric_paths import SCORE_TOLERANCE, compare_calls

DEV = SHARED / "eval" / "dev.jsonl"
needs_dev = pytest.mark.skipif(not DEV.is_file(), reason="../shared/eval/dev.jsonl not beside the checkout")


def fuzz_queries(count: int, seed: int = 0) -> list[str]:
    """Random words, numbers, unicode and junk punctuation: nothing the adapters trained on."""
    rng = random.Random(seed)
    words = [
        "order",
        "set",
        "find",
        "play",
        "turn",
        "call",
        "the",
        "a",
        "to",
        "on",
        "off",
        "12",
        "7pm",
        "café",
        "東京",
        "⚡",
        "{}",
        '"',
        "'",
        ";",
        "null",
        "true",
    ]
    out = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.5:
            out.append(" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))))
        elif kind < 0.8:
            out.append("".join(rng.choice(string.printable[:94]) for _ in range(rng.randint(1, 80))))
        else:
            out.append(rng.choice(words) + " " + "x" * rng.randint(100, 400))
    return out


def test_run_order_pizza(orchestrator) -> None:
    call = orchestrator.run("order pizza")
    assert (call.app, call.function) == ("doordash", "order_food")
    assert call.arguments["item"].lower() == "pizza"
    assert call.tool_calls()[0]["function"]["name"] == "order_food"


def test_first_token_is_one_of_the_apps_tokens(orchestrator) -> None:
    app = orchestrator.registry.app("vehicle")
    call = orchestrator.run("order pizza", app="vehicle")  # the router would never send this to vehicle
    assert call.function in {fn.name for fn in app.functions} | {None}
    assert set(call.function_scores) == {fn.name for fn in app.functions} | {"<no call>"}


def test_every_call_is_schema_valid(orchestrator) -> None:
    queries = fuzz_queries(40)
    if DEV.is_file():
        queries += [row.query for row in read_rows(DEV)]
    apps = list(orchestrator.registry.apps)
    requests = [(query, app) for i, query in enumerate(queries) for app in (None, apps[i % len(apps)])]
    # One merged batch per app, as serving groups requests: a batch answers as its requests alone
    # do (test_batched_calls_equal_one_at_a_time), in a fraction of the time.
    for call in orchestrator.run_batch(requests):
        if isinstance(call, OrchError):
            assert "longer than" in str(call), call  # the only refusal: arguments past the token cap
        elif call.is_call:
            validate_call(orchestrator.registry.app(call.app).function(call.function), call)


def test_pool_keeps_recent_adapters_and_evicts_the_oldest(orchestrator) -> None:
    pool = AdapterPool(orchestrator.base, orchestrator.registry, max_resident=2)
    try:
        pool.activate("doordash")
        pool.activate("yelp")
        loads = pool.stats["cold_loads"]
        pool.activate("doordash")  # resident: a switch, no load
        assert pool.stats["cold_loads"] == loads
        pool.activate("vehicle")  # evicts yelp, the least recently used
        assert list(pool.resident) == ["doordash", "vehicle"]
    finally:
        for app in list(pool.resident):
            pool.evict(app)
    orchestrator.pool.active = None  # the shared pool must re-apply its adapter next time
    orchestrator.pool.resident.clear()


BATCHED_REQUESTS = [
    ("order a burger and fries from McDonald's", "doordash"),
    ("turn on the front defroster", "vehicle"),
    ("find coffee shops in Denver", "yelp"),
    ("set an alarm for 7 am", "android"),
    ("what is the capital of Peru", "doordash"),
    ("fan speed 3", "vehicle"),
    ("text mom that I'm running late", "android"),
    ("set the temperature to 21 degrees", "vehicle"),
    ("book a table for two at Nobu at 7 pm", "yelp"),
    ("take a selfie", "android"),
]


@pytest.fixture(scope="module")
def calls_alone(orchestrator) -> list:
    """``BATCHED_REQUESTS`` answered one at a time (once for both batching modes)."""
    return [orchestrator.run(query, app=app) for query, app in BATCHED_REQUESTS]


@pytest.mark.parametrize("mixed", [False, True], ids=["grouped", "mixed"])
def test_batched_calls_equal_one_at_a_time(orchestrator, calls_alone, mixed: bool) -> None:
    """Serving batches requests of different apps; each must get its solo answer (padding and
    other shapes round differently: decisions are compared where they are clear, ``numeric_paths``)."""
    together = orchestrator.run_batch(BATCHED_REQUESTS, mixed=mixed)
    compare_calls(calls_alone, together).check()
    assert any(c.function is None for c in together) and sum(c.is_call for c in together) >= 5


def test_a_mixed_batch_over_a_merged_app_gives_each_row_its_own_adapter(orchestrator) -> None:
    """The likeliest app is merged and the other rows add the difference of the two LoRAs; once
    only the merged app's rows are left, the hooks step aside."""
    pool, base = orchestrator.pool, orchestrator.base
    text = prompt_text(orchestrator.registry.prompt_template, "order a pizza and turn on the AC")
    ids = torch.tensor([base.tokenizer(text, add_special_tokens=False).input_ids])
    with torch.inference_mode():
        mixed = pool.activate_rows(["doordash", "vehicle"], merged="doordash")
        assert pool.active == "doordash"
        together = mixed(input_ids=ids.repeat(2, 1)).logits
        mixed.keep_rows([0])
        assert mixed.merged_only
        left_alone = mixed(input_ids=ids).logits
        doordash = pool.activate("doordash")(input_ids=ids).logits
        vehicle = pool.activate("vehicle")(input_ids=ids).logits
    # float32: equal to rounding. bf16 (CPUs with native bf16): a merged weight is rounded to 8
    # mantissa bits, so merged-A-plus-delta and merged-B differ by a few logits somewhere in the
    # vocabulary (measured 0.78 with adapters 19.9 apart, 2.75 with the adapters of 2026-11-30, 27
    # apart): each row must be far closer to its own adapter than to the other (a quarter of the
    # distance), and its first token over the app's functional and end tokens within the
    # numeric-paths tolerance of the adapter alone.
    apart = float((doordash - vehicle).abs().max())
    assert apart > 1.0
    for app, got, want in (("doordash", together[0], doordash[0]), ("vehicle", together[1], vehicle[0])):
        error = float((got - want).abs().max())
        assert error <= (2e-3 if want.dtype == torch.float32 else apart / 4), (error, apart)
        tokens = [base.token_id(t) for t in (*orchestrator.registry.app(app).function_tokens, f"<{app}_end>")]
        first = (torch.softmax(got[-1, tokens].float(), -1) - torch.softmax(want[-1, tokens].float(), -1)).abs()
        assert float(first.max()) < SCORE_TOLERANCE, (app, first)
    assert torch.equal(left_alone, doordash)


@pytest.mark.parametrize("mixed", [False, True], ids=["grouped", "mixed"])
def test_an_app_without_adapter_fails_only_its_own_requests(orchestrator, mixed: bool) -> None:
    orchestrator.registry.add_app("untrained", *builtin_tools("doordash"))  # registered, never trained
    try:
        requests = [("order a burger", "doordash"), ("anything", "untrained"), ("fan speed 3", "vehicle")]
        burger, untrained, fan = orchestrator.run_batch(requests, mixed=mixed)
    finally:
        orchestrator.registry.remove_app("untrained")
    assert isinstance(untrained, OrchError) and "no trained adapter" in str(untrained)
    assert burger.function == "order_food" and fan.app == "vehicle"


def test_one_failing_row_does_not_fail_the_batch(orchestrator) -> None:
    app = orchestrator.registry.app("android")
    short = CallDecoder(orchestrator.base, max_new_tokens=3)
    prompts = [
        orchestrator.base.tokenizer(
            prompt_text(orchestrator.registry.prompt_template, q), add_special_tokens=False
        ).input_ids
        for q in ("text mom that I'm running late and will be there at 9", "what is the capital of Peru")
    ]
    long_call, no_call = short.decode_batch(orchestrator.pool.activate("android"), [(app, p) for p in prompts])
    assert isinstance(long_call, OrchError) and "longer than 3 tokens" in str(long_call)
    assert no_call.function is None


# The dev accuracy floors, in rows: a single request near a boundary flips with the CPU's dtype
# (2.3 points of 44), so the floors leave DEV_MARGIN_ROWS rows below all-right.
DEV_MARGIN_ROWS = 2


@needs_dev
def test_app_decision_on_dev(orchestrator) -> None:
    """Router and candidate adapters together pick the right app (or none) on hand-written rows."""
    rows = read_rows(DEV)
    verdicts = orchestrator.judge([row.query for row in rows])
    picks = [redecide(v).app for v in verdicts]
    right = sum(pick == row.app for pick, row in zip(picks, rows, strict=True))
    print(f"app decision on dev: {right}/{len(rows)}")
    assert right >= len(rows) - DEV_MARGIN_ROWS


def test_a_request_in_another_language_is_decided_by_its_own_calibration(orchestrator) -> None:
    """Requests the router reads as in another language than English get the decision
    ``orch calibrate`` fitted for them apart; English ones keep the English one."""
    router = orchestrator.router
    english, chinese = "set an alarm for seven tomorrow", "明天早上七点叫我起床"
    saved = router.other_language_calibration
    router.other_language_calibration = (1.0, (1.0, 1.0, 0.0), 0.0)  # a bar no score reaches
    try:
        verdicts = orchestrator.judge([english, chinese])
        assert [(v.threshold, v.pooling) for v in verdicts] == [
            (router.threshold, router.pooling),
            (1.0, (1.0, 1.0, 0.0)),
        ]
        assert orchestrator.run(english).app == "android"
        assert orchestrator.run(chinese).app is None
    finally:
        router.other_language_calibration = saved
    assert orchestrator.run(chinese).app == "android"


@needs_dev
def test_adapter_accuracy_on_dev(orchestrator) -> None:
    """Each app's adapter on its own dev rows (router bypassed), pooled over the four apps."""
    rows = read_rows(DEV)
    n = functions = exact = 0
    for app in orchestrator.registry.apps:
        result = evaluate(orchestrator, rows, app=app)
        assert result["schema_valid_rate"] == 1.0
        n += result["n"]
        functions += round(result["function_accuracy"] * result["n"])
        exact += round(result["exact_match"] * result["n"])
    print(f"adapters on dev: function {functions}/{n}, exact {exact}/{n}")
    assert functions >= n - DEV_MARGIN_ROWS
    assert exact >= 0.85 * n


def test_cli_run_json_and_execute() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--registry", str(ROOT / "registry.yaml"), "run", "--json", "order", "pizza"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["app"] == "doordash" and body["tool_calls"][0]["function"]["name"] == "order_food"
    result = runner.invoke(cli, ["--registry", str(ROOT / "registry.yaml"), "run", "--execute", "turn off the AC"])
    assert result.exit_code == 0, result.output
    assert "vehicle.toggle_air_conditioning" in result.output and "[vehicle demo] would call" in result.output


# Floors for the generated held-out splits through the whole request path (router, decision,
# adapters, grounding). The adapters alone refuse at least 90% of the sibling split (the manifest's
# ``sibling_refusal``); the router and the veto only add refusals (measured 153/160 in bf16).
# Incomplete requests were asked for their value 19 of 25 times in bf16; adapters trained without
# them refuse nearly all.
SIBLING_REFUSAL_FLOOR = 0.9
INCOMPLETE_ASKED_FLOOR = 0.6


def test_held_out_siblings_are_refused_and_incomplete_requests_ask(orchestrator) -> None:
    """On each app's generated held-out splits (never trained on): requests for operations the app
    lacks get no call, and requests that leave a required value out get the right function,
    held back for that value rather than run with an invented one."""
    from orchestrator.data.datagen import generate
    from orchestrator.request.grounding import missing
    from orchestrator.request.value_words import read_values

    registry = orchestrator.registry
    siblings, incomplete = [], []
    for app in registry.apps.values():
        folder = registry.adapter_dir(app)
        siblings += [json.loads(line)["query"] for line in (folder / "heldout_siblings.jsonl").open()][:40]
        trained = {json.loads(line)["query"].lower() for line in (folder / "train.jsonl").open()}
        unseen, _ = generate(app, 200, seed=4242, registry=registry, exclude=trained)
        for ex in [ex for ex in unseen if ex.function]:
            fn = app.function(ex.function)
            # A free-text value left out is "", a count left out its minimum, which the rules ask for.
            unsaid = {name for name, value in ex.arguments.items() if value == ""}
            unsaid |= set(missing(read_values(fn, ex.arguments, ex.query)[1]))
            if unsaid and sum(row[1] == app.name for row in incomplete) < 12:
                incomplete.append((ex.query, app.name, ex.function, sorted(unsaid)))
    calls = orchestrator.run_batch([(query, None) for query in siblings])
    refused = sum(not call.is_call for call in calls)
    print(f"held-out siblings refused: {refused}/{len(siblings)}")
    assert refused >= SIBLING_REFUSAL_FLOOR * len(siblings)
    calls = orchestrator.run_batch([(query, None) for query, *_ in incomplete])
    asked = sum(
        (call.app, call.function) == (app, function) and set(call.needs_input) >= set(unsaid)
        for call, (_, app, function, unsaid) in zip(calls, incomplete, strict=True)
    )
    print(f"held-out incomplete requests asked for their value: {asked}/{len(incomplete)}")
    assert len(incomplete) >= 10 and asked >= INCOMPLETE_ASKED_FLOOR * len(incomplete)


def test_requests_not_in_english_go_to_the_apps_adapter_for_other_languages(orchestrator) -> None:
    """An app trained with ``--languages`` answers requests the router reads as not English with
    that adapter, English ones with its own; a batch holding both runs them apart (the two share
    the app's token rows) and each gets its answer alone."""
    requests = [("关掉手电筒", None), ("turn off the flashlight", None), ("apaga la linterna", "android")]
    alone = [orchestrator.run(query, app=app) for query, app in requests]
    assert [call.adapter for call in alone] == ["android.languages", "android", "android.languages"]
    assert all((call.function, call.arguments) == ("toggle_flashlight", {"on": False}) for call in alone)
    together = orchestrator.run_batch(requests, mixed=True)
    compare_calls(alone, together).check()
    assert [call.adapter for call in together] == [call.adapter for call in alone]


def test_an_apps_two_adapters_each_bring_their_own_token_rows(orchestrator) -> None:
    pool = orchestrator.pool
    embedding = orchestrator.base.model.get_input_embeddings().weight
    english, other = pool.load("android"), pool.load("android.languages")
    assert not torch.equal(english.token_rows, other.token_rows)
    for adapter in (other, english, other):
        pool.activate(adapter.key)
        assert torch.equal(embedding[adapter.token_ids], adapter.token_rows)
    with pytest.raises(OrchError, match="two adapters of one app"):
        pool.activate_rows(["android", "android.languages"])
    rows = [_Row(0, "android", adapter="android.languages"), _Row(1, "android"), _Row(2, "yelp")]
    assert [[row.request for row in group] for group in adapter_groups(rows, 4)] == [[0], [1], [2]]
    assert [[row.request for row in group] for group in adapter_groups(rows[1:], 4)] == [[1, 2]]


# Short names of real places, none in the generator's pools: the committed yelp adapter before
# coined names (docs/accuracy.md) wrote an empty name for 5 of 9 such in a reservation.
UNHEARD_OF = ["Bao", "Ume", "Jun", "Mei", "Sola", "Koi", "Lupa", "Ito", "Zuma", "Uchi"]
UNHEARD_OF_FLOOR = 0.85


def test_a_place_nobody_has_heard_of_is_named_by_what_the_request_says(orchestrator) -> None:
    """A request that names a restaurant the adapter never saw gets that name, not an empty one
    (which would ask the user for a name they gave)."""
    requests = [
        *(f"reserve a table for 6 at {name} on Saturday at 9pm" for name in UNHEARD_OF),
        *(f"what are the hours of {name}" for name in UNHEARD_OF),
    ]
    calls = orchestrator.run_batch([(query, "yelp") for query in requests])
    named = [None if isinstance(call, OrchError) else call.arguments.get("business_name") for call in calls]
    right = sum(name == expected for name, expected in zip(named, UNHEARD_OF * 2, strict=True))
    print(f"unheard-of names copied: {right}/{len(requests)}: {named}")
    assert right >= UNHEARD_OF_FLOOR * len(requests)


def test_a_reservation_that_says_no_party_size_asks_for_one(orchestrator) -> None:
    """The adapter writes some number for a reservation nobody said the size of (it wrote 1): the
    call is the reservation, and it needs the party size (``value_words``)."""
    call = orchestrator.run("book a table at Nobu", app="yelp")
    assert call.function == "make_reservation" and call.needs_input == ["party_size"] and not call.tool_calls()
    said = orchestrator.run("book a table at Nobu for 4 at 7", app="yelp")
    assert said.function == "make_reservation" and said.arguments["party_size"] == 4 and said.ready


def test_people_and_places_are_not_businesses(orchestrator) -> None:
    """Router and adapters end to end, on requests written here: a person's address and a city's
    facts are no business's details (yelp's adapters answered them with ``get_business_details``
    once they learnt reservations that name no count: ``docs/accuracy.md``), while a business's
    are."""
    expected = {
        "what's my dad's home address": (None, None),
        "tell me about Lisbon": (None, None),
        "where is Ohio": (None, None),
        "what time is it in Tokyo": (None, None),
        "where is Nobu": ("yelp", "get_business_details"),
    }
    got = {query: (call.app, call.function) for query, call in ((q, orchestrator.run(q)) for q in expected)}
    assert got == expected


def test_notifications_off_turns_do_not_disturb_on(orchestrator) -> None:
    """Router and adapters end to end: a switch cue about what Do Not Disturb silences is the
    mode's opposite (the model wrote ``enabled=false`` for "turn off notifications": a wrong
    action), and a cue about the mode itself is its own (``value_words``)."""
    expected = {
        "turn off notifications": True,
        "turn my notifications back on": False,
        "stop notifications for an hour": True,
        "turn off do not disturb": False,
    }
    calls = {query: orchestrator.run(query, app="android") for query in expected}
    assert {q: (c.function, c.arguments) for q, c in calls.items()} == {
        q: ("set_do_not_disturb", {"enabled": on}) for q, on in expected.items()
    }


def test_a_setting_moved_one_way_goes_that_way_or_asks(orchestrator) -> None:
    """End to end: "louder" is up, and a level only moved ("brighter", "unmute") is asked for; the
    model wrote ``direction="down"``, brightness 1 and volume 0 for these (``value_words``)."""
    louder = orchestrator.run("louder please", app="vehicle")
    assert (louder.function, louder.arguments.get("direction")) == ("adjust_volume", "up")
    for query, function, level in [
        ("make the screen brighter", "set_screen_brightness", "level"),
        ("unmute the phone", "set_volume", "level"),
    ]:
        call = orchestrator.run(query, app="android")
        assert call.function == function and call.needs_input == [level] and not call.tool_calls(), query


def test_a_timer_that_says_no_duration_asks_for_one(orchestrator) -> None:
    """The adapter writes some number for "set a timer" (it wrote 1): the call is the timer, and
    it needs the minutes rather than running for a minute nobody asked for (``value_words``)."""
    call = orchestrator.run("set a timer", app="android")
    assert call.function == "set_timer" and call.needs_input == ["minutes"] and not call.tool_calls()
    said = orchestrator.run("set a timer for 25 minutes", app="android")
    assert said.function == "set_timer" and said.arguments == {"minutes": 25} and said.ready


def test_films_on_at_the_cinema_are_no_event_search(orchestrator) -> None:
    """End to end, on requests written here: which films a cinema shows is no event search (yelp's
    adapters answered "what movies are playing near me" with ``search_events(category="movies")``
    before its phrasebook held such requests as negatives: ``docs/accuracy.md``), while a festival
    or a concert is one."""
    expected = {
        "what movies can I catch tonight around here": (None, None),
        "showtimes for the new Pixar movie": (None, None),
        "jazz festivals in Austin this weekend": ("yelp", "search_events"),
    }
    got = {query: (call.app, call.function) for query, call in ((q, orchestrator.run(q)) for q in expected)}
    assert got == expected


def test_requests_in_other_languages_that_leave_a_value_out_ask_for_it(orchestrator) -> None:
    """Chinese and Spanish requests that name no contact or no message get their function, held
    back for the value (the phrasebooks in those languages had no such requests for these
    functions), and a name in Latin letters inside Chinese is a value of its own (``spans``)."""
    for query, function, unsaid in [
        ("给王老师发条短信", "send_text_message", "message"),
        ("我得打个电话", "make_phone_call", "contact_name"),
        ("quiero escribir un mensaje", "send_text_message", "contact_name"),
    ]:
        call = orchestrator.run(query)
        assert (call.app, call.function) == ("android", function) and unsaid in call.needs_input, query
    music = orchestrator.run("我想听Adele的新歌")
    assert (music.function, music.arguments) == ("play_music", {"query": "Adele"})
