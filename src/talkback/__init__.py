"""Talkback: a self-hosted discussion and reader-funding server for news sites."""

__version__ = "0.1.0"
