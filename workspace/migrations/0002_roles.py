from django.db import migrations

from accounts.roles import roles_migrate


class Migration(migrations.Migration):
    dependencies = [
        ("workspace", "0001_initial"),
        ("accounts", "0003_roles_erasure"),
    ]

    operations = [migrations.RunPython(roles_migrate, migrations.RunPython.noop)]
