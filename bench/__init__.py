"""Benchmarks and measurements that print figures (``python -m bench.<name>``)."""
