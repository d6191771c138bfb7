"""The weekly report's default schedule: Monday 08:00 Asia/Hong_Kong (managers edit it)."""

from django.db import migrations


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name="Weekly management report").exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="8",
        day_of_week="1",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Hong_Kong",
    )
    PeriodicTask.objects.create(
        name="Weekly management report",
        task="metrics.weekly_reports",
        crontab=crontab,
        kwargs="{}",
        enabled=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0001_reports_archive_and_business_time"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, migrations.RunPython.noop)]
