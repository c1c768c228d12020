"""The placeholders of a macro: a closed list, checked when saved, substituted in one pass."""

import pytest
from django.core.exceptions import ValidationError

from automation.placeholders import placeholders_check, placeholders_render


def test_known_placeholders_pass_with_or_without_spaces():
    placeholders_check("Olá {{customer_name}}, o chamado {{ ticket_reference }} está aberto.")


@pytest.mark.parametrize(
    "text",
    [
        "Olá {{ customer.password }}",
        "{{ ticket_reference }} {{ nome_do_cliente }}",
        "{% load static %}{{ x|safe }}",
    ],
)
def test_an_unknown_placeholder_is_refused_by_name(text):
    with pytest.raises(ValidationError) as refused:
        placeholders_check(text)
    assert "Unknown placeholder" in refused.value.messages[0]
    assert "{{ customer_name }}" in refused.value.messages[0]  # says what is available


@pytest.mark.parametrize("text", ["Olá {{ customer_name", "fim }} do texto", "{{ {{ a }} }}"])
def test_braces_left_open_are_refused(text):
    with pytest.raises(ValidationError):
        placeholders_check(text)


def test_substitution_is_one_pass_and_leaves_template_syntax_alone():
    values = {"customer_name": "{{ ticket_reference }} {% now 'Y' %}", "ticket_reference": "HD-1"}
    text = "Olá {{ customer_name }} ({{ ticket_reference }}) {% if x %}"
    assert (
        placeholders_render(text, values)
        == "Olá {{ ticket_reference }} {% now 'Y' %} (HD-1) {% if x %}"
    )


def test_a_callable_value_is_computed_only_when_named():
    called = []
    values = {"resolution_due": lambda: called.append(1) or "amanhã", "ticket_reference": "HD-1"}
    assert placeholders_render("{{ ticket_reference }}", values) == "HD-1"
    assert called == []
    assert placeholders_render("{{ resolution_due }}", values) == "amanhã"
