"""Benchmarks (``make bench``): measured in one run against the peers, never asserted in tests."""
