"""The customer's page about their support agreement, generated from what the engine enforces."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from sla import selectors, services


@login_required
def agreement(request):
    """Hours, levels, targets, upcoming holidays and the organization's 24x7 status."""
    membership = getattr(request.user, "membership", None)
    today = timezone.localdate()
    contract = selectors.contract_in_force(membership.organization, today) if membership else None
    policy = contract.policy if contract else selectors.default_policy()
    context = {"contract": contract, "policy": None}
    if policy is not None:
        policy = selectors.policies_with_rules().get(pk=policy.pk)
        engine = selectors.business_time_for(policy.calendar)
        business_day = engine.spec.longest_day
        rows = []
        for target in policy.targets.all():
            first, resolution = services.targets_for(
                target, integration_24x7=False, business_day=business_day
            )
            _first, covered = services.targets_for(
                target, integration_24x7=True, business_day=business_day
            )
            rows.append(
                (target.level, first, resolution, covered if covered != resolution else None)
            )
        context |= {
            "policy": policy,
            "calendar": policy.calendar,
            "periods": policy.calendar.working_periods.all(),
            "rows": rows,
            "holidays": services.upcoming_closed_days(policy.calendar, today=today, count=10),
            "zone": engine.zone,
            "business_day": business_day,
        }
    return render(request, "sla/agreement.html", context)
