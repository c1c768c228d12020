"""Each analyst's notices in the back office: the list behind the bell, open, mark read."""

from django.contrib import admin, messages
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from notices import selectors, services
from notices.models import Notice


def _is_analyst(user) -> bool:
    return user.is_active and user.is_staff


class ReadFilter(admin.SimpleListFilter):
    title = _("read")
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return [("no", _("unread")), ("yes", _("read"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(read_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(read_at__isnull=False)
        return queryset


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """A personal inbox: every analyst sees their own notices, and only those (superusers too).

    No model permission is needed: being an analyst is enough, as for one's own preferences.
    Notices are written by the desk, never edited; reading one is the only change.
    """

    list_display = ["created_at", "headline", "ticket_link", "text", "read_at"]
    list_display_links = None
    list_filter = [ReadFilter, "kind"]
    actions = ["mark_read"]
    list_per_page = 50

    def get_queryset(self, request):
        return selectors.notices_of(request.user)

    def has_module_permission(self, request):
        return _is_analyst(request.user)

    def has_view_permission(self, request, obj=None):
        return _is_analyst(request.user) and (obj is None or obj.recipient_id == request.user.pk)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("notice"), ordering="kind")
    def headline(self, notice):
        text = notice.get_kind_display()
        if notice.actor_id:
            text = f"{text} ({notice.actor.get_username()})"
        return format_html("<strong>{}</strong>", text) if notice.read_at is None else text

    @admin.display(description=_("ticket"))
    def ticket_link(self, notice):
        url = reverse("admin:notices_notice_open", args=[notice.pk])
        return format_html(
            '<a href="{}">{}</a> {}', url, notice.ticket.reference, notice.ticket.subject
        )

    @admin.action(description=_("Mark as read"))
    def mark_read(self, request, queryset):
        count = services.notices_read(
            user=request.user, now=timezone.now(), ids=queryset.values_list("pk", flat=True)
        )
        self.message_user(
            request,
            ngettext("%(count)d notice marked as read.", "%(count)d notices marked as read.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/open/", wrap(self.open_view), name="notices_notice_open"),
            path("read-all/", wrap(self.read_all_view), name="notices_notice_read_all"),
            *super().get_urls(),
        ]

    def open_view(self, request, pk: int):
        """Go to the notice's ticket, marking the notice read (someone else's: 404)."""
        if not _is_analyst(request.user):
            raise Http404
        notice = get_object_or_404(Notice.objects.filter(recipient=request.user), pk=pk)
        services.notice_read(notice=notice, now=timezone.now())
        return HttpResponseRedirect(reverse("admin:tickets_ticket_change", args=[notice.ticket_id]))

    def read_all_view(self, request):
        """Mark every unread notice of the analyst read, then go back where they were."""
        if not _is_analyst(request.user):
            raise Http404
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        count = services.notices_read(user=request.user, now=timezone.now())
        self.message_user(
            request,
            gettext("All your notices are read (%(count)d marked now).") % {"count": count},
            messages.SUCCESS,
        )
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("admin:notices_notice_changelist")
        return HttpResponseRedirect(target)
