"""Benchmarks: `python -m bench.run --size N`; results go to bench/RESULTS.md."""
