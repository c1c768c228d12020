"""Closed and cancelled tickets wait for nobody: drop their marks (kept from now on by
`workspace.services.ticket_saved`), so the "customer answered" view reads only live ones."""

from django.db import migrations


def forget(apps, schema_editor):
    AwaitingReply = apps.get_model("workspace", "AwaitingReply")
    AwaitingReply.objects.filter(ticket__status__in=["closed", "cancelled"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workspace", "0004_ticket_presence"),
        ("tickets", "0011_ticket_assignee_status_index"),
    ]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop)]
