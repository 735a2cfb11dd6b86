"""Persistence: table definitions, the database handle, and migrations."""
