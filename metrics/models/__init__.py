"""Models of the metrics app, one module per area; import them from here."""
