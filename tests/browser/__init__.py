"""Browser tests: the embeddable widget in Chromium, against the real app."""
