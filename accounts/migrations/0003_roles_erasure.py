from django.db import migrations

from accounts.roles import roles_migrate


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("communications", "0008_personal_data_erasure"),
        ("tickets", "0007_ticket_merged_into"),
    ]

    operations = [migrations.RunPython(roles_migrate, migrations.RunPython.noop)]
