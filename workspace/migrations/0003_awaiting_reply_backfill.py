"""Which existing tickets wait for our reply: the customer wrote after our last public reply."""

from django.db import migrations


def backfill(apps, schema_editor):
    Message = apps.get_model("communications", "Message")
    AwaitingReply = apps.get_model("workspace", "AwaitingReply")
    waiting: dict[int, object] = {}
    public = (
        Message.objects.filter(direction__in=["in", "out"])
        .order_by("ticket_id", "created_at", "id")
        .values_list("ticket_id", "direction", "created_at")
    )
    for ticket_id, direction, created_at in public.iterator(chunk_size=5000):
        if direction == "out":
            waiting.pop(ticket_id, None)
        else:
            waiting.setdefault(ticket_id, created_at)
    AwaitingReply.objects.bulk_create(
        [AwaitingReply(ticket_id=t, customer_answered_at=at) for t, at in waiting.items()],
        batch_size=1000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("workspace", "0002_roles"),
        ("communications", "0008_personal_data_erasure"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
