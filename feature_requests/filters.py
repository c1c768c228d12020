"""Filters of the feature-request list (API), validated by django-filter: bad values are a 400."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from feature_requests import selectors
from feature_requests.models import FeatureRequest
from tickets.filters import InstantFilter  # offsets PostgreSQL refuses are a 400 there too


class StrictBooleanField(forms.NullBooleanField):
    """True, false or absent; anything else is an error, where django-filter would ignore it."""

    widget = forms.TextInput  # NullBooleanSelect turns an unknown value into "absent"
    default_error_messages = {
        "invalid_choice": forms.ChoiceField.default_error_messages["invalid_choice"]
    }

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in (True, "True", "true", "1"):
            return True
        if value in (False, "False", "false", "0"):
            return False
        raise ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class FeatureRequestFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=FeatureRequest.Status.choices)
    product_area = django_filters.MultipleChoiceFilter(choices=FeatureRequest.ProductArea.choices)
    q = django_filters.CharFilter(method="filter_q", label=_("words to search for"), max_length=200)
    voted = StrictBooleanFilter(field_name="has_voted", label=_("voted by me"))
    subscribed = StrictBooleanFilter(field_name="is_subscribed", label=_("followed by me"))
    created_after = InstantFilter(field_name="created_at", lookup_expr="gte")
    created_before = InstantFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = FeatureRequest
        fields = ["status", "product_area"]

    def filter_q(self, queryset, name, value):
        return selectors.search(queryset, value) if value.strip() else queryset
