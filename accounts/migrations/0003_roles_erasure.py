from django.contrib.auth.management import create_permissions
from django.db import migrations

from accounts.roles import roles_install


def install(apps, schema_editor):
    """Team leads now also erase a person's data on request."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles_install(apps, strict=False)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("communications", "0008_personal_data_erasure"),
        ("tickets", "0007_ticket_merged_into"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
