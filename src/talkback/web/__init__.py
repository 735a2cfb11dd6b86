"""HTTP: routers that translate requests into service calls and results into JSON."""
