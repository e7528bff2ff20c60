"""`orch bench`'s RAG baseline: the paper's comparison, on whichever base is active."""

from __future__ import annotations

from orchestrator.evaluation.bench import RAG_TOP_K, RagBaseline


def test_the_rag_prompt_is_the_bases_own_turn_with_the_retrieved_functions(orchestrator) -> None:
    """Gemma's GGUF carries no chat template: the instructions and the retrieved functions open
    the user's turn of the registry's prompt instead of a system turn it does not have."""
    rag = RagBaseline(orchestrator)
    prompt = rag.prompt("order two burgers from McDonald's")
    template = orchestrator.registry.prompt_template
    before, after = template.split("{query}")
    assert prompt.startswith(before) and prompt.endswith(after)
    listed = prompt.split("Available functions:\n")[1].split("\nReply with only JSON")[0].splitlines()
    assert len(listed) == RAG_TOP_K and any('"name": "order_food"' in line for line in listed)
    assert prompt.removesuffix(after).endswith("order two burgers from McDonald's")
    assert rag.parse('{"name": "order_food", "arguments": {"item": "burgers"}}') == (
        "doordash",
        "order_food",
        {"item": "burgers"},
    )
    assert rag.parse("no idea") == (None, None, {})
