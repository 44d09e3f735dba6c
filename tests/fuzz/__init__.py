"""Fuzzing the parsers through the real ingest pipeline (fast CI part here; the long run is bench/fuzz_run.py)."""
