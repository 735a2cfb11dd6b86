"""Outgoing webhooks: signed HTTP calls to a newsroom's own systems, through the outbox."""
