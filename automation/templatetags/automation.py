"""The ticket page's macro box: the analyst's usable macros, to preview and apply."""

from django import template

from automation.forms import MacroChoiceForm

register = template.Library()


@register.inclusion_tag("admin/automation/macro_panel.html", takes_context=True)
def macro_panel(context, ticket):
    request = context["request"]
    form = MacroChoiceForm(user=request.user)
    return {"ticket": ticket, "form": form, "csrf_token": context.get("csrf_token")}
