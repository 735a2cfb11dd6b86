"""The after-commit path: what every write changed, as typed events, and who hears of it."""
