"""orch: natural-language requests to exact function calls, one functional-token LoRA adapter per app."""
