"""Open data: bulk verification for buyers, API-key quotas, the public-service directory, IAF CertSearch files,
and (beside them) the change feed, watch-lists and daily files."""
