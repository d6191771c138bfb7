"""Indexes the reports need on the tickets table (resolution, first reply, closure of
unresolved tickets), so that a period's tickets are found by bitmap index scans instead of a
full scan. Created concurrently (no write lock); owned here because only reporting reads them.
The lead may move them into ``tickets.Ticket.Meta.indexes`` at merge."""

from django.db import migrations

INDEXES = {
    "metrics_ticket_resolved_idx": "(resolved_at) WHERE resolved_at IS NOT NULL",
    "metrics_ticket_first_reply_idx": "(first_public_reply_at) WHERE first_public_reply_at IS NOT NULL",
    "metrics_ticket_closed_unres_idx": "(closed_at) WHERE resolved_at IS NULL AND closed_at IS NOT NULL",
}


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("metrics", "0003_business_days"),
        ("tickets", "0006_sla_columns_outbound_email"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON tickets_ticket {definition}",
            reverse_sql=f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
        )
        for name, definition in INDEXES.items()
    ]
