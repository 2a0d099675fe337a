from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def marquer_les_courants(apps, schema_editor):
    """The latest snapshot of each commune and referential is its current score."""
    ScoreSnapshot = apps.get_model("axes", "ScoreSnapshot")
    dernier = (
        ScoreSnapshot.objects.filter(
            commune=OuterRef("commune"), referentiel=OuterRef("referentiel")
        )
        .order_by("-date")
        .values("pk")[:1]
    )
    ScoreSnapshot.objects.annotate(dernier=Subquery(dernier)).filter(pk=models.F("dernier")).update(
        courant=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("axes", "0006_index_echelle"),
    ]

    operations = [
        migrations.AddField(
            model_name="scoresnapshot",
            name="courant",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Le plus récent de la commune : son score actuel, que l'annuaire trie "
                    "et filtre."
                ),
                verbose_name="score actuel",
            ),
        ),
        migrations.RunPython(marquer_les_courants, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="scoresnapshot",
            constraint=models.UniqueConstraint(
                condition=models.Q(("courant", True)),
                fields=("commune", "referentiel"),
                name="axes_snapshot_un_courant",
            ),
        ),
    ]
