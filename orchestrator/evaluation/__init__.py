"""Measuring: orch eval with the scoring rule, and orch bench."""
