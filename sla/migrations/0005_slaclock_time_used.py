from django.db import migrations, models


def backfill_time_used(apps, schema_editor):
    """Clocks met before the column existed get their time used from their events."""
    from sla import business_time, clocks

    SLAClock = apps.get_model("sla", "SLAClock")
    SLAClockEvent = apps.get_model("sla", "SLAClockEvent")
    engines = {}
    met = SLAClock.objects.filter(met_at__isnull=False, time_used__isnull=True).select_related(
        "ticket__sla_snapshot"
    )
    for clock in met.iterator(chunk_size=2000):
        snapshot = clock.ticket.sla_snapshot
        engine = engines.get(snapshot.pk)
        if engine is None:
            spec = clocks.spec_from_json(snapshot.content["calendar"])
            engine = engines[snapshot.pk] = business_time.for_calendar(spec)
        events = SLAClockEvent.objects.filter(sla_clock=clock).order_by("recorded_at", "id")
        clock.time_used = clocks.spent(
            engine,
            clock.started_at,
            clock.met_at,
            business_time.CLOCKS[clock.clock],
            clocks.pauses_from_events(events),
        )
        clock.save(update_fields=["time_used"])


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0004_policy_versions"),
        ("tickets", "0003_ticket_shared_with"),
    ]

    operations = [
        migrations.AddField(
            model_name="slaclock",
            name="time_used",
            field=models.DurationField(
                blank=True,
                help_text="Time counted from start to goal, pauses left out, in the clock's terms.",
                null=True,
                verbose_name="time used when met",
            ),
        ),
        migrations.RunPython(backfill_time_used, migrations.RunPython.noop),
    ]
