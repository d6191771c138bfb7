"""Create the five role groups with their permissions (see ``teams.access``)."""

from django.db import migrations

ROLE_PERMISSIONS = {
    "Agent": ("work_tickets",),
    "Supervisor": ("work_tickets", "supervise_team"),
    "Manager": ("read_all",),
    "Administrator": ("read_all", "configure_desk"),
    "Client": ("use_client_portal",),
}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("teams")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="teams", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
