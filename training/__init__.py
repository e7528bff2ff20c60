"""Training data generation and functional-token LoRA training (Octopus v2)."""
