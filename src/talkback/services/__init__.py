"""Use cases: each function owns its transaction and side effects; `web/` only calls them."""
