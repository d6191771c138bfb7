"""Reads of tickets, always pre-scoped to what the user may see (``teams.access``).

One module per area: ``queues`` (lists), ``ticket`` (one ticket's page), ``search``,
``knowledge``, ``macros``.
"""
