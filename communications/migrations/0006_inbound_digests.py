import hashlib

from django.db import migrations


def fill_digests(apps, schema_editor):
    """Digests of the messages already stored (their Message-IDs were unique until now)."""
    InboundEmail = apps.get_model("communications", "InboundEmail")
    for record in InboundEmail.objects.only("pk", "raw", "message_id").iterator(chunk_size=500):
        InboundEmail.objects.filter(pk=record.pk).update(
            raw_digest=hashlib.sha256(bytes(record.raw)).hexdigest(),
            message_id_digest=hashlib.sha256(record.message_id.encode()).hexdigest(),
        )


class Migration(migrations.Migration):
    dependencies = [("communications", "0005_email_sender_trust")]

    operations = [migrations.RunPython(fill_digests, migrations.RunPython.noop)]
