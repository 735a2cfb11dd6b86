"""Parts of bench/compare.py: one module per job (plan, servers, load, report).

bench/ is not a package: its scripts run as `python bench/<script>.py`, which puts bench/ on
the import path, so these modules import as `peers.<module>` and reuse `thread_read`.
"""
