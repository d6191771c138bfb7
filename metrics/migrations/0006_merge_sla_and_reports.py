# Joins the SLA and the reports migration chains of the metrics app (built in parallel).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0002_warning_percent_label"),
        ("metrics", "0005_reporting_indexes_on_events_messages"),
    ]

    operations = []
