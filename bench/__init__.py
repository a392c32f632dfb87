"""Benchmarks of delivery and scheduling (issue 3): `python -m bench`."""
