from django.db import migrations

from accounts.roles import roles_migrate


class Migration(migrations.Migration):
    """Agents write help articles; team leads also publish them (accounts.roles)."""

    dependencies = [
        ("help_center", "0002_search_index"),
        ("accounts", "0003_roles_erasure"),
        ("automation", "0002_roles"),
        ("workspace", "0002_roles"),
    ]

    operations = [migrations.RunPython(roles_migrate, migrations.RunPython.noop)]
