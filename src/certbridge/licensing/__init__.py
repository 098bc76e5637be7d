"""Licensing."""
