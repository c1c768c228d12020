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
            texts = TRANSLATIONS["levels"][data["code"]]
            level = level_model.objects.create(
                **data, **_columns(level_model, LEVEL_TEXTS, data, texts)
            )
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
        calendar=calendar,
        is_active=True,
        is_default=not has_default,
        **POLICY,
        **_columns(policy_model, POLICY_TEXTS, POLICY, TRANSLATIONS["policy"]),
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


# The same texts in English and Spanish (pt-BR is the policy's own language, above). Filled
# where empty by a data migration and by `load_default_policy`: an analyst's edits stay.
TRANSLATIONS = {
    "policy": {
        "en": {
            "name": "Default support policy",
            "description": (
                "Support from Monday to Friday, 9:00 to 18:00 (Brasília time), except national "
                "public holidays. Support is always remote and every agreement is recorded in "
                "writing."
            ),
        },
        "es": {
            "name": "Política de soporte predeterminada",
            "description": (
                "Atención de lunes a viernes, de 9 a 18 h (hora de Brasilia), excepto feriados "
                "nacionales. El soporte es siempre remoto y todo acuerdo queda registrado por "
                "escrito."
            ),
        },
    },
    "levels": {
        "critica": {
            "en": {
                "name": "Critical",
                "impact": "Affects all customers",
                "description": (
                    "Total collapse of a primary service: the service the end user consumes "
                    "(conversations in AgentBot, human service in Live, access to Help articles, "
                    "phone support in Voice) or the basic functions it depends on stopped "
                    "working."
                ),
            },
            "es": {
                "name": "Crítica",
                "impact": "Afecta a todos los clientes",
                "description": (
                    "Colapso total de un servicio primario: el servicio que consume el usuario "
                    "final (conversaciones en AgentBot, atención humana en Live, acceso a "
                    "artículos de Help, soporte telefónico en Voice) o las funciones básicas que "
                    "permiten su funcionamiento dejaron de funcionar."
                ),
            },
        },
        "alta": {
            "en": {
                "name": "High",
                "impact": "Affects one or several customers",
                "description": (
                    "Partial unavailability of the service for management or a critical "
                    "integration: the platform's main functions cannot be used (reports — no "
                    "report works or the API does not answer —, content management, user "
                    "management); unusual general behaviour of the web window that affects its "
                    "basic function; total or intermittent failure of an integration that "
                    "worked correctly and performed a fundamental function (lead registration, "
                    "delivery of personal information to users, etc.)."
                ),
            },
            "es": {
                "name": "Alta",
                "impact": "Afecta a uno o varios clientes",
                "description": (
                    "Indisponibilidad parcial del servicio de gestión o de una integración "
                    "crítica: no es posible usar las principales funciones de la plataforma "
                    "(informes — ningún informe funciona o la API no responde —, gestión de "
                    "contenido, gestión de usuarios); comportamiento general inusual de la "
                    "ventana web que afecta a su función básica; falla total o intermitente de "
                    "una integración que funcionaba correctamente y cumplía una función "
                    "fundamental (registro de leads, entrega de información personal a los "
                    "usuarios, etc.)."
                ),
            },
        },
        "media": {
            "en": {
                "name": "Medium",
                "impact": "Affects one customer only",
                "description": (
                    "Operational failure that is not general; minor incidents in platforms or "
                    "integrations: incorrect or unusual behaviour that does not affect the main "
                    "functions, or that happens in particular cases; a specific report that "
                    "cannot be obtained; particular incidents related to integrations."
                ),
            },
            "es": {
                "name": "Media",
                "impact": "Afecta solo a un cliente",
                "description": (
                    "Falla operativa no generalizada; pequeñas incidencias en plataformas o "
                    "integraciones: comportamiento incorrecto o inusual que no afecta a las "
                    "principales funciones, o que ocurre en casos particulares; un informe "
                    "específico que no se puede obtener; incidentes particulares relacionados "
                    "con las integraciones."
                ),
            },
        },
        "baixa": {
            "en": {
                "name": "Low",
                "impact": "Affects one customer only",
                "description": (
                    "Questions and enquiries: general questions about the products, about using "
                    "and managing the platform, API support, enquiries and reports about "
                    "integrations."
                ),
            },
            "es": {
                "name": "Baja",
                "impact": "Afecta solo a un cliente",
                "description": (
                    "Dudas y consultas: preguntas generales sobre los productos, sobre el uso y "
                    "la gestión de la plataforma, soporte de las API, consultas e informes sobre "
                    "integraciones."
                ),
            },
        },
    },
}
LEVEL_TEXTS = ("name", "description", "impact")
POLICY_TEXTS = ("name", "description")


def _columns(model, fields, data: dict, translations: dict) -> dict:
    """The translated columns of a new row, once the model has them (the data migration of
    0003 runs before they exist: 0011 fills them then)."""
    if not any(field.name == "name_pt_br" for field in model._meta.get_fields()):
        return {}
    columns = {f"{field}_pt_br": data[field] for field in fields}
    for language, texts in translations.items():
        columns |= {f"{field}_{language}": texts[field] for field in fields}
    return columns


def _fill(row, fields, translations: dict) -> bool:
    """Give `row` its pt-BR columns (from the original column) and the en/es texts, where
    empty; True if anything changed."""
    changed = False
    for field in fields:
        if not getattr(row, f"{field}_pt_br") and getattr(row, field):
            setattr(row, f"{field}_pt_br", getattr(row, field))
            changed = True
        for language, texts in translations.items():
            column = f"{field}_{language}"
            if not getattr(row, column) and texts.get(field):
                setattr(row, column, texts[field])
                changed = True
    return changed


def install_translations(apps) -> None:
    """Fill the translated columns: every level and policy gets its pt-BR text where empty
    (the language others fall back to), the default ones their English and Spanish too."""
    level_model = apps.get_model("sla", "PriorityLevel")
    policy_model = apps.get_model("sla", "SLAPolicy")
    for level in level_model.objects.all():
        if _fill(level, LEVEL_TEXTS, TRANSLATIONS["levels"].get(level.code, {})):
            level.save()
    for policy in policy_model.objects.all():
        translations = TRANSLATIONS["policy"] if policy.slug == POLICY["slug"] else {}
        if _fill(policy, POLICY_TEXTS, translations):
            policy.save()
