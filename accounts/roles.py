"""The back office's roles, as groups with explicit permissions (created by a migration).

Agents work tickets; team leads also run the on-call rota, re-apply policies and moderate
feature requests; SLA admins keep the policies, calendars, levels and contracts. No role holds
a delete permission on the written record (`helpdesk.record` refuses it anyway), and history
rows are only ever viewed.
"""

AGENTS = "Agents"
TEAM_LEADS = "Team leads"  # settings.SLA_TEAM_LEADS_GROUP's default: told of every breach
SLA_ADMINS = "SLA admins"

_READ_RECORD = [
    "tickets.view_ticket",
    "tickets.view_historicalticket",
    "tickets.view_ticketevidence",
    "tickets.view_organization",
    "tickets.view_historicalorganization",
    "tickets.view_organizationmember",
    "tickets.view_integration",
    "communications.view_message",
    "communications.view_attachment",
    "communications.view_call",
    "communications.view_historicalcall",
    "communications.view_agreement",
    "communications.view_historicalagreement",
    "communications.view_inboundemail",
    "communications.view_outboundemail",
    "sla.view_slapolicy",
    "sla.view_historicalslapolicy",
    "sla.view_businesscalendar",
    "sla.view_prioritylevel",
    "sla.view_supportcontract",
    "sla.view_slaclock",
    "sla.view_slaclockevent",
    "feature_requests.view_featurerequest",
    "oncall.view_oncallshift",
    "oncall.view_historicaloncallshift",
]

# The workspace: queues, and saved views each analyst keeps (not the record: deletable).
_WORKSPACE = [
    "workspace.view_savedview",
    "workspace.add_savedview",
    "workspace.change_savedview",
    "workspace.delete_savedview",
    "workspace.view_team",
]

ROLES: dict[str, list[str]] = {
    AGENTS: [
        *_READ_RECORD,
        "tickets.add_ticket",
        "tickets.change_ticket",
        "tickets.add_organization",
        "tickets.change_organization",
        "tickets.add_organizationmember",
        "tickets.change_organizationmember",
        "tickets.add_integration",
        "tickets.change_integration",
        "communications.add_message",
        "communications.add_call",  # the ticket page's call form and the on-call form
        "communications.add_agreement",
        "communications.change_inboundemail",  # work held mail (file, contact, discard)
        "communications.change_outboundemail",  # send now, release
        "feature_requests.change_featurerequest",
        *_WORKSPACE,
    ],
    TEAM_LEADS: [],  # filled below: everything agents have, and more
    SLA_ADMINS: [
        *_READ_RECORD,
        "sla.add_slapolicy",
        "sla.change_slapolicy",
        "sla.reapply_slapolicy",
        "sla.add_businesscalendar",
        "sla.change_businesscalendar",
        "sla.add_prioritylevel",
        "sla.change_prioritylevel",
        "sla.add_supportcontract",
        "sla.change_supportcontract",
        *_WORKSPACE,
    ],
}
ROLES[TEAM_LEADS] = [
    *ROLES[AGENTS],
    "oncall.add_oncallshift",
    "oncall.change_oncallshift",
    "sla.reapply_slapolicy",
    "feature_requests.add_featurerequest",
    "communications.view_personaldataerasure",
    "communications.add_personaldataerasure",  # LGPD / GDPR erasure on request
    "workspace.manage_shared_savedview",  # edit every shared view, not only their own
    "workspace.add_team",
    "workspace.change_team",
    "workspace.delete_team",
]

# Macros (automation): agents apply the shared ones and keep their own; team leads also keep
# the shared macros and the triage rules.
_MACROS = [
    "automation.view_macro",
    "automation.add_macro",
    "automation.change_macro",
    "automation.delete_macro",
    "automation.view_historicalmacro",
]
ROLES[AGENTS] += _MACROS
ROLES[TEAM_LEADS] += [
    *_MACROS,
    "automation.manage_shared_macros",
    "automation.view_triagerule",
    "automation.add_triagerule",
    "automation.change_triagerule",
    "automation.delete_triagerule",
    "automation.view_historicaltriagerule",
    "automation.view_triagerun",
]


def roles_install(apps, *, strict: bool = True) -> None:
    """Create or update the groups with exactly their permissions (idempotent).

    Takes the app registry, so a migration can call it with its historical models; there
    (`strict=False`) a permission of a model that a later migration creates is skipped.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, labels in ROLES.items():
        wanted = []
        for label in sorted(set(labels)):
            app_label, codename = label.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None:
                if strict:
                    raise LookupError(f"permission {label} does not exist")
                continue
            wanted.append(permission)
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(wanted)


def roles_migrate(apps, schema_editor) -> None:
    """A migration's step: permissions are normally created after every migration has run,
    and the roles need them now."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles_install(apps, strict=False)


# The help center: agents write and preview articles; those with the publish permission
# (team leads) publish, archive and unpublish them.
_HELP_CENTER_WRITE = [
    "help_center.view_article",
    "help_center.add_article",
    "help_center.change_article",
    "help_center.view_historicalarticle",
    "help_center.view_articletranslation",
    "help_center.add_articletranslation",
    "help_center.change_articletranslation",
    "help_center.view_historicalarticletranslation",
    "help_center.view_articleattachment",
    "help_center.add_articleattachment",
    "help_center.change_articleattachment",
    "help_center.delete_articleattachment",
    "help_center.view_category",
    "help_center.view_section",
    "help_center.view_articlefeedback",
    "help_center.view_unansweredsearch",
]
ROLES[AGENTS] += _HELP_CENTER_WRITE
ROLES[TEAM_LEADS] += [
    *_HELP_CENTER_WRITE,
    "help_center.publish_article",
    "help_center.add_category",
    "help_center.change_category",
    "help_center.add_section",
    "help_center.change_section",
]
