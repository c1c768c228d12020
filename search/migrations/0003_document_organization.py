"""Each search document carries its ticket's organization (a customer's search is narrowed to
it in the index); existing documents are given theirs here."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
    UPDATE search_ticketsearchdocument SET organization_id = (
        SELECT organization_id FROM tickets_ticket
        WHERE tickets_ticket.id = search_ticketsearchdocument.ticket_id
    )
"""


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_index"),
        ("tickets", "0013_ticket_unbreached_by_due"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticketsearchdocument",
            name="organization",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="tickets.organization",
                verbose_name="organization",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop, elidable=True),
    ]
