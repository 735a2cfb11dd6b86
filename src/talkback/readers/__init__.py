"""Readers: their tokens, their state on a page (`/me`), and their own data on request."""
