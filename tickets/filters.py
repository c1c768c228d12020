"""Filters of the ticket list (API), validated by django-filter: bad values are a 400."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sla.models import ClockState, SLAClock
from tickets.models import Ticket


class TicketFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Ticket.Status.choices)
    priority = django_filters.CharFilter(field_name="priority__code", label=_("priority code"))
    reported_after = django_filters.IsoDateTimeFilter(field_name="reported_at", lookup_expr="gte")
    reported_before = django_filters.IsoDateTimeFilter(field_name="reported_at", lookup_expr="lt")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    sla_state = django_filters.ChoiceFilter(
        choices=[(s, s) for s in ("running", "paused", "breached", "met")],
        method="filter_sla_state",
        label=_("SLA state"),
    )
    organization = django_filters.CharFilter(
        field_name="organization__slug", label=_("organization (analysts)")
    )

    class Meta:
        model = Ticket
        fields = ["status", "priority", "channel"]

    def filter_sla_state(self, queryset, name, value):
        clocks = SLAClock.objects.filter(ticket=OuterRef("pk"))
        breached = clocks.filter(
            Q(state=ClockState.BREACHED) | Q(state=ClockState.RUNNING, due_at__lt=timezone.now())
        )
        if value == "breached":
            return queryset.filter(Exists(breached))
        if value == "met":
            return queryset.exclude(Exists(clocks.filter(met_at__isnull=True)))
        if value == "paused":
            return queryset.filter(Exists(clocks.filter(state=ClockState.PAUSED)))
        return queryset.filter(Exists(clocks.filter(state=ClockState.RUNNING))).exclude(
            Exists(breached)
        )
