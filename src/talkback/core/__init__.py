"""Pure rules: no I/O, no framework. Everything here is tested in milliseconds."""
