"""Email of the tickets app: outbound mail (outbound*.py) and inbound mail (the rest)."""
