"""Writes of the teams app, one module per area (``api_tokens``, ``users``)."""
