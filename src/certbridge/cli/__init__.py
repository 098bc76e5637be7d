"""The certbridge command line: thin commands that call services."""
