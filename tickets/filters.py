"""Filters of the ticket list (API), validated by django-filter: bad values are a 400."""

from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from helpdesk.formats import MAX_UTC_OFFSET
from search import selectors as search_selectors
from tickets import selectors
from tickets.models import Ticket


class InstantField(IsoDateTimeField):
    """An ISO 8601 instant, normalised to UTC; offsets no place on Earth uses are refused.

    Python accepts offsets up to ±23:59 but PostgreSQL only up to ±15:59, and converting an
    instant at the edge of the calendar can overflow: both are the client's error, not ours.
    """

    default_error_messages = {
        "offset": _("Give a UTC offset between -14:00 and +14:00."),
    }

    def to_python(self, value):
        instant = super().to_python(value)
        if instant is None:
            return None
        offset = instant.utcoffset()
        if offset is not None and abs(offset) > MAX_UTC_OFFSET:
            raise ValidationError(self.error_messages["offset"], code="offset")
        try:
            return instant.astimezone(UTC)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class InstantFilter(django_filters.IsoDateTimeFilter):
    field_class = InstantField


class TicketFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Ticket.Status.choices)
    priority = django_filters.CharFilter(field_name="priority__code", label=_("priority code"))
    reported_after = InstantFilter(field_name="reported_at", lookup_expr="gte")
    reported_before = InstantFilter(field_name="reported_at", lookup_expr="lt")
    created_after = InstantFilter(field_name="created_at", lookup_expr="gte")
    created_before = InstantFilter(field_name="created_at", lookup_expr="lt")
    sla_state = django_filters.ChoiceFilter(
        choices=[(state, state) for state in selectors.SLA_STATES],
        method="filter_sla_state",
        label=_("SLA state"),
    )
    organization = django_filters.CharFilter(
        field_name="organization__slug", label=_("organization (analysts)")
    )

    search = django_filters.CharFilter(
        method="filter_search",
        label=_("words of the reference, subject, description, messages or requester"),
    )

    class Meta:
        model = Ticket
        fields = ["status", "priority", "channel"]

    def filter_search(self, queryset, name, value):
        user = self.request.user if self.request else None
        return search_selectors.tickets_matching(
            queryset,
            value,
            staff=bool(user and user.is_staff),
            organization_id=selectors.visible_organization(user),
        )

    def filter_sla_state(self, queryset, name, value):
        return selectors.tickets_in_sla_state(queryset, value, now=timezone.now())
