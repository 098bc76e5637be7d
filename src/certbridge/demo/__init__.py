"""Deterministic synthetic data and the reference data every instance starts with."""
