from django import template

register = template.Library()


@register.filter
def name_in(named, language: str) -> str:
    """A category's or section's name in the visitor's language (Portuguese if missing)."""
    return named.name_in((language or "").lower())
