"""Generated training data: reproducible, schema-valid, varied, with "no call" requests."""

from __future__ import annotations

import json
import random
import re

import pytest

from orchestrator.apps import add_app
from orchestrator.calls import free_text, validate_arguments
from orchestrator.data import templates
from orchestrator.data.datagen import (
    FOREIGN_SHARE,
    askable,
    can_be_incomplete,
    generate,
    load_phrasebook,
    sound_like_people,
)
from orchestrator.data.languages import LANGUAGES, chinese_number, chinese_numeral, number_surface_in
from orchestrator.data.phrasebook import load_translations
from orchestrator.data.values import COINED_SHARE, POOLS
from orchestrator.registry import Registry, load_registry

from .conftest import DATA, ROOT


def test_template_language() -> None:
    nodes = templates.parse("(turn|switch) on [the ]{thing}[ in {room}]")
    assert templates.slots(nodes) == {"thing", "room"}
    import random

    seen = {templates.render(nodes, random.Random(i), lambda p: p.upper()) for i in range(40)}
    assert "turn on the THING in ROOM" in seen and "switch on THING" in seen
    for broken in ("(a|b", "[x", "{x", "a)b"):
        with pytest.raises(templates.TemplateError):
            templates.parse(broken)
    assert templates.alternatives(nodes) == ["turn", "switch"]
    assert templates.alternatives(templates.parse("(warm up|heat {x}) it[ (a bit|a little)]")) == [
        "warm up",
        "a bit",
        "a little",
    ]


@pytest.mark.parametrize("name", ["android", "vehicle", "yelp", "doordash"])
def test_builtin_data_is_valid_balanced_and_reproducible(builtin_registry: Registry, name: str) -> None:
    app = builtin_registry.app(name)
    examples, report = generate(app, 300, seed=3, registry=builtin_registry)
    again, _ = generate(app, 300, seed=3, registry=builtin_registry)
    assert [e.to_json() for e in examples] == [e.to_json() for e in again]
    assert report.kept == len(examples) >= 290
    queries = [e.query.lower() for e in examples]
    assert len(set(queries)) == len(queries)
    by_function = {fn.name: 0 for fn in app.functions}
    negatives = 0
    for ex in examples:
        if ex.function is None:
            negatives += 1
            assert ex.answer == app.end_token
            continue
        by_function[ex.function] += 1
        validate_arguments(app.function(ex.function), ex.arguments)
        assert ex.answer.startswith(app.function_tokens[[f.name for f in app.functions].index(ex.function)])
        assert ex.answer.endswith(app.end_token)
    assert negatives >= 20
    assert min(by_function.values()) >= 0.5 * (300 - negatives) / len(app.functions)


