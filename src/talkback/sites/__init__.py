"""Sites (publications): the directory every request resolves, and their settings."""
