"""The portal page where a user creates and revokes their API tokens."""

import math

from axes.helpers import get_cool_off
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import services
from accounts.models import ApiToken

# The clear key waits here between the POST that made it and the page that shows it, once.
NEW_KEY_SESSION = "accounts.new_api_key"


@login_required
@never_cache
def tokens(request):
    """Create by POST then redirect (a reload makes no second token); the key is shown once."""
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            _token, key = services.api_token_create(
                user=request.user, name=name, now=timezone.now()
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _page(request, name=name, status=400)
        request.session[NEW_KEY_SESSION] = key
        return redirect("accounts:tokens")
    return _page(request, new_key=request.session.pop(NEW_KEY_SESSION, None))


def _page(request, *, new_key=None, name: str = "", status: int = 200):
    context = {
        "tokens": ApiToken.objects.filter(user=request.user),
        "new_key": new_key,
        "name": name,
    }
    return render(request, "accounts/tokens.html", context, status=status)


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(token=token, now=timezone.now())
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:tokens")


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login: the portal's page, how long, a reset link."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else 0
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
