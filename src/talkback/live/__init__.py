"""Live updates: events about a thread reach every open widget on every node."""
