"""What runs the model: the base and its adapters in torch, the constrained decoder, llama.cpp
q8_0, and the export vLLM serves."""
