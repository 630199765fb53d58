"""Kopa benchmarks: ``python -m bench [NAME ...]`` (``make bench``). Each prints figures."""
