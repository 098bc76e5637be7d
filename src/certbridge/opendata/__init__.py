"""Open data: bulk verification, feeds, bulk files."""
