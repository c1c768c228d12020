from django.db import migrations

from accounts.roles import roles_migrate


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

    operations = [migrations.RunPython(roles_migrate, migrations.RunPython.noop)]
