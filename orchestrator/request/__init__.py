"""The request path: route, decide, ground, read values; the Orchestrator that composes it."""
