from django.db import migrations

from structures.reference_data import (
    GROUPES_SECTEURS,
    RESEAUX,
    TYPES_PRESTATION,
    TYPES_STRUCTURE,
)


def charger(apps, schema_editor):
    TypeStructure = apps.get_model("structures", "TypeStructure")
    TypePrestation = apps.get_model("structures", "TypePrestation")
    GroupeSecteur = apps.get_model("structures", "GroupeSecteur")
    Secteur = apps.get_model("structures", "Secteur")
    Reseau = apps.get_model("structures", "Reseau")
    for code, nom, famille, description in TYPES_STRUCTURE:
        TypeStructure.objects.update_or_create(
            code=code, defaults={"nom": nom, "famille": famille, "description": description}
        )
    for code, nom, description in TYPES_PRESTATION:
        TypePrestation.objects.update_or_create(
            code=code, defaults={"nom": nom, "description": description}
        )
    for ordre, (slug, nom, secteurs) in enumerate(GROUPES_SECTEURS, start=1):
        groupe, _ = GroupeSecteur.objects.update_or_create(
            slug=slug, defaults={"nom": nom, "ordre": ordre}
        )
        for slug_secteur, nom_secteur in secteurs:
            Secteur.objects.update_or_create(
                slug=slug_secteur, defaults={"nom": nom_secteur, "groupe": groupe}
            )
    for slug, nom, description in RESEAUX:
        Reseau.objects.update_or_create(
            slug=slug, defaults={"nom": nom, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("structures", "0001_initial")]

    operations = [migrations.RunPython(charger, migrations.RunPython.noop)]
