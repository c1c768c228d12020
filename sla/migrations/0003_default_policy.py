from django.db import migrations


def install(apps, schema_editor):
    from sla.defaults import install_default_policy

    install_default_policy(apps)


class Migration(migrations.Migration):
    dependencies = [("sla", "0002_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
