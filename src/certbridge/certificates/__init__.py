"""Certificates and their lifecycle."""
