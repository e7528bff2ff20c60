"""A statement of taste asks for nothing: no call."""

from __future__ import annotations

import pytest

from orchestrator.data.datagen import generate
from orchestrator.data.languages import LANGUAGES
from orchestrator.registry import Registry, tools_from_file
from orchestrator.request.statement import states_a_taste

from .conftest import DATA, committed_training_calls


@pytest.mark.parametrize(
    ("query", "statement"),
    [
        ("i love hip hop", True),
        ("i like jazz you should know", True),
        ("hey google, i love sushi", True),
        ("olly i really love this song", True),
        ("ich mag Jazz", True),
        ("me encanta el jazz", True),
        ("我喜欢爵士乐", True),
        ("私はジャズが好きです", True),
        ("i like to listen to jazz", False),  # an infinitive asks
        ("I'd like a large pizza", False),
        ("i love jazz, play some", False),  # a making verb asks
        ("play i love rock n roll", False),  # a title
        ("我喜欢听爵士乐", False),  # I like listening to: asks
        ("like jazz", False),
    ],
)
def test_a_statement_of_taste(query: str, statement: bool) -> None:
    assert states_a_taste(query) == statement


@pytest.mark.parametrize("app", ["android", "vehicle", "yelp", "doordash"])
def test_no_training_call_states_a_taste(project_registry, builtin_registry, app: str) -> None:
    """The rule's premise: no request a call was trained on (committed data of the app's
    adapters, requests generated in every phrasebook language) states a taste."""
    application = project_registry.app(app)
    other_languages = project_registry.keyed_adapter(application.adapter_key(True))[1] / "train.jsonl"
    queries = [query for _, _, query, _ in committed_training_calls(project_registry, app)]
    queries += [query for _, _, query, _ in committed_training_calls(project_registry, app, other_languages)]
    examples, _ = generate(builtin_registry.app(app), 1500, seed=11, registry=builtin_registry, languages=LANGUAGES)
    queries += [ex.query for ex in examples if ex.function]
    assert len(queries) > 1500
    assert not [query for query in queries if states_a_taste(query)]


def test_no_call_of_an_app_from_a_tools_file_states_a_taste(tmp_path) -> None:
    registry = Registry(path=tmp_path / "registry.yaml")
    app = registry.add_app("smarthome", *tools_from_file(DATA / "smarthome.json"))
    examples, _ = generate(app, 400, seed=11, registry=registry)
    assert not [ex.query for ex in examples if ex.function and states_a_taste(ex.query)]


def test_a_statement_of_taste_end_to_end(orchestrator) -> None:
    """Router, adapter and rule end to end: the android adapter played jazz."""
    assert orchestrator.run("i like jazz you should know").function is None
    assert orchestrator.run("play some jazz").function == "play_music"
