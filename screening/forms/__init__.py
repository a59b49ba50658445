"""Forms of the screening app, one module per feature."""
