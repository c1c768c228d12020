"""Signing in with a username and password, the signed-in user read with their membership."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class MemberBackend(ModelBackend):
    """Django's own backend, but each request's user comes with their organization membership
    and organization in the same query: every portal page and API call asks for them (which
    tickets are theirs), and reading them apart cost two queries a request."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("membership__organization")
        try:
            user = users.get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
