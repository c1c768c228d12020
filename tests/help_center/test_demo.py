from datetime import time

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from help_center import services
from help_center.demo import demo_articles_load
from help_center.models import Article
from help_center.policy import policy_markdown
from sla.models import PriorityLevel, PriorityTarget, WorkingPeriod
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


@pytest.fixture
def policy_article(default_policy):
    demo_articles_load(author=make_analyst(), now=timezone.now())
    return Article.objects.get(from_policy=True)


def histories(article) -> dict[str, int]:
    return {t.language: t.history.count() for t in article.translations.all()}


def test_editing_the_policy_rewrites_its_article_once_after_the_edit_commits(
    default_policy, policy_article, django_capture_on_commit_callbacks
):
    english = policy_article.translations.get(language="en")
    assert "3h 00m" not in english.body
    before = histories(policy_article)
    other = Article.objects.exclude(pk=policy_article.pk).first()
    others_before = histories(other)
    baixa = PriorityTarget.objects.get(policy=default_policy, level__code="baixa")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True) as done:
        baixa.first_response_amount = 3
        baixa.save()
        default_policy.save()  # the admin saves the policy and its targets: one rewrite
        english.refresh_from_db()
        assert "3h 00m" not in english.body  # not before the edit commits
    assert len(done) == 1
    english.refresh_from_db()
    assert "3h 00m" in english.body
    assert histories(policy_article) == {language: n + 1 for language, n in before.items()}
    assert english.history.first().history_change_reason == "The support policy changed"
    assert histories(other) == others_before  # articles written by hand are never touched
    page = client_for(language="en").get(english.get_absolute_url())
    assert b"3h 00m" in page.content


def test_a_level_edited_rewrites_the_languages_whose_text_changed(
    default_policy, policy_article, django_capture_on_commit_callbacks
):
    before = histories(policy_article)
    level = PriorityLevel.objects.get(code="baixa")
    with django_capture_on_commit_callbacks(execute=True):
        level.name_es = "Baja, sin apuro"
        level.save()
    assert "Baja, sin apuro" in policy_article.translations.get(language="es").body
    assert histories(policy_article) == {**before, "es": before["es"] + 1}


def test_working_hours_edited_rewrite_the_article(
    default_policy, policy_article, django_capture_on_commit_callbacks
):
    period = WorkingPeriod.objects.filter(calendar=default_policy.calendar, end=time(18)).first()
    with django_capture_on_commit_callbacks(execute=True):
        period.end = time(17)
        period.save()
    for translated in policy_article.translations.all():
        assert f"{period.start:%H:%M}\u201317:00" in translated.body


def test_a_save_that_changes_nothing_the_article_says_writes_no_history(
    default_policy, policy_article, django_capture_on_commit_callbacks
):
    before = histories(policy_article)
    with django_capture_on_commit_callbacks(execute=True):
        default_policy.reopen_window *= 2  # not in the article
        default_policy.save()
    assert histories(policy_article) == before
    assert services.policy_articles_refresh(now=timezone.now()) == 0
