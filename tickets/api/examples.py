"""OpenAPI examples of tickets and priority levels: what the API takes and gives back."""

from drf_spectacular.utils import OpenApiExample

TICKET = {
    "reference": "HD-2026-000123",
    "subject": "Relatórios não carregam",
    "description": "Nenhum relatório abre desde as 9h.",
    "category": "platform",
    "affected_service": "Relatórios",
    "scope": "one",
    "priority": "alta",
    "status": "assigned",
    "channel": "api",
    "organization": "acme",
    "requester": "maria",
    "assignee": "ana.analista",
    "integration": None,
    "integration_24x7": False,
    "integration_24x7_detail": (
        "Not covered: the organization's contract has no 24x7 integration support; "
        "the ticket is not about an integration."
    ),
    "reported_at": "2026-11-27T17:00:00-03:00",
    "next_due_at": "2026-11-30T16:00:00-03:00",
    "clocks": [
        {
            "metric": "first_response",
            "clock": "business",
            "budget_seconds": 7200,
            "due_at": "2026-11-30T10:00:00-03:00",
            "state": "met",
            "met_at": "2026-11-27T17:20:00-03:00",
            "paused_seconds": 0,
        },
        {
            "metric": "resolution",
            "clock": "business",
            "budget_seconds": 28800,
            "due_at": "2026-11-30T16:00:00-03:00",
            "state": "running",
            "met_at": None,
            "paused_seconds": 0,
        },
    ],
    "origin": "undetermined",
    "waiting_reason": "",
    "resolved_at": None,
    "closed_at": None,
    "created_at": "2026-11-27T17:00:02-03:00",
    "updated_at": "2026-11-27T17:20:00-03:00",
}
NEW_TICKET = {
    **TICKET,
    "status": "new",
    "assignee": None,
    "clocks": [
        {**TICKET["clocks"][0], "state": "running", "met_at": None},
        TICKET["clocks"][1],
    ],
    "updated_at": TICKET["created_at"],
}
RESOLVED_TICKET = {
    **TICKET,
    "status": "resolved",
    "origin": "vendor",
    "next_due_at": None,
    "resolved_at": "2026-11-30T14:10:00-03:00",
    "clocks": [
        TICKET["clocks"][0],
        {**TICKET["clocks"][1], "state": "met", "met_at": "2026-11-30T14:10:00-03:00"},
    ],
    "updated_at": "2026-11-30T14:10:00-03:00",
}
LEVEL = {
    "number": 2,
    "code": "alta",
    "name": "Alta",
    "impact": "Afeta um ou vários clientes",
    "description": (
        "Indisponibilidade parcial: relatórios, conteúdo ou gestão de usuários inutilizáveis; "
        "janela web quebrada; uma integração que funcionava falha em função fundamental."
    ),
    "integration_24x7_eligible": True,
}

TICKET_REQUEST = OpenApiExample(
    "An Alta ticket",
    value={
        "subject": "Relatórios não carregam",
        "description": "Nenhum relatório abre desde as 9h.",
        "priority": "alta",
        "category": "platform",
        "scope": "one",
    },
    request_only=True,
)
TICKET_REQUEST_BY_ANALYST = OpenApiExample(
    "Opened by an analyst for a customer",
    value={
        "subject": "Integração com o ERP parou",
        "description": "Relatado por telefone às 02:00.",
        "priority": "alta",
        "category": "integration",
        "integration": 4,
        "organization": "acme",
        "requester": "maria",
    },
    request_only=True,
)
TICKET_RESPONSE = OpenApiExample("An Alta ticket", value=TICKET, response_only=True)
TICKET_LIST_ITEM_RESPONSE = OpenApiExample(
    "An Alta ticket in a list (the detail adds its description)",
    value={key: value for key, value in TICKET.items() if key != "description"},
    response_only=True,
)
NEW_TICKET_RESPONSE = OpenApiExample(
    "The ticket opened, with its deadlines", value=NEW_TICKET, response_only=True
)
RESOLVED_TICKET_RESPONSE = OpenApiExample(
    "A resolved ticket", value=RESOLVED_TICKET, response_only=True
)
UPDATE_REQUEST = OpenApiExample(
    "A clearer subject",
    value={"subject": "Relatórios de vendas não carregam", "affected_service": "Relatórios"},
    request_only=True,
)
CONFIRM_REQUEST = OpenApiExample(
    "Confirm the fix", value={"reason": "Funcionando de novo, obrigado."}, request_only=True
)
CLOSED_TICKET_RESPONSE = OpenApiExample(
    "The ticket closed",
    value={**RESOLVED_TICKET, "status": "closed", "closed_at": "2026-11-30T15:00:00-03:00"},
    response_only=True,
)
REOPEN_REQUEST = OpenApiExample(
    "Reopen", value={"reason": "O erro voltou nos relatórios de vendas."}, request_only=True
)
REOPENED_TICKET_RESPONSE = OpenApiExample(
    "The ticket back in progress",
    value={**TICKET, "status": "in_progress", "updated_at": "2026-11-30T15:00:00-03:00"},
    response_only=True,
)
ASSIGN_REQUEST = OpenApiExample(
    "Assign to an analyst",
    value={"analyst": "ana.analista", "reason": "Especialista em relatórios"},
    request_only=True,
)
TRANSITION_REQUEST = OpenApiExample(
    "Resolve, the origin found",
    value={
        "status": "resolved",
        "reason": "Índice recriado",
        "origin": "vendor",
        "evidence_note": "",
    },
    request_only=True,
)
WAITING_REQUEST = OpenApiExample(
    "Wait on the customer",
    value={"status": "waiting_on_customer", "reason": "Precisamos do ID de um relatório."},
    request_only=True,
)
PRIORITY_REQUEST = OpenApiExample(
    "Raise to Alta",
    value={"priority": "alta", "reason": "Afeta todos os usuários da organização"},
    request_only=True,
)
LEVEL_RESPONSE = OpenApiExample("Alta", value=LEVEL, response_only=True)
