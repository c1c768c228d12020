from django.db import migrations


def fill(apps, schema_editor):
    from sla.defaults import install_translations

    install_translations(apps)


class Migration(migrations.Migration):
    dependencies = [("sla", "0010_policy_texts_translated")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
