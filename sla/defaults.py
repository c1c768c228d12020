"""The default policy of the support agreement (PRODUCT.md), as data.

Used by a data migration (with historical models) and by `load_default_policy` (with the
real ones, so the rows get their history). Installing twice changes nothing, and rows an
analyst already edited are left as they are.
"""

from datetime import time

CALENDAR = {
    "name": "Horário comercial (Brasil)",
    "timezone": "America/Sao_Paulo",
    "holiday_country": "BR",
    "holiday_subdivision": "",
    "holiday_categories": "public",
}
WORKING_PERIODS = [(weekday, time(9), time(18)) for weekday in range(5)]

POLICY = {
    "slug": "default",
    "name": "Política de suporte padrão",
    "description": (
        "Atendimento de segunda a sexta-feira, das 9h às 18h (horário de Brasília), exceto "
        "feriados nacionais. O suporte é sempre remoto e todo acordo fica registrado por escrito."
    ),
}

LEVELS = [
    {
        "number": 1,
        "code": "critica",
        "name": "Crítica",
        "impact": "Afeta todos os clientes",
        "integration_24x7_eligible": True,
        "description": (
            "Colapso total de um serviço primário: o serviço consumido pelo usuário final "
            "(conversas no AgentBot, atendimento humano no Live, acesso a artigos do Help, "
            "suporte telefônico no Voice) ou as funções básicas que permitem o seu "
            "funcionamento deixaram de funcionar."
        ),
    },
    {
        "number": 2,
        "code": "alta",
        "name": "Alta",
        "impact": "Afeta um ou vários clientes",
        "integration_24x7_eligible": True,
        "description": (
            "Indisponibilidade parcial do serviço para gerenciamento ou integração crítica: "
            "não é possível utilizar as principais funções da plataforma (relatórios — nenhum "
            "relatório funciona ou a API não responde —, gestão de conteúdo, gerenciamento de "
            "usuários); comportamento geral incomum da janela web que afeta sua função básica; "
            "falha total ou intermitente de uma integração que funcionava corretamente e "
            "executava uma função fundamental (registro de leads, entrega de informações "
            "pessoais aos usuários etc.)."
        ),
    },
    {
        "number": 3,
        "code": "media",
        "name": "Média",
        "impact": "Afeta somente um cliente",
        "integration_24x7_eligible": False,
        "description": (
            "Falha operativa não generalizada; pequenas incidências em plataformas ou "
            "integrações: comportamento incorreto ou incomum que não afeta as principais "
            "funções, ou que ocorre em casos particulares; um relatório específico que não "
            "pode ser obtido; incidentes particulares relacionados com as integrações."
        ),
    },
    {
        "number": 4,
        "code": "baixa",
        "name": "Baixa",
        "impact": "Afeta somente um cliente",
        "integration_24x7_eligible": False,
        "description": (
            "Dúvidas e consultas: perguntas gerais sobre os produtos, sobre uso e "
            "gerenciamento da plataforma, suporte às APIs, consultas e relatórios sobre "
            "integrações."
        ),
    },
]

# level code -> (first response, resolution, resolution with 24x7 integration support);
# each (amount, unit, clock) or None.
TARGETS = {
    "critica": ((1, "hours", "around_the_clock"), (6, "hours", "around_the_clock"), None),
    # 16 non-business hours are worth 8 business hours: one 8 h budget on the clock in which
    # off-hours time counts half.
    "alta": ((2, "hours", "business"), (8, "hours", "business"), (8, "hours", "integration_24x7")),
    "media": ((4, "hours", "business"), (5, "business_days", "business"), None),
    "baixa": ((4, "hours", "business"), (5, "business_days", "business"), None),
}


def install_default_policy(apps):
    """Create the default calendar, levels, policy and targets where they are missing."""
    calendar_model = apps.get_model("sla", "BusinessCalendar")
    period_model = apps.get_model("sla", "WorkingPeriod")
    level_model = apps.get_model("sla", "PriorityLevel")
    policy_model = apps.get_model("sla", "SLAPolicy")
    target_model = apps.get_model("sla", "PriorityTarget")

    levels = {}
    for data in LEVELS:
        level = level_model.objects.filter(code=data["code"]).first()
        if level is None:
            level = level_model.objects.create(**data)
        levels[data["code"]] = level

    policy = policy_model.objects.filter(slug=POLICY["slug"]).first()
    if policy is not None:
        return policy

    calendar, created = calendar_model.objects.get_or_create(
        name=CALENDAR["name"], defaults=CALENDAR
    )
    if created:
        for weekday, start, end in WORKING_PERIODS:
            period_model.objects.create(calendar=calendar, weekday=weekday, start=start, end=end)

    has_default = policy_model.objects.filter(is_default=True).exists()
    policy = policy_model.objects.create(
        calendar=calendar, is_active=True, is_default=not has_default, **POLICY
    )
    for code, (first_response, resolution, integration) in TARGETS.items():
        fields = {
            "first_response_amount": first_response[0],
            "first_response_unit": first_response[1],
            "first_response_clock": first_response[2],
            "resolution_amount": resolution[0],
            "resolution_unit": resolution[1],
            "resolution_clock": resolution[2],
        }
        if integration:
            fields |= {
                "integration_resolution_amount": integration[0],
                "integration_resolution_unit": integration[1],
                "integration_resolution_clock": integration[2],
            }
        target_model.objects.create(policy=policy, level=levels[code], **fields)
    return policy
