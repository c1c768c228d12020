"""Back office of the written record: e-mail in quarantine, e-mail out, calls, agreements."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communications import inbound, outbound
from communications.models import Agreement, Call, InboundEmail, OutboundEmail
from tickets.models import Ticket


class AttachToTicketForm(forms.Form):
    reference = forms.CharField(label=_("ticket reference"), max_length=20)

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip().upper()
        ticket = Ticket.objects.filter(reference=reference).first()
        if ticket is None:
            raise forms.ValidationError(_("No ticket has this reference."))
        return ticket


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = ["received_at", "from_address", "subject", "status", "ticket", "short_error"]
    list_filter = ["status"]
    search_fields = ["from_address", "subject", "message_id"]
    list_select_related = ["ticket"]
    date_hierarchy = "received_at"
    actions = ["reprocess", "attach_to_ticket"]
    exclude = ["raw"]
    readonly_fields = [
        "message_id",
        "received_at",
        "from_address",
        "subject",
        "status",
        "error",
        "ticket",
        "processed_at",
        "source",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description=_("error"))
    def short_error(self, record):
        return record.error[:120]

    @admin.display(description=_("raw source"))
    def source(self, record):
        text = bytes(record.raw)[:200_000].decode("utf-8", "replace")
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)

    @admin.action(description=_("Process again"))
    def reprocess(self, request, queryset):
        now = timezone.now()
        for record in queryset.exclude(status=InboundEmail.Status.PROCESSED):
            inbound.email_process(record, now=now)
            level = messages.SUCCESS if record.status != "quarantined" else messages.WARNING
            self.message_user(request, f"{record}: {record.get_status_display()}", level)

    @admin.action(description=_("File on a ticket…"))
    def attach_to_ticket(self, request, queryset):
        form = AttachToTicketForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": gettext("File e-mails on a ticket"),
                "form": form,
                "tickets": [],
                "records": queryset,
                "action_name": "attach_to_ticket",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            }
            return TemplateResponse(
                request, "admin/communications/inboundemail/attach.html", context
            )
        ticket, now = form.cleaned_data["reference"], timezone.now()
        for record in queryset.exclude(status=InboundEmail.Status.PROCESSED):
            try:
                inbound.email_attach_to_ticket(record, ticket=ticket, actor=request.user, now=now)
            except ValidationError as error:
                self.message_user(request, f"{record}: {' '.join(error.messages)}", messages.ERROR)
        return None


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "to",
        "subject",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "auto_submitted"]
    search_fields = ["to", "subject", "message_id", "ticket__reference"]
    list_select_related = ["ticket"]
    actions = ["send_now", "release"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description=_("Send now (only if not sent yet)"))
    def send_now(self, request, queryset):
        now = timezone.now()
        ids = queryset.values_list("pk", flat=True)
        sent = sum(outbound.email_send(pk, now=now, force=True) for pk in ids)
        self.message_user(
            request, gettext("%(count)d e-mail(s) sent.") % {"count": sent}, messages.SUCCESS
        )

    @admin.action(description=_("Release e-mails stuck in sending (check they did not go)"))
    def release(self, request, queryset):
        released = outbound.emails_release(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            gettext("%(count)d e-mail(s) can be sent again.") % {"count": released},
            messages.SUCCESS,
        )


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["started_at", "kind", "ticket", "participants", "duration", "recorded_by"]
    list_filter = ["kind", "recorded_by", ("started_at", admin.DateFieldListFilter)]
    search_fields = ["ticket__reference", "participants", "summary"]
    list_select_related = ["ticket", "recorded_by"]
    date_hierarchy = "started_at"

    def has_add_permission(self, request):
        return False  # recorded from the ticket page, through the services

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["created_at", "ticket", "kind", "version", "in_force", "customer_party"]
    list_filter = ["kind", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["ticket__reference", "text", "customer_party"]
    list_select_related = ["ticket", "superseded_by"]

    def has_add_permission(self, request):
        return False  # agreements are recorded from the ticket page

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # never edited or removed: a correction is a new version

    @admin.display(description=_("in force"), boolean=True)
    def in_force(self, agreement):
        return not hasattr(agreement, "superseded_by")
