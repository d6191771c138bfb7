"""Reads of the metrics app, one module per page or area."""
