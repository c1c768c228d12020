import pytest
from django.core.management import call_command
from django.utils import timezone

from help_center.demo import demo_articles_load, policy_markdown
from help_center.models import Article
from sla.models import PriorityTarget
from tests.factories import make_analyst
from tests.help_center.conftest import client_for

pytestmark = pytest.mark.django_db


def test_demo_articles_in_three_languages_and_idempotent(default_policy):
    analyst = make_analyst()
    demo_articles_load(author=analyst, now=timezone.now())
    call_command("load_help_center_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Article.objects.count() == 4
    for article in Article.objects.all():
        assert sorted(article.translations.values_list("language", flat=True)) == [
            "en",
            "es",
            "pt-br",
        ]
    page = client_for(language="en").get("/help/en/how-to-create-a-ticket-in-the-support-center/")
    assert page.status_code == 200 and b"New ticket" in page.content


def test_the_policy_article_follows_the_policy(default_policy):
    text = policy_markdown("en", today=timezone.localdate())
    assert "09:00\u201318:00" in text
    assert "4h 00m" in text  # Baixa/Média first response: 4 business hours
    baixa = PriorityTarget.objects.get(policy=default_policy, level__code="baixa")
    baixa.first_response_amount = 3
    baixa.save()
    assert "3h 00m" in policy_markdown("en", today=timezone.localdate())
