"""Demo articles in three languages; the support hours and levels are written from the policy
the engine enforces (`help_center.policy`), so the article says what the agreement does, and
it is marked `from_policy`: every later change of the policy rewrites it (each rewrite kept
in the history). Loading again rewrites them all."""

from help_center import services
from help_center.models import Article, ArticleTranslation, Category, Section
from help_center.policy import POLICY_TITLES, policy_markdown

LANGUAGES = ("pt-br", "en", "es")
REASON = "Demo data"

CATEGORY = ("suporte", "Suporte e chamados", "Support and tickets", "Soporte y tickets")
SECTIONS = [
    ("primeiros-passos", "Primeiros passos", "Getting started", "Primeros pasos"),
    ("acordo-de-suporte", "Nosso acordo de suporte", "Our support agreement", "Nuestro acuerdo"),
    ("produto", "Produto e integrações", "Product and integrations", "Producto e integraciones"),
]

CREATE_TICKET = {
    "pt-br": (
        "Como abrir um chamado na central de suporte",
        "O formulário guiado, os níveis de prioridade e o que acontece depois.",
        """Antes de abrir um chamado, **procure aqui na central de ajuda**: muitas dúvidas já
têm resposta.

## Pelo portal
1. Entre na central de suporte e clique em **Novo chamado**.
2. Escreva um **assunto** curto: enquanto você digita, sugerimos artigos que podem resolver.
3. Descreva o problema: o que você fez, o que esperava e o que aconteceu. Anexe capturas de tela.
4. Escolha o **nível** que corresponde ao impacto (veja *Horário de atendimento e níveis*).
5. Envie. Você recebe a referência (por exemplo, HD-2026-000123) e os prazos por e-mail.

## Por e-mail
Escreva para o endereço de suporte. Responda sempre mantendo a referência no assunto.

## Depois de abrir
Os prazos contam a partir do momento em que você nos contatou. O tempo em que esperamos a sua
resposta não conta.""",
    ),
    "en": (
        "How to create a ticket in the support center",
        "The guided form, the priority levels and what happens next.",
        """Before opening a ticket, **search the help center**: many questions already have an
answer.

## On the portal
1. Sign in to the support center and click **New ticket**.
2. Write a short **subject**: as you type, we suggest articles that may solve it.
3. Describe the problem: what you did, what you expected and what happened. Attach screenshots.
4. Choose the **level** that matches the impact (see *Support hours and levels*).
5. Send it. You get its reference (for example HD-2026-000123) and its deadlines by e-mail.

## By e-mail
Write to the support address. Always reply keeping the reference in the subject.

## After opening it
Deadlines count from the moment you contacted us. Time we spend waiting for your answer does
not count.""",
    ),
    "es": (
        "Cómo crear un ticket en el centro de soporte",
        "El formulario guiado, los niveles de prioridad y lo que sucede después.",
        """Antes de abrir un ticket, **busque en el centro de ayuda**: muchas preguntas ya tienen
respuesta.

## En el portal
1. Inicie sesión en el centro de soporte y haga clic en **Nuevo ticket**.
2. Escriba un **asunto** corto: mientras escribe, le sugerimos artículos que pueden resolverlo.
3. Describa el problema: qué hizo, qué esperaba y qué ocurrió. Adjunte capturas de pantalla.
4. Elija el **nivel** que corresponde al impacto (vea *Horario de atención y niveles*).
5. Envíelo. Recibirá la referencia (por ejemplo HD-2026-000123) y los plazos por correo.

## Por correo electrónico
Escriba a la dirección de soporte. Responda siempre manteniendo la referencia en el asunto.

## Después de abrirlo
Los plazos cuentan desde el momento en que nos contactó. El tiempo que esperamos su respuesta
no cuenta.""",
    ),
}

