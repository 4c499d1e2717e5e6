"""Benchmarks of consult's hot paths; each module runs on its own: `python -m bench.<name>`."""
