"""Load the help center's demo articles (idempotent; the policy article is rewritten)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from help_center.demo import demo_articles_load


class Command(BaseCommand):
    help = "Create or refresh the help center's demo articles in pt-BR, English and Spanish."

    @transaction.atomic
    def handle(self, *args, **options):
        users = get_user_model().objects.filter(is_staff=True).order_by("-is_superuser", "pk")
        author = users.first()
        if author is None:
            self.stderr.write("No analyst to sign the articles: run load_demo_data first.")
            return
        articles = demo_articles_load(author=author, now=timezone.now())
        self.stdout.write(self.style.SUCCESS(f"Help center: {len(articles)} demo articles."))
