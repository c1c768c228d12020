"""The portal page where a user creates and revokes their API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services
from accounts.models import ApiToken


@login_required
def tokens(request):
    new_key = None
    if request.method == "POST":
        try:
            _token, new_key = services.api_token_create(
                user=request.user, name=request.POST.get("name", ""), now=timezone.now()
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    context = {"tokens": ApiToken.objects.filter(user=request.user), "new_key": new_key}
    return render(request, "accounts/tokens.html", context)


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(token=token, now=timezone.now())
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:tokens")