FEATURES = {
    "pt-br": (
        "Como sugerir uma nova funcionalidade",
        "Registre, vote e acompanhe pedidos de melhoria.",
        """Em **Pedidos de funcionalidade** você registra uma ideia, vota nas de outros clientes e
acompanha cada uma. Quem registra ou segue um pedido é avisado se ele for aprovado.

Não garantimos a execução de um pedido de mudança nem uma data de implementação.""",
    ),
    "en": (
        "How to suggest a new feature",
        "Register, vote for and follow improvement requests.",
        """In **Feature requests** you register an idea, vote for other customers' ideas and
follow each one. Whoever registers or follows a request is told if it is approved.

We guarantee neither the execution of a change request nor an implementation date.""",
    ),
    "es": (
        "Cómo sugerir una nueva funcionalidad",
        "Registre, vote y siga pedidos de mejora.",
        """En **Pedidos de funcionalidad** registra una idea, vota por las de otros clientes y
sigue cada una. Quien registra o sigue un pedido recibe un aviso si es aprobado.

No garantizamos la ejecución de un pedido de cambio ni una fecha de implementación.""",
    ),
}

API_TOKENS = {
    "pt-br": (
        "Como criar um token da API",
        "Integre seus sistemas aos chamados e à central de ajuda.",
        """Em **Tokens da API**, crie um token com um nome que diga onde ele será usado. Envie-o
no cabeçalho `Authorization: Token <seu token>`. A documentação fica em `/api/docs/`.

Os artigos públicos da central de ajuda também podem ser lidos sem token em
`/api/help-center/articles/`.""",
    ),
    "en": (
        "How to create an API token",
        "Connect your systems to your tickets and to the help center.",
        """In **API tokens**, create a token named after where it will be used. Send it in the
`Authorization: Token <your token>` header. The documentation is at `/api/docs/`.

Public help center articles can also be read without a token at `/api/help-center/articles/`.""",
    ),
    "es": (
        "Cómo crear un token de la API",
        "Conecte sus sistemas a sus tickets y al centro de ayuda.",
        """En **Tokens de la API**, cree un token con un nombre que indique dónde se usará.
Envíelo en el encabezado `Authorization: Token <su token>`. La documentación está en
`/api/docs/`.

Los artículos públicos del centro de ayuda también se leen sin token en
`/api/help-center/articles/`.""",
    ),
}


def demo_articles_load(*, author, now) -> list[Article]:
    """Create or rewrite the demo articles (idempotent: found again by their Portuguese slug)."""
    slug, *names = CATEGORY
    category, _ = Category.objects.update_or_create(
        slug=slug, defaults=dict(zip(["name", "name_en", "name_es"], names, strict=True))
    )
    sections = {}
    for position, (section_slug, *section_names) in enumerate(SECTIONS):
        sections[section_slug], _ = Section.objects.update_or_create(
            slug=section_slug,
            defaults={
                "category": category,
                "position": position,
                **dict(zip(["name", "name_en", "name_es"], section_names, strict=True)),
            },
        )
    policy = {
        language: (*POLICY_TITLES[language], policy_markdown(language, today=now.date()))
        for language in LANGUAGES
    }
    plan = [
        (sections["primeiros-passos"], CREATE_TICKET),
        (sections["acordo-de-suporte"], policy),
        (sections["produto"], FEATURES),
        (sections["produto"], API_TOKENS),
    ]
    articles = []
    for section, texts in plan:
        title, summary, body = texts["pt-br"]
        existing = ArticleTranslation.objects.filter(
            language="pt-br", article__section=section, title=title
        ).first()
        article = existing.article if existing else None
        if article is None:
            article = services.article_create(
                section=section,
                author=author,
                now=now,
                title=title,
                summary=summary,
                body=body,
                status=Article.Status.PUBLISHED,
                reason=REASON,
            )
        for language in LANGUAGES:
            title, summary, body = texts[language]
            services.translation_save(
                article=article,
                language=language,
                title=title,
                summary=summary,
                body=body,
                reason=REASON,
            )
        if texts is policy and not article.from_policy:
            article.from_policy = True  # from now on, every change of the policy rewrites it
            article._change_reason = REASON
            article.save()
        articles.append(article)
    for article in articles:
        article.related_articles.add(*[other for other in articles if other != article])
    return articles
