from django import template

register = template.Library()


@register.filter
def name_in(named, language: str) -> str:
    """A category's or section's name in the visitor's language (Portuguese if missing)."""
    return named.name_in((language or "").lower())


@register.simple_tag
def help_articles_for(ticket, limit: int = 3) -> list[dict]:
    """Articles that may answer a new ticket, for its acknowledgement e-mail: what its
    requester may read, matching the subject, in the e-mail's language, as absolute links.

    Read once per ticket, language and limit: an e-mail renders its text and its HTML body
    from the same ticket, and both list the same articles."""
    from django.conf import settings

    from help_center import selectors
    from help_center.views import visitor_language

    language = visitor_language()
    offered = ticket.__dict__.setdefault("_help_articles_offered", {})
    if (language, limit) not in offered:
        hits = selectors.article_suggestions(
            ticket.requester, ticket.subject, language, limit=limit
        )
        root = settings.PORTAL_URL.rstrip("/")
        offered[language, limit] = [
            {"title": hit.shown.translation.title, "url": root + hit.shown.url} for hit in hits
        ]
    return offered[language, limit]