@pytest.mark.parametrize("name", ["android", "vehicle", "yelp", "doordash"])
def test_requests_in_other_languages_say_their_values(builtin_registry: Registry, name: str) -> None:
    """Every built-in app has Chinese, Spanish, German and Japanese phrasebooks for each of its
    functions; trained in those languages too, a share of its requests comes from them (none
    otherwise), and each free-text value is a span of the request in its own script (the adapters
    learn to copy, in every language)."""
    app = builtin_registry.app(name)
    translations = load_translations(app)
    assert set(translations) == set(LANGUAGES) == {"zh", "es", "de", "ja"}
    for language, book in translations.items():
        assert set(book) == {fn.name for fn in app.functions}, language
    english, _ = generate(app, 400, seed=4, registry=builtin_registry)
    assert not any(re.search(r"[\u4e00-\u9fff]", e.query) for e in english)
    examples, _ = generate(app, 400, seed=4, registry=builtin_registry, languages=LANGUAGES)
    cjk = [e for e in examples if e.function and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", e.query)]
    assert len(cjk) >= 0.5 * 400 * 0.8 * FOREIGN_SHARE / 2  # Chinese and Japanese: half the share
    for ex in examples:
        properties = app.function(ex.function).parameters["properties"] if ex.function else {}
        for param, value in ex.arguments.items():
            if isinstance(value, str) and free_text(properties[param]):
                assert value.lower() in ex.query.lower(), (ex.query, param, value)


def test_a_value_stays_a_span_when_speech_drops_its_punctuation(builtin_registry: Registry) -> None:
    """Speech to text drops the punctuation between words; a value that holds some ("Dr. Patel",
    "see you there!") loses it in the call as in the request, so the adapter still learns to copy."""
    fn = builtin_registry.app("android").function("send_text_message")
    text = "text Dr. Patel saying see you there!"
    arguments = {"contact_name": "Dr. Patel", "message": "see you there!"}
    said = list(arguments.values())
    rewrites = [sound_like_people(text, arguments, said, random.Random(seed), fn) for seed in range(40)]
    spoken = [(query, args) for query, args in rewrites if query.islower()]
    assert spoken, "some seed takes the speech-to-text rewrite"
    for query, args in rewrites:
        assert all(value.lower() in query.lower() for value in args.values()), (query, args)
    assert {args["contact_name"] for _, args in spoken} == {"dr patel"}


def test_other_languages_hard_negatives_come_in_their_positives_share() -> None:
    """An app trained in other languages keeps most of its English hard negatives ("add this
    song to my playlist"): the other languages' take ``FOREIGN_SHARE`` of the hard-negative
    draws, as their requests do of the positives, not their share of the templates."""
    import random

    from orchestrator.data.datagen import _negative

    rng = random.Random(0)
    english, translated = ["play this next"] * 3, ["下一首"] * 5  # more templates in the other languages
    drawn = [_negative(rng, [], (english, translated), [], [], {}, 0.0) for _ in range(4000)]
    hard = [text for text in drawn if text in ("play this next", "下一首")]
    assert len(hard) > 1000
    assert abs(sum(text == "下一首" for text in hard) / len(hard) - FOREIGN_SHARE) < 0.03


def test_numbers_are_said_the_way_each_language_says_them() -> None:
    assert [chinese_numeral(n) for n in (2, 10, 15, 20, 37)] == ["二", "十", "十五", "二十", "三十七"]
    assert all(chinese_number(chinese_numeral(n)) == n for n in range(100)) and chinese_number("两") == 2
    said = {number_surface_in("zh", 2, random.Random(seed)) for seed in range(40)}
    assert {"两", "二", None} == said  # None: digits
    assert {number_surface_in("es", 5, random.Random(seed)) for seed in range(40)} == {"cinco", None}
    assert {number_surface_in("de", 5, random.Random(seed)) for seed in range(40)} == {"fünf", "5"}
    assert {number_surface_in("ja", 15, random.Random(seed)) for seed in range(40)} == {"十五", "15"}
    assert {number_surface_in("de", 30, random.Random(seed)) for seed in range(40)} == {"30"}  # no "thirty"
    assert number_surface_in("en", 5, random.Random(0)) is None


@pytest.mark.parametrize("name", ["android", "vehicle", "yelp", "doordash"])
def test_committed_adapter_data_is_what_the_generator_makes(name: str) -> None:
    """The committed adapters of the active base (its adapters for other languages too) were
    trained on exactly what ``orch train`` generates. (Another base's adapters keep the data they
    were trained on in their own ``train.jsonl``; a change of the generator retrains the default
    base's first.)"""
    registry = load_registry(ROOT / "registry.yaml")
    app = registry.app(name)
    paths = [app.adapter, *([app.other_languages["path"]] if app.other_languages else [])]
    assert app.adapter and all(paths)
    for adapter in paths:
        manifest = json.loads((ROOT / adapter / "orch_manifest.json").read_text())
        data = manifest["data"]
        languages = tuple(data.get("languages", ()))
        examples, _ = generate(app, data["examples"], seed=data["seed"], registry=registry, languages=languages)
        committed = (ROOT / adapter / "train.jsonl").read_text().splitlines()
        assert [json.loads(e.to_json()) for e in examples] == [json.loads(line) for line in committed], adapter


def test_a_coined_kind_brings_names_nobody_has_heard_of_into_the_apps_own_requests(
    builtin_registry: Registry,
) -> None:
    """yelp's phrasebook marks business names ``coined``: about ``COINED_SHARE`` of the places its
    requests name are made up (so the adapter learns to copy a name, not to recognise one), each
    said in the request as the call has it. Other apps render yelp's requests with pool names
    (``test_committed_adapter_data_is_what_the_generator_makes`` holds their data fixed)."""
    examples, _ = generate(builtin_registry.app("yelp"), 400, seed=5, registry=builtin_registry)
    pooled = {value.lower() for value in POOLS["business"] + POOLS["venue"]}
    named = [(ex.query, ex.arguments["business_name"]) for ex in examples if ex.arguments.get("business_name")]
    made_up = [(query, name) for query, name in named if name.lower() not in pooled]
    assert 0.5 * COINED_SHARE * len(named) <= len(made_up) <= 1.5 * COINED_SHARE * len(named)
    assert all(name.lower() in query.lower() and len(name) >= 3 for query, name in made_up)


def test_new_app_data_from_schema_alone(builtin_registry: Registry) -> None:
    app = add_app(builtin_registry, "smarthome", DATA / "smarthome.json")
    examples, report = generate(app, 100, seed=0, registry=builtin_registry)
    assert report.kept == 100
    assert {e.function for e in examples} >= {fn.name for fn in app.functions}
    for ex in examples:
        if ex.function:
            validate_arguments(app.function(ex.function), ex.arguments)
            for value in ex.arguments.values():
                if isinstance(value, str) and not isinstance(value, bool):
                    # strings are copied from the request (enums may be phrased differently)
                    spec = app.function(ex.function).parameters["properties"]
                    if not any("enum" in p for p in spec.values()):
                        assert value.lower() in ex.query.lower()


def test_a_parameter_named_in_the_verb_is_never_left_ambiguous(builtin_registry: Registry) -> None:
    """ "play on speaker jazz" could mean speaker=jazz: such values always follow "with speaker"."""
    app = add_app(builtin_registry, "smarthome", DATA / "smarthome.json")
    examples, _ = generate(app, 300, seed=1, registry=builtin_registry)
    speaker_calls = [e for e in examples if e.function == "play_on_speaker"]
    assert speaker_calls
    for ex in speaker_calls:
        query = ex.query.lower()
        if ex.arguments["query"]:  # empty: an incomplete request, the query is asked for
            assert f"speaker {ex.arguments['query'].lower()}" not in query, ex.query
        if "speaker" in ex.arguments:
            # Named, or where a spoken request puts the speaker, after what is played.
            speaker = ex.arguments["speaker"].lower()
            assert f"with speaker {speaker}" in query or f"{ex.arguments['query'].lower()} on {speaker}" in query, ex


def test_incomplete_requests_leave_an_askable_value_empty(builtin_registry: Registry) -> None:
    """A share of requests omit a required free-text value ("add the dentist to my calendar"): the
    target still calls, with "" for what was not said, from the phrasebook's ``incomplete``
    templates; an app phrased from its schemas alone gets none."""
    smarthome = add_app(builtin_registry, "smarthome", DATA / "smarthome.json")
    examples, _ = generate(smarthome, 300, seed=3, registry=builtin_registry)
    assert not any(e.function and "" in e.arguments.values() for e in examples)
    for app, samples in ((builtin_registry.apps["android"], 600),):
        examples, _ = generate(app, samples, seed=3, registry=builtin_registry)
        incomplete = [e for e in examples if e.function and "" in e.arguments.values()]
        assert incomplete, app.name
        for ex in incomplete:
            fn = app.function(ex.function)
            unsaid = {name for name, value in ex.arguments.items() if value == ""}
            assert unsaid <= set(askable(fn)), ex
            assert set(fn.parameters["required"]) <= set(ex.arguments), ex
    book = load_phrasebook(builtin_registry.apps["android"])
    assert not can_be_incomplete(
        builtin_registry.apps["android"].function("search_youtube_videos"), book["search_youtube_videos"]
    )


@pytest.mark.parametrize("name", ["android", "vehicle", "yelp", "doordash"])
def test_each_askable_value_is_left_out_by_some_english_request(builtin_registry: Registry, name: str) -> None:
    """Where an English phrasebook writes requests that leave a value out, some leave out each
    value the user may be asked for. An adapter never shown a request without one learns that it
    is no call: every yelp request that left something out named the party size, and "book a
    table at Zuni Cafe" was refused (``docs/accuracy.md``)."""
    app = builtin_registry.app(name)
    book = load_phrasebook(app)
    for fn in app.functions:
        entries = book.get(fn.name, {}).get("incomplete") or []
        texts = [entry if isinstance(entry, str) else entry["t"] for entry in entries]
        for param in askable(fn) if texts else ():
            assert any("{" + param + "}" not in text for text in texts), (fn.name, param)


def test_rejected_calls_are_counted(builtin_registry: Registry, monkeypatch) -> None:
    from orchestrator.data import datagen

    app = builtin_registry.app("doordash")
    book = datagen.load_phrasebook(app)
    book["rate_order"] = {"templates": ["rate it {stars} stars", "rate it please"]}  # 2nd misses 'stars'
    monkeypatch.setattr(datagen, "load_phrasebook", lambda a: book if a.name == "doordash" else {})
    examples, report = generate(app, 140, seed=1, registry=builtin_registry)
    assert report.rejected > 0
    assert any("stars" in reason for reason in report.reasons)
    for ex in examples:
        if ex.function == "rate_order":
            assert "stars" in ex.arguments


def test_phrasebooks_are_read_alike_by_either_yaml_loader_and_copied() -> None:
    """``read_phrasebook_file`` parses with libyaml where there is one: it must read every shipped
    phrasebook as PyYAML's own loader does, and hand out copies (the parse is cached)."""
    import yaml

    from orchestrator.data.phrasebook import PHRASEBOOK_DIR, read_phrasebook_file

    paths = sorted(PHRASEBOOK_DIR.glob("*.yaml"))
    assert len(paths) >= 20
    for path in paths:
        assert read_phrasebook_file(path) == yaml.safe_load(path.read_text()), path.name
    book = read_phrasebook_file(paths[0])
    book["functions"].clear()
    assert read_phrasebook_file(paths[0])["functions"]


@pytest.mark.parametrize(
    ("template", "said", "matches"),
    [
        ("(crack|open a bit) the {window} window", "crack the rear left window", True),
        ("(crack|open a bit) the {window} window", "crack the window", True),  # the slot left out
        ("(crack|open a bit) the {window} window", "open the window", False),
        ("(warm up|heat) my seat[ (a bit|a little)]", "heat my seat a little", True),
        ("(warm up|heat) my seat[ (a bit|a little)]", "heat my seat a lot", False),
    ],
)
def test_a_template_matches_every_phrasing_it_renders(template: str, said: str, matches: bool) -> None:
    assert bool(re.fullmatch(templates.pattern(templates.parse(template)), said)) == matches


def test_a_templates_pattern_matches_what_it_renders() -> None:
    rng = random.Random(5)
    template = "(open|roll down) the {window} (window|windows)[ please]"
    nodes = templates.parse(template)
    for _ in range(50):
        said = templates.render(nodes, rng, lambda param: rng.choice(["rear left", "passenger", "back"]))
        assert re.fullmatch(templates.pattern(nodes), said)
