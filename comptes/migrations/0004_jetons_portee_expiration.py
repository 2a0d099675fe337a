import datetime

from django.db import migrations, models


def donner_une_expiration(apps, schema_editor):
    # Tokens made before expiry existed live 90 days from today, so that no script
    # stops on the day of the upgrade without its owner being able to see it coming.
    JetonAcces = apps.get_model("comptes", "JetonAcces")
    from django.utils import timezone

    JetonAcces.objects.update(expires_at=timezone.now() + datetime.timedelta(days=90))
    # They had every right of their holder: they keep writing until replaced.
    JetonAcces.objects.update(portee="ecriture")


class Migration(migrations.Migration):
    dependencies = [("comptes", "0003_echecs_connexion")]

    operations = [
        migrations.AddField(
            model_name="jetonacces",
            name="portee",
            field=models.CharField(
                choices=[("lecture", "Lecture seule"), ("ecriture", "Lecture et écriture")],
                default="lecture",
                max_length=10,
                verbose_name="portée",
            ),
        ),
        migrations.AddField(
            model_name="jetonacces",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expire le"),
        ),
        migrations.RunPython(donner_une_expiration, migrations.RunPython.noop),
    ]
