"""HTTP serving: the built-in server, its handlers, and the vLLM engine behind it."""
