"""Back office of the written record: e-mail in quarantine, e-mail out, calls, agreements."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communications import erasure as erasure_services
from communications import held_mail, inbound, outbound
from communications.models import (
    Agreement,
    Call,
    InboundEmail,
    OutboundEmail,
    PersonalDataErasure,
)
from tickets.models import Organization, Ticket


class AttachToTicketForm(forms.Form):
    reference = forms.CharField(label=_("ticket reference"), max_length=20)

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip().upper()
        ticket = Ticket.objects.filter(reference=reference).first()
        if ticket is None:
            raise forms.ValidationError(_("No ticket has this reference."))
        return ticket


class CreateContactForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("organization"), queryset=Organization.objects.order_by("name")
    )
    name = forms.CharField(
        label=_("name"),
        max_length=150,
        required=False,
        help_text=_("Empty: the name the e-mail gives."),
    )


class DiscardForm(forms.Form):
    reason = forms.CharField(
        label=_("why it is discarded"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the e-mail, which is never deleted."),
    )


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = [
        "received_at",
        "from_address",
        "subject",
        "status",
        "hold_reason",
        "sender_verified",
        "ticket",
        "short_error",
    ]
    list_filter = ["status", "hold_reason", "sender_verified", "message_id_reused"]
    search_fields = ["from_address", "subject", "message_id", "ticket__reference"]
    list_select_related = ["ticket"]
    date_hierarchy = "received_at"
    actions = ["reprocess", "attach_to_ticket", "create_contact_and_ticket", "discard"]
    exclude = ["raw"]
    readonly_fields = [
        "status",
        "hold_reason",
        "error",
        "ticket",
        "from_address",
        "subject",
        "sender_verified",
        "authentication",
        "received_at",
        "arrival_source",
        "arrival_clamped_from",
        "message_id",
        "message_id_reused",
        "raw_digest",
        "processed_at",
        "discarded_by",
        "discard_reason",
        "source",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # the record keeps every message received; discarding sets it aside

    @admin.display(description=_("details"))
    def short_error(self, record):
        return record.error[:120]

    @admin.display(description=_("raw source"))
    def source(self, record):
        text = bytes(record.raw)[:200_000].decode("utf-8", "replace")
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)

    def _form_action(self, request, queryset, form_class, *, action: str, title: str, work):
        """Ask for the action's form, then run `work(record, cleaned_data, now)` on each held
        or quarantined e-mail, reporting refusals one by one."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": title,
                "form": form,
                "records": queryset,
                "action_name": action,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            }
            return TemplateResponse(
                request, "admin/communications/inboundemail/attach.html", context
            )
        now = timezone.now()
        for record in queryset.filter(status__in=held_mail.WORKABLE):
            try:
                work(record, form.cleaned_data, now)
            except ValidationError as error:
                self.message_user(request, f"{record}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{record}: {gettext('done')}", messages.SUCCESS)
        return None

    @admin.action(description=_("Process again"))
    def reprocess(self, request, queryset):
        now = timezone.now()
        for record in queryset.filter(status__in=held_mail.WORKABLE):
            inbound.email_process(record, now=now)
            level = messages.SUCCESS if record.status != "quarantined" else messages.WARNING
            self.message_user(request, f"{record}: {record.get_status_display()}", level)

    @admin.action(description=_("Attach to a ticket…"))
    def attach_to_ticket(self, request, queryset):
        return self._form_action(
            request,
            queryset,
            AttachToTicketForm,
            action="attach_to_ticket",
            title=gettext("Attach e-mails to a ticket (the customer's answer, when it arrived)"),
            work=lambda record, data, now: held_mail.email_attach_to_ticket(
                record, ticket=data["reference"], actor=request.user, now=now
            ),
        )

    @admin.action(description=_("Create contact and ticket…"))
    def create_contact_and_ticket(self, request, queryset):
        """One e-mail: its own page, prefilled from the sender; several: one organization."""
        if "apply" not in request.POST and queryset.count() == 1:
            url = reverse("admin:communications_inboundemail_create_contact", args=[queryset[0].pk])
            return HttpResponseRedirect(url)
        return self._form_action(
            request,
            queryset,
            CreateContactForm,
            action="create_contact_and_ticket",
            title=gettext("Make the sender a contact of an organization and open a ticket"),
            work=lambda record, data, now: held_mail.email_open_for_contact(
                record,
                organization=data["organization"],
                name=data["name"],
                actor=request.user,
                now=now,
            ),
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/create-contact/",
                wrap(self.create_contact_view),
                name="communications_inboundemail_create_contact",
            ),
            *super().get_urls(),
        ]

    def may_create_contacts(self, request) -> bool:
        """Working held mail, adding a customer to an organization and opening a ticket."""
        return self.has_change_permission(request) and request.user.has_perms(
            ["tickets.add_ticket", "tickets.add_organizationmember"]
        )

    def create_contact_view(self, request, pk: int):
        """Create contact and ticket for one held e-mail: the organization (the one listing
        the sender's domain, preselected) and the contact's name (the From header's), then
        the ticket, opened as the e-mail would have opened it.

        A second submit finds the e-mail dealt with and goes to the ticket the first opened;
        anything the form or the service refuses is answered 400 with the reason."""
        if not self.may_create_contacts(request):
            raise PermissionDenied
        record = get_object_or_404(InboundEmail, pk=pk)
        if record.status not in held_mail.WORKABLE:
            return self._already_dealt_with(request, record)
        suggestion = held_mail.contact_suggestion(record)
        initial = {"organization": suggestion.organization, "name": suggestion.name}
        posted = request.method == "POST"
        form = CreateContactForm(request.POST if posted else None, initial=initial)
        status = 200
        problem = ""
        if not suggestion.address:
            problem = gettext("This e-mail has no single sender address to make a contact of.")
            status = 400 if posted else 200
        elif posted:
            status = 400
            if form.is_valid():
                try:
                    ticket = held_mail.email_open_for_contact(
                        record,
                        organization=form.cleaned_data["organization"],
                        name=form.cleaned_data["name"],
                        actor=request.user,
                        now=timezone.now(),
                    )
                except ValidationError as error:
                    record.refresh_from_db()
                    if record.status not in held_mail.WORKABLE:  # a concurrent submit won
                        return self._already_dealt_with(request, record)
                    form.add_error(None, error.messages)
                else:
                    self.message_user(
                        request,
                        gettext(
                            "%(address)s is now a contact of %(organization)s; "
                            "%(reference)s opened."
                        )
                        % {
                            "address": suggestion.address,
                            "organization": ticket.organization.name,
                            "reference": ticket.reference,
                        },
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:tickets_ticket_change", args=[ticket.pk])
                    )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Create contact and ticket"),
            "subtitle": str(record),
            "opts": self.model._meta,
            "original": record,
            "record": record,
            "suggestion": suggestion,
            "problem": problem,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(
            request, "admin/communications/inboundemail/create_contact.html", context, status=status
        )

    def _already_dealt_with(self, request, record: InboundEmail):
        """The e-mail is no longer held: show its ticket (a double submit lands here), or say
        what became of it."""
        if record.ticket_id is not None:
            self.message_user(
                request,
                gettext("This e-mail was already dealt with: it is on %(reference)s.")
                % {"reference": record.ticket.reference},
                messages.WARNING,
            )
            return HttpResponseRedirect(
                reverse("admin:tickets_ticket_change", args=[record.ticket_id])
            )
        self.message_user(
            request,
            gettext("This e-mail was already dealt with (%(status)s).")
            % {"status": record.get_status_display()},
            messages.ERROR,
        )
        return HttpResponseRedirect(
            reverse("admin:communications_inboundemail_change", args=[record.pk])
        )

    @admin.action(description=_("Discard with a reason…"))
    def discard(self, request, queryset):
        return self._form_action(
            request,
            queryset,
            DiscardForm,
            action="discard",
            title=gettext("Discard e-mails (they are kept, with the reason)"),
            work=lambda record, data, now: held_mail.email_discard(
                record, reason=data["reason"], actor=request.user, now=now
            ),
        )


class ErasureForm(forms.ModelForm):
    person = forms.ModelChoiceField(
        label=_("person"),
        queryset=get_user_model().objects.filter(is_staff=False).order_by("email"),
        help_text=_(
            "Their name, e-mail address, login and everything they wrote become a tombstone; "
            "tickets, deadlines and verdicts stay, so no report changes."
        ),
    )

    class Meta:
        model = PersonalDataErasure
        fields = ["person", "reason"]


@admin.register(PersonalDataErasure)
class PersonalDataErasureAdmin(admin.ModelAdmin):
    """Erasure of a person's data on request: team leads only, recorded, never undone."""

    list_display = ["erased_at", "person_id_erased", "erased_by", "reason"]
    readonly_fields = ["erased_at", "person_id_erased", "erased_by", "reason", "summary"]
    form = ErasureForm

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ["person", "reason"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        erasure = erasure_services.person_erase(
            person=form.cleaned_data["person"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
            now=timezone.now(),
        )
        for field in ("pk", "person_id_erased", "erased_at", "erased_by_id", "summary"):
            setattr(obj, field, getattr(erasure, field))


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

    def has_delete_permission(self, request, obj=None):
        return False  # part of the written record (helpdesk.record)


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
