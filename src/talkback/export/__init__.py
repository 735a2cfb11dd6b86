"""A site exported as JSON Lines (docs/export-format.md)."""
