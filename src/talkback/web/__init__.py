"""Shared HTTP plumbing: dependencies, error mapping, CORS, body limit, health, assets."""
