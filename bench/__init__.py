"""Benchmarks and relevance measurements, run on demand (never as timed unit tests)."""
