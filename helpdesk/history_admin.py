"""The admin's history pages, for reading only."""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's admin, whose version page never saves.

    Posted, that page saves the old version even with SIMPLE_HISTORY_REVERT_DISABLED (which
    only hides the button): it would rewrite a ticket, a policy or a contract behind the
    services' back, with no clock effect and no reason. History is evidence.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
