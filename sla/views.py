"""The customer's page about their support agreement, generated from what the engine enforces."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from sla import services


@login_required
def agreement(request):
    """Hours, levels, targets, upcoming holidays and the organization's 24x7 status."""
    overview = services.policy_overview(user=request.user, today=timezone.localdate())
    return render(request, "sla/agreement.html", {"overview": overview})
