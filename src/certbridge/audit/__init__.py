"""Audit trail: who did what from where, for every write and every sign-in; never a secret."""
