"""Benchmarks of City Analyst Academy (run with ``make bench``; not part of ``make test``)."""
