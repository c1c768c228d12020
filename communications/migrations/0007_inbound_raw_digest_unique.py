from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("communications", "0006_inbound_digests")]

    operations = [
        migrations.AlterField(
            model_name="inboundemail",
            name="raw_digest",
            field=models.CharField(
                help_text="A redelivery is the same bytes: it is recognised by this digest.",
                max_length=64,
                unique=True,
                verbose_name="SHA-256 of the source",
            ),
        ),
    ]
