from django.db import migrations
from django.db.models import Exists, F, Min, OuterRef, Q, Subquery


def backfill(apps, schema_editor):
    """Clocks that breached before the fact was kept: the first breach event's instant, else
    the due instant of a clock breached or met late."""
    SLAClock = apps.get_model("sla", "SLAClock")
    SLAClockEvent = apps.get_model("sla", "SLAClockEvent")
    first_breach = (
        SLAClockEvent.objects.filter(sla_clock=OuterRef("pk"), kind="breached")
        .values("sla_clock")
        .annotate(first=Min("at"))
        .values("first")
    )
    breach_events = SLAClockEvent.objects.filter(sla_clock=OuterRef("pk"), kind="breached")
    SLAClock.objects.filter(Exists(breach_events)).update(breached_at=Subquery(first_breach))
    SLAClock.objects.filter(
        Q(state="breached") | Q(met_at__gt=F("due_at")), breached_at__isnull=True
    ).update(breached_at=F("due_at"))


class Migration(migrations.Migration):
    dependencies = [("sla", "0007_clock_breached_at")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
