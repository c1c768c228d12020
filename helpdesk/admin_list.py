"""Changelist rows rendered column by column, the same cells as Django's, decided once a page.

Django's `items_for_result` works out each cell from scratch: which field or method it is,
its empty text, its classes, whether it links, its URL with the list's filters. For the
ticket list (50 rows x 11 columns) that is most of the page's time. Here each column is
worked out once per page and each row only computes its values. Anything this does not
handle (editable lists, popups, related lookups like `organization__name`) is left to Django.
The tests compare the HTML with Django's own, cell by cell.
"""

import datetime
from collections.abc import Callable

from django.contrib.admin.templatetags.admin_list import ResultList, results
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
)
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

Cell = Callable[[models.Model], SafeString]


def result_rows(cl) -> list[ResultList]:
    """The rows of the changelist's page, as `admin_list.results` would give them."""
    if not _handled(cl):
        return list(results(cl))
    rows = cl.result_list
    if not rows:
        return []
    link_suffix = _preserved_filters_suffix(cl, rows[0])
    columns = []
    first = True
    for name in cl.list_display:
        links = _links(cl, name, first)
        columns.append(_column(cl, name, links=links, tag="th" if links and first else "td"))
        if links:
            first = False
    return [ResultList(None, [column(row, link_suffix) for column in columns]) for row in rows]


def _handled(cl) -> bool:
    names = cl.list_display
    return not (
        cl.formset
        or cl.is_popup
        or cl.to_field
        or any(not isinstance(name, str) or LOOKUP_SEP in name for name in names)
    )


def _links(cl, name: str, first: bool) -> bool:
    if cl.list_display_links is None:
        return False
    if first and not cl.list_display_links:
        return True
    return name in cl.list_display_links


def _preserved_filters_suffix(cl, row) -> str:
    """What `add_preserved_filters` appends to a change URL: the same for every row."""
    url = cl.url_for_result(row)
    preserved = add_preserved_filters(
        {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url
    )
    return preserved[len(url) :] if preserved.startswith(url) else ""


def _column(cl, name: str, *, links: bool, tag: str):
    """A function rendering this column's cell for a row."""
    model_admin = cl.model_admin
    empty = model_admin.get_empty_value_display()
    try:
        field = _get_non_gfk_field(cl.lookup_opts, name)
    except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
        field = None
    if field is not None and not field.auto_created:
        value_of, represent, classes = _field_cell(field, name, empty, links)
    else:
        value_of, represent, classes = _computed_cell(model_admin, name, empty, field)

    def cell(row, link_suffix: str) -> SafeString:
        value = value_of(row)
        text = represent(value)
        row_classes = classes
        if field is None and isinstance(value, (datetime.date, datetime.time)):
            row_classes = f"{classes} nowrap"
        if links:
            text = format_html('<a href="{}">{}</a>', cl.url_for_result(row) + link_suffix, text)
        return mark_safe(f'<{tag} class="{row_classes}">{conditional_escape(text)}</{tag}>')

    return cell


def _field_cell(field, name: str, empty, links: bool):
    classes = f"field-{name}"
    if isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
        classes += " nowrap"
    if isinstance(field.remote_field, models.ManyToOneRel):  # a foreign key: its object
        return (lambda row: getattr(row, name)), (lambda v: empty if v is None else v), classes
    if getattr(field, "flatchoices", None):
        try:
            labels = dict(field.flatchoices)
        except TypeError:
            labels = None
        if labels is not None:
            return (lambda row: getattr(row, name)), (lambda v: labels.get(v, empty)), classes

    def represent(value):
        return display_for_field(value, field, empty, avoid_link=links)

    return (lambda row: getattr(row, name)), represent, classes


def _computed_cell(model_admin, name: str, empty, field):
    """A method of the admin, or of the model (a property or method), as Django looks it up."""
    classes = "action-checkbox" if name == "action_checkbox" else f"field-{name}"
    if field is not None:  # an auto-created field (the id): shown as a value
        attr = None

        def value_of(row):
            return getattr(row, name)

    elif hasattr(model_admin, name) and name != "__str__":
        attr = getattr(model_admin, name)
        value_of = attr
    else:
        attr = getattr(model_admin.model, name, None)

        def value_of(row):
            value = getattr(row, name)
            return value() if callable(value) else value

    boolean = getattr(attr, "boolean", False)
    if isinstance(attr, property) and hasattr(attr, "fget"):
        boolean = getattr(attr.fget, "boolean", False)
    empty = getattr(attr, "empty_value_display", empty)

    def represent(value):
        if isinstance(value, SafeString) and value and not boolean:
            return value
        return display_for_value(value, empty, boolean)

    return value_of, represent, classes
