"""Background jobs: long work (imports, exports, rebuilds) run off the request path, with progress and a result."""
