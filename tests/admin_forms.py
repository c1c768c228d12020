"""Build the POST data of an admin change page from its rendered forms, as a browser would."""

from datetime import date, time


def _encode(value):
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value


def _form_fields(form) -> dict:
    data = {}
    for name in form.fields:
        bound = form[name]
        value = bound.value()
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
            continue
        data[bound.html_name] = _encode(value)
    return data


def change_form_data(response) -> dict:
    """Everything the admin page would submit unchanged: main form, inlines, management forms."""
    data = _form_fields(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data |= _form_fields(formset.management_form)
        for form in formset.forms:
            data |= _form_fields(form)
    return data


def add_inline_row(data: dict, prefix: str, fields: dict) -> dict:
    """Append one row to an inline formset in `data` (e.g. prefix "working_periods")."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data = dict(data)
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = _encode(value)
    return data
