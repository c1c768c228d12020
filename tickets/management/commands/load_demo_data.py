"""Load demo data: an admin, an analyst, a customer organization with a user, and tickets."""

import os
from datetime import date, timedelta

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts import roles
from oncall.models import OnCallShift
from sla import services as sla_services
from sla.models import PriorityLevel, SLAPolicy, SupportContract
from tickets import services
from tickets.models import Integration, Organization, OrganizationMember, Ticket

LOGINS = [
    # username, password, role
    ("admin", "admin-demo-2026", "administrator (superuser)"),
    ("analista", "analista-demo-2026", "analyst (back office)"),
    ("cliente", "cliente-demo-2026", "customer of Acme Ltda (organization admin)"),
]
# subject, level code, hours before now, channel, what happens to it
DEMO_TICKETS = [
    ("Bot não responde no WhatsApp", "critica", 0.7, Ticket.Channel.PHONE, "new"),
    ("Relatórios não carregam no MyAivo", "alta", 3, Ticket.Channel.PORTAL, "in_progress"),
    ("Integração de leads parou de enviar", "alta", 2, Ticket.Channel.PHONE, "24x7"),
    ("Um relatório específico não exporta", "media", 50, Ticket.Channel.PORTAL, "waiting"),
    ("Dúvida sobre a API de conversas", "baixa", 30, Ticket.Channel.EMAIL, "resolved"),
    ("Widget do Live some no Safari", "media", 24 * 12, Ticket.Channel.PORTAL, "breached"),
    ("Webhook do CRM recusado pelo firewall", "alta", 24 * 3, Ticket.Channel.EMAIL, "closed"),
    ("Pedido duplicado de acesso ao Help", "baixa", 5, Ticket.Channel.PORTAL, "cancelled"),
]


class Command(BaseCommand):
    help = "Create demo users, an organization, its contract and a few tickets (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        sla_services.default_policy_install()
        analyst, customer = self._users()
        organization = self._organization(customer)
        self._rota(analyst)
        if not Ticket.objects.filter(organization=organization).exists():
            self._tickets(organization, customer, analyst)
        call_command("load_help_center_demo", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins:"))
        for username, password, role in LOGINS:
            self.stdout.write(f"  {username:<10} {password:<20} {role}")
        port = os.environ.get("PORT", "8000")  # as scripts/run.sh serves it
        self.stdout.write(f"Back office: http://127.0.0.1:{port}/admin/")

    def _users(self):
        user_model = get_user_model()
        users = []
        for username, password, _role in LOGINS:
            user, created = user_model.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.com"}
            )
            if created:
                user.set_password(password)
                user.is_staff = username in {"admin", "analista"}
                user.is_superuser = username == "admin"
                user.save()
            users.append(user)
        # the demo analyst is a team lead: tickets, the on-call rota, re-applies (accounts.roles);
        # each analyst edits only their own notice preferences (no model permission needed)
        roles.roles_install(django_apps)
        users[1].groups.add(Group.objects.get(name=roles.TEAM_LEADS))
        return users[1], users[2]

    def _rota(self, analyst):
        """The analyst is on call for a week from today's midnight (desk time)."""
        if OnCallShift.objects.exists():
            return
        start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        OnCallShift.objects.create(
            analyst=analyst, starts_at=start, ends_at=start + timedelta(days=7), note="Demo"
        )

    def _organization(self, customer):
        organization, _ = Organization.objects.get_or_create(
            slug="acme", defaults={"name": "Acme Ltda", "email_domains": "acme.example.com"}
        )
        OrganizationMember.objects.get_or_create(
            user=customer, defaults={"organization": organization, "is_admin": True}
        )
        Integration.objects.get_or_create(
            organization=organization,
            name="CRM de leads",
            defaults={"system": "Salesforce", "built_by": Integration.BuiltBy.VENDOR},
        )
        if not organization.support_contracts.exists():
            SupportContract.objects.create(
                organization=organization,
                policy=SLAPolicy.objects.get(is_default=True),
                integration_24x7=True,
                on_call_phone="+55 11 4000-2400",
                valid_from=date(timezone.localdate().year, 1, 1),
            )
        return organization

    def _tickets(self, organization, customer, analyst):
        now = timezone.now()
        levels = {level.code: level for level in PriorityLevel.objects.all()}
        integration = organization.integrations.first()
        for subject, code, hours_ago, channel, story in DEMO_TICKETS:
            reported_at = now - timedelta(hours=hours_ago)
            ticket = services.ticket_create(
                organization=organization,
                requester=customer,
                subject=subject,
                description=f"{subject}. (Demo)",
                priority=levels[code],
                reported_at=reported_at,
                now=reported_at,  # as if it arrived then: the demo replays real time
                channel=channel,
                integration=integration if story == "24x7" else None,
                category=Ticket.Category.INTEGRATION if story == "24x7" else Ticket.Category.OTHER,
            )
            self._play(ticket, story, analyst, reported_at, now)

    def _play(self, ticket, story, analyst, reported_at, now):
        """Walk a demo ticket through the lifecycle, at instants between report and now."""
        if story == "new":
            return
        if story == "cancelled":
            services.ticket_transition(
                ticket=ticket,
                to_status=Ticket.Status.CANCELLED,
                actor=analyst,
                now=reported_at + (now - reported_at) / 2,
                reason="Duplicado de outro chamado.",
            )
            return
        step = (now - reported_at) / 4
        ticket = services.ticket_assign(
            ticket=ticket, analyst=analyst, actor=analyst, now=reported_at + step
        )
        if story in {"in_progress", "waiting", "resolved", "breached"}:
            ticket = services.ticket_transition(
                ticket=ticket, to_status=Ticket.Status.IN_PROGRESS, actor=analyst,
                now=reported_at + 2 * step,
            )  # fmt: skip
        if story == "waiting":
            services.ticket_transition(
                ticket=ticket,
                to_status=Ticket.Status.WAITING_ON_CUSTOMER,
                actor=analyst,
                now=reported_at + 3 * step,
                reason="Envie o nome do relatório e um print da tela de erro.",
            )
        if story == "resolved":
            services.ticket_transition(
                ticket=ticket, to_status=Ticket.Status.RESOLVED, actor=analyst,
                now=reported_at + 3 * step,
            )  # fmt: skip
        if story == "closed":
            for status in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED):
                ticket = services.ticket_transition(
                    ticket=ticket,
                    to_status=status,
                    actor=analyst,
                    now=reported_at + 3 * step,
                    origin=Ticket.Origin.THIRD_PARTY,
                    evidence_note="O firewall do provedor do cliente bloqueia o webhook (log).",
                )
        if story == "breached":
            sla_services.clocks_mark_breaches(now=now)
