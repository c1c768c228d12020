"""Filters of the feature-request list (API), validated by django-filter: bad values are a 400."""

import django_filters
from django.utils.translation import gettext_lazy as _

from feature_requests import selectors
from feature_requests.models import FeatureRequest
from tickets.filters import InstantFilter  # offsets PostgreSQL refuses are a 400 there too


class FeatureRequestFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=FeatureRequest.Status.choices)
    product_area = django_filters.MultipleChoiceFilter(choices=FeatureRequest.ProductArea.choices)
    q = django_filters.CharFilter(method="filter_q", label=_("words to search for"), max_length=200)
    voted = django_filters.BooleanFilter(field_name="has_voted", label=_("voted by me"))
    subscribed = django_filters.BooleanFilter(field_name="is_subscribed", label=_("followed by me"))
    created_after = InstantFilter(field_name="created_at", lookup_expr="gte")
    created_before = InstantFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = FeatureRequest
        fields = ["status", "product_area"]

    def filter_q(self, queryset, name, value):
        return selectors.search(queryset, value) if value.strip() else queryset
