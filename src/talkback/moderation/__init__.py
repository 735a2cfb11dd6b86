"""Moderation: the pipeline of small checks, staff actions, the queue, bans and rules."""
