"""Articles written from the support policy (rewritten whenever it changes); the demo's
support hours and levels, if loaded, is one."""

from django.db import migrations, models

# The demo article's Portuguese title and section (help_center.policy, help_center.demo).
DEMO_TITLE = "Horário de atendimento e níveis de prioridade"
DEMO_SECTION = "acordo-de-suporte"


def demo_article_mark(apps, schema_editor):
    Article = apps.get_model("help_center", "Article")
    Article.objects.filter(
        section__slug=DEMO_SECTION,
        translations__language="pt-br",
        translations__title=DEMO_TITLE,
    ).update(from_policy=True)


class Migration(migrations.Migration):
    dependencies = [("help_center", "0004_search_vector_inline")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="from_policy",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text=(
                    "Its text is rewritten from the default SLA policy whenever the policy "
                    "changes: change the policy, not this text."
                ),
                verbose_name="written from the support policy",
            ),
        ),
        migrations.AddField(
            model_name="historicalarticle",
            name="from_policy",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text=(
                    "Its text is rewritten from the default SLA policy whenever the policy "
                    "changes: change the policy, not this text."
                ),
                verbose_name="written from the support policy",
            ),
        ),
        migrations.RunPython(demo_article_mark, migrations.RunPython.noop),
    ]
