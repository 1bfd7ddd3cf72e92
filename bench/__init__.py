"""Benchmarks and peer checks: `python -m bench.run` (see bench/README.md)."""
