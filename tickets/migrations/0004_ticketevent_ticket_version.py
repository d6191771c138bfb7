from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0003_search'),
    ]

    operations = [
        migrations.AddField(
            model_name='ticketevent',
            name='ticket_version',
            field=models.PositiveIntegerField(blank=True, help_text="The ticket's version after this change (lists what a stale save missed).", null=True),
        ),
    ]
