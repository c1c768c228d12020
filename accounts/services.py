"""Creating and revoking API tokens."""

import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import ApiToken, token_digest

MAX_ACTIVE_TOKENS = 10


def api_token_create(*, user, name: str, now: datetime) -> tuple[ApiToken, str]:
    """A new token; the clear key is returned once and never stored."""
    if not name.strip():
        raise ValidationError({"name": _("Give the token a name, e.g. the integration using it.")})
    if ApiToken.objects.active().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(_("Revoke a token before creating another."))
    key = f"hd_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=key[:10],
        digest=token_digest(key),
        created_at=now,
    )
    return token, key


def api_token_revoke(*, token: ApiToken, now: datetime) -> None:
    if token.revoked_at is None:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
