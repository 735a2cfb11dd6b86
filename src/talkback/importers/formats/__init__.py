"""The formats Talkback reads: one module a source system, and the safe parsers they share."""
