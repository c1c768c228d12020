from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from sla.models import SupportContract
from tickets.models import Integration, Organization, OrganizationMember, Ticket


class OrganizationMemberInline(admin.TabularInline):
    model = OrganizationMember
    extra = 0
    autocomplete_fields = ["user"]


class IntegrationInline(admin.TabularInline):
    model = Integration
    extra = 0


class SupportContractInline(admin.TabularInline):
    model = SupportContract
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "email_domains"]
    search_fields = ["name", "slug", "email_domains"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganizationMemberInline, IntegrationInline, SupportContractInline]


@admin.register(Ticket)
class TicketAdmin(SimpleHistoryAdmin):
    list_display = [
        "reference",
        "subject",
        "organization",
        "priority",
        "status",
        "assignee",
        "reported_at",
        "first_response_due",
        "resolution_due",
    ]
    list_filter = ["status", "priority", "channel", "organization"]
    search_fields = ["reference", "subject", "organization__name"]
    list_select_related = ["organization", "priority", "assignee"]
    date_hierarchy = "reported_at"
    readonly_fields = [
        "reference",
        "policy",
        "integration_24x7",
        "first_response_due",
        "resolution_due",
        "status",
    ]

    def has_add_permission(self, request):
        # Tickets are opened through tickets.services.ticket_create (portal, e-mail, API).
        return False
