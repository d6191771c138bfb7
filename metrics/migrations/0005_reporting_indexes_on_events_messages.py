"""Small partial indexes for the per-ticket facts of the metric dictionary: the events that
make a ticket reopened, escalated or passed to an internal team, and the public replies. The
KPI sub-selects then probe a few cached index pages instead of every event of the ticket.
Created concurrently; owned here because only reporting reads them."""

from django.db import migrations

INDEXES = {
    "metrics_event_kpi_idx": (
        "tickets_ticketevent",
        "(ticket_id, action) WHERE action IN ('reopened', 'escalated')"
        " OR (field = 'status' AND new_value = 'pending_internal')",
    ),
    "metrics_message_reply_idx": ("tickets_message", "(ticket_id) WHERE kind = 'reply'"),
}


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("metrics", "0004_reporting_indexes_on_tickets")]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} {definition}",
            reverse_sql=f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
        )
        for name, (table, definition) in INDEXES.items()
    ]
