"""A missing episode says whether the child went to the family home."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_restore_sqlite_overlap_triggers_after_ssda903"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalmissingepisode",
            name="to_family_home",
            field=models.BooleanField(
                default=False,
                help_text="Found at, or went to, a parent's home without agreement.",
                verbose_name="The child went to the family home",
            ),
        ),
        migrations.AddField(
            model_name="missingepisode",
            name="to_family_home",
            field=models.BooleanField(
                default=False,
                help_text="Found at, or went to, a parent's home without agreement.",
                verbose_name="The child went to the family home",
            ),
        ),
    ]
