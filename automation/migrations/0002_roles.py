from django.db import migrations

from accounts.roles import roles_migrate


class Migration(migrations.Migration):
    dependencies = [
        ("automation", "0001_initial"),
        ("accounts", "0003_roles_erasure"),
        ("tickets", "0008_ticket_list_indexes"),
        ("communications", "0008_personal_data_erasure"),
        ("sla", "0009_reapply_permission"),
        ("feature_requests", "0003_notice_next_attempt_at"),
        ("oncall", "0001_initial"),
    ]

    operations = [migrations.RunPython(roles_migrate, migrations.RunPython.noop)]
