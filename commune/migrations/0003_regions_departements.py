from django.db import migrations

from commune.reference_data import DEPARTEMENTS, REGIONS


def charger(apps, schema_editor):
    Region = apps.get_model("commune", "Region")
    Departement = apps.get_model("commune", "Departement")
    regions = {}
    for code, nom in REGIONS:
        regions[code], _ = Region.objects.update_or_create(code=code, defaults={"nom": nom})
    for code, nom, code_region in DEPARTEMENTS:
        Departement.objects.update_or_create(
            code=code, defaults={"nom": nom, "region": regions[code_region]}
        )


class Migration(migrations.Migration):
    dependencies = [("commune", "0002_initial")]

    operations = [migrations.RunPython(charger, migrations.RunPython.noop)]
