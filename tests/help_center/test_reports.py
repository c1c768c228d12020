"""The help center report: counts per month and language, constant queries, permissions."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import AGENTS
from help_center import reports, services
from tests.factories import make_analyst
from tests.help_center.conftest import make_article

pytestmark = pytest.mark.django_db
REPORT = reverse("admin:help_center_report")


def test_counts_per_month_and_language(customer_a):
    now = timezone.now()
    article = make_article()
    for language in ("pt-br", "pt-br", "en"):
        services.article_view_record(article=article, language=language, now=now)
    services.feedback_record(
        article=article, language="en", helpful=True, comment="", user=None, now=now
    )
    services.feedback_record(
        article=article, language="en", helpful=False, comment="x", user=None, now=now
    )
    services.unanswered_search_record(query="boleto", language="pt-br", now=now)
    services.unanswered_search_record(query="boleto", language="pt-br", now=now)
    solved = services.deflection_for(token=None, user=customer_a, language="pt-br", now=now)
    services.deflection_suggest(deflection=solved, articles=[article], now=now)
    services.deflection_opened(token=solved.token, user=customer_a, article=article, now=now)
    services.deflection_solve(deflection=solved, article=article, now=now)
    ignored = services.deflection_for(token=None, user=customer_a, language="pt-br", now=now)
    services.deflection_suggest(deflection=ignored, articles=[article], now=now)
    report = reports.help_center_report(start=now - timedelta(days=40), end=now + timedelta(1))
    by_language = {row.language: row for row in report.rows}
    pt, en = by_language["pt-br"], by_language["en"]
    assert (pt.views, pt.unanswered, pt.suggested, pt.opened, pt.solved) == (2, 2, 2, 1, 1)
    assert (en.views, en.helpful, en.not_helpful, en.helpful_share) == (1, 1, 1, "50%")
    assert report.top_unanswered == [("boleto", 2)]


def test_report_page_for_agents_with_constant_queries():
    agent = make_analyst()
    agent.groups.add(Group.objects.get(name=AGENTS))
    client = Client(headers={"accept-language": "en"})
    client.force_login(agent)
    article = make_article()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(REPORT, {"months": "3"})
            assert response.status_code == 200
        assert b"<svg" in response.content
        return len(queries)

    before = count()
    for language in ("pt-br", "en", "es"):
        services.article_view_record(article=article, language=language, now=timezone.now())
        services.unanswered_search_record(query=language, language=language, now=timezone.now())
    assert count() == before
    assert client.get(REPORT, {"months": "x"}).status_code == 200
    customer = Client()
    customer.force_login(make_analyst())  # staff without the role
    assert customer.get(REPORT).status_code == 403
