"""The pages the requester answers on: by a signed e-mail link, or from the portal.

A link's page never acts on a GET (mail scanners open links): it shows one button."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from satisfaction import selectors, services
from satisfaction.forms import RatingForm, ReopenForm
from satisfaction.models import Survey
from tickets import selectors as ticket_selectors


def _refused(request, reasons, *, status: int = 410):
    return render(request, "satisfaction/refused.html", {"reasons": reasons}, status=status)


def answer(request, token: str):
    """One link of the resolved e-mail: its confirmation page (GET), the act itself (POST)."""
    now = timezone.now()
    try:
        survey, action = services.link_read(token, now=now)
    except Survey.DoesNotExist as error:
        raise Http404 from error
    except ValidationError as error:
        return _refused(request, error.messages)
    ticket = survey.ticket
    if request.user.is_authenticated and not ticket_selectors.ticket_visible_to(
        request.user, ticket
    ):
        raise Http404  # someone else's ticket, whoever forwarded the link
    if action == services.RATE:
        return _rate(
            request,
            survey,
            now=now,
            actor=survey.requester,
            done=lambda: render(request, "satisfaction/rated.html", {"ticket": ticket}),
        )
    posted = request.POST if request.method == "POST" else None
    form = ReopenForm(posted) if action == services.REOPEN else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            services.survey_answer(
                survey=survey,
                action=action,
                now=now,
                reason=form.cleaned_data["reason"] if form else "",
            )
        except ValidationError as error:
            return _refused(request, error.messages, status=409)
        rate_url = None
        if not hasattr(survey, "rating"):
            rate_url = services.link_urls(survey, now=now)[services.RATE]
        return render(
            request,
            "satisfaction/answered.html",
            {"ticket": ticket, "action": action, "rate_url": rate_url},
        )
    return render(
        request,
        "satisfaction/answer.html",
        {"ticket": ticket, "action": action, "form": form},
    )


def _rate(request, survey, *, now, actor, done):
    """The rating form (GET, its score chosen from the e-mail's link) and its sending."""
    initial = {}
    if request.GET.get("score", "") in {"1", "2", "3", "4", "5"}:
        initial["score"] = int(request.GET["score"])
    form = RatingForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.rating_record(
                survey=survey,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                actor=actor,
                now=now,
            )
        except ValidationError as error:
            return _refused(request, error.messages, status=409)
        return done()
    return render(request, "satisfaction/rate.html", {"ticket": survey.ticket, "form": form})


@login_required
def rate(request, reference: str):
    """The portal's way to rate: the requester, on a ticket they may see, asked and unrated."""
    ticket = get_object_or_404(
        ticket_selectors.tickets_visible_to(request.user), reference=reference
    )
    survey = selectors.survey_to_rate(ticket, request.user)
    if survey is None:
        raise Http404

    def done():
        messages.success(request, _("Thank you for your rating."))
        return redirect(ticket)

    return _rate(request, survey, now=timezone.now(), actor=request.user, done=done)
