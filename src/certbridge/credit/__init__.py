"""Credit."""
