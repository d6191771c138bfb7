"""Indexes for the supervisor's board at 1,000,000 tickets (issue 4: p95 <= 60 ms at 8 users).

- ``metrics_ticket_open_team_counts_idx``: the summary counts (open, unassigned, escalated,
  breached) of a team's open tickets as an index-only scan instead of reading ~14,000 heap pages.
- ``metrics_ticket_open_breached_idx``: the breached half of "At risk and breached" (the other
  half walks ``ticket_team_sla_due_idx`` up to the at-risk window).
- ``metrics_ticket_pending_client_idx``: the SLA flag "Pending client right after the client
  wrote" walks a team's Pending client tickets by ``updated_at`` and stops at its limit.
- ``metrics_slaclock_resolution_started_idx``: the flag "unusually long paused time" reads the
  resolution clocks of the last 90 days, not every clock.

Created concurrently (no write lock), like 0004 and 0005."""

from django.db import migrations

OPEN = "status IN ('new', 'open', 'pending_client', 'pending_internal', 'on_hold')"

INDEXES = {
    "metrics_ticket_open_team_counts_idx": (
        "tickets_ticket",
        f"(team_id) INCLUDE (id, assignee_id, escalation_level, sla_breached, sla_due_at)"
        f" WHERE {OPEN}",
    ),
    "metrics_ticket_open_breached_idx": (
        "tickets_ticket",
        f"(team_id, sla_due_at, id) WHERE sla_breached AND {OPEN}",
    ),
    "metrics_ticket_pending_client_idx": (
        "tickets_ticket",
        "(team_id, updated_at, id) WHERE status = 'pending_client'",
    ),
    "metrics_slaclock_resolution_started_idx": (
        "metrics_slaclock",
        "(started_at) WHERE metric = 'resolution'",
    ),
}


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("metrics", "0006_merge_sla_and_reports"),
        ("tickets", "0006_sla_columns_outbound_email"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} {definition}",
            reverse_sql=f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
        )
        for name, (table, definition) in INDEXES.items()
    ]
