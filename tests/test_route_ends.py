"""A route's ends go where the request's "from" and "to" put them."""

from __future__ import annotations

import pytest

from orchestrator.data.datagen import generate
from orchestrator.data.languages import LANGUAGES
from orchestrator.registry import Function
from orchestrator.request.grounding import NOT_WRITTEN
from orchestrator.request.route_ends import route_ends

from .conftest import committed_training_calls

BOSTON_TO_NEW_YORK = {"origin": "boston", "destination": "new york"}


@pytest.mark.parametrize(
    ("app", "function", "query", "arguments", "expected"),
    [
        # Swapped: the start given as the end.
        ("android", "find_route_google_maps", "calculate distance from boston to new york", {"destination": "boston"},
         BOSTON_TO_NEW_YORK),
        ("android", "find_route_google_maps", "how to get from boston to new york", {"destination": "boston",
         "origin": "new york"}, BOSTON_TO_NEW_YORK),
        ("android", "find_route_google_maps", "how to get to new york from boston", {"destination": "boston"},
         BOSTON_TO_NEW_YORK),
        ("android", "find_route_google_maps", "route from paris to lyon by train.", {"destination": "paris",
         "mode": "transit"}, {"origin": "paris", "destination": "lyon", "mode": "transit"}),
        ("vehicle", "navigate_to", "navigate from home to work", {"destination": "home"}, {"destination": "work"}),
        # Joined: the start run on into the end.
        ("vehicle", "navigate_to", "navigate to the golden gate bridge from my hotel",
         {"destination": "the golden gate bridge from my hotel"}, {"destination": "the golden gate bridge"}),
        ("android", "find_route_google_maps", "directions to the zoo from my house",
         {"destination": "the zoo from my house"}, {"destination": "the zoo", "origin": "my house"}),
        ("android", "find_route_google_maps", "ruta de Madrid a Valencia", {"destination": "Madrid"},
         {"origin": "Madrid", "destination": "Valencia"}),
        ("android", "find_route_google_maps", "cómo llego desde Sevilla hasta Granada", {"destination": "Sevilla"},
         {"origin": "Sevilla", "destination": "Granada"}),
        ("android", "find_route_google_maps", "Wie komme ich von München nach Salzburg", {"destination": "München"},
         {"origin": "München", "destination": "Salzburg"}),
        # A start said and not written.
        ("android", "find_route_google_maps", "directions to flowers from the market", {"destination": "flowers"},
         {"destination": "flowers", "origin": "the market"}),
        ("android", "find_route_google_maps", "ruta en bicicleta de Cádiz a Jerez", {"destination": "Jerez",
         "mode": "bicycling"}, {"origin": "Cádiz", "destination": "Jerez", "mode": "bicycling"}),
        ("android", "find_route_google_maps", "how do I walk to the train station from here",
         {"destination": "the train station", "mode": "walking"}, None),  # where the user is
        ("android", "find_route_google_maps", "cómo llegar a la casa de mi madre", {"destination": "la casa"},
         None),  # "de" after the end joins a place's own name
        # The start given the end's place.
        ("android", "find_route_google_maps", "Wegbeschreibung nach Köln von Bonn aus", {"origin": "Köln",
         "destination": "Köln"}, {"origin": "Bonn", "destination": "Köln"}),
        ("android", "find_route_google_maps", "directions to the pier from the mall", {"origin": "the pier"},
         {"origin": "the mall", "destination": "the pier"}),
        # Already right, or nothing to go by: unchanged.
        ("android", "find_route_google_maps", "llévame a la estación de Atocha",
         {"destination": "la estación de Atocha"}, None),
        ("android", "find_route_google_maps", "route to denver from boston in a hurry", {"destination": "denver",
         "origin": "boston"}, None),
        ("android", "find_route_google_maps", "route to denver from boston in a hurry", {"destination": "boston"},
         {"origin": "boston", "destination": "denver"}),
        ("android", "find_route_google_maps", "Weg zum Haus von Anna", {"destination": "Haus von Anna"}, None),
        ("android", "find_route_google_maps", "从北京到上海的路线", {"origin": "北京", "destination": "上海"}, None),
        ("android", "find_route_google_maps", "directions to the lake from the cabin", {"destination": "the lake",
         "origin": "the cabin"}, None),
        ("android", "find_route_google_maps", "take me from work", {"destination": "work"}, None),
        ("android", "send_text_message", "text mom from the train to say hi", {"contact_name": "mom",
         "message": "hi"}, None),  # no route
    ],
)  # fmt: skip
def test_a_route_ends_where_from_and_to_put_it(builtin_registry, app, function, query, arguments, expected) -> None:
    fn = builtin_registry.app(app).function(function)
    result, changes = route_ends(fn, arguments, query)
    assert result == (arguments if expected is None else expected)
    assert set(changes) == {name for name in set(result) | set(arguments) if result.get(name) != arguments.get(name)}


def test_an_added_start_says_the_adapter_did_not_write_it(builtin_registry) -> None:
    fn = builtin_registry.app("android").function("find_route_google_maps")
    _, changes = route_ends(fn, {"destination": "boston"}, "from boston to new york")
    assert changes == {"destination": "boston -> new york", "origin": f"{NOT_WRITTEN} -> boston"}


def test_ends_are_read_from_parameter_names_of_any_app() -> None:
    """A tools-file app's flight search gets the rule; its times are no ends."""
    flights = Function(
        name="search_flights",
        description="Find flights.",
        parameters={
            "type": "object",
            "properties": {
                "departure_airport": {"type": "string"},
                "arrival_airport": {"type": "string"},
                "departure_time": {"type": "string"},
            },
            "required": ["arrival_airport"],
        },
    )
    result, _ = route_ends(flights, {"arrival_airport": "SFO"}, "flights from SFO to JFK tomorrow")
    assert result == {"arrival_airport": "JFK", "departure_airport": "SFO"}


@pytest.mark.parametrize("app", ["android", "vehicle"])
def test_no_training_call_is_changed(project_registry, app: str) -> None:
    """The rule's premise on the committed training data: every route the adapters learnt already
    has its ends where the request's words put them."""
    calls = committed_training_calls(project_registry, app)
    routes = [(fn, arguments, query) for fn, arguments, query, _ in calls if "destination" in arguments]
    assert len(routes) > 20
    assert not [query for fn, arguments, query in routes if route_ends(fn, arguments, query)[1]]


@pytest.mark.parametrize("app", ["android", "vehicle"])
def test_no_generated_call_is_changed_in_any_language(builtin_registry, app: str) -> None:
    application = builtin_registry.app(app)
    examples, _ = generate(application, 2000, seed=11, registry=builtin_registry, languages=LANGUAGES)
    routes = [ex for ex in examples if ex.function and "destination" in ex.arguments]
    assert len(routes) > 20
    assert not [ex.query for ex in routes if route_ends(application.function(ex.function), ex.arguments, ex.query)[1]]
