from django.contrib.auth.management import create_permissions
from django.db import migrations

from accounts.roles import roles_install


def install(apps, schema_editor):
    """Permissions are normally created after all migrations; the roles need them now."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles_install(apps, strict=False)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("tickets", "0006_email_sender_trust"),
        ("communications", "0007_inbound_raw_digest_unique"),
        ("sla", "0009_reapply_permission"),
        ("feature_requests", "0003_notice_next_attempt_at"),
        ("oncall", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
