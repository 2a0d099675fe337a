from django.db import migrations

from axes.reference_data import CORRESPONDANCES_2020_GUIDE, GUIDE, PROPOSITIONS_2020


def charger_referentiel(apps, donnees, type_):
    Referentiel = apps.get_model("axes", "Referentiel")
    Axe = apps.get_model("axes", "Axe")
    Action = apps.get_model("axes", "Action")
    referentiel, _ = Referentiel.objects.update_or_create(
        code=donnees["code"],
        version=donnees["version"],
        defaults={
            "type": type_,
            "titre": donnees["titre"],
            "source": donnees["source"],
            "description": donnees["description"],
        },
    )
    actions = {}
    ordre = 0
    for axe_data in donnees["axes"]:
        axe, _ = Axe.objects.update_or_create(
            referentiel=referentiel,
            numero=axe_data["numero"],
            defaults={"titre": axe_data["titre"], "resume": axe_data["resume"]},
        )
        for action_data in axe_data["actions"]:
            ordre += 1
            actions[action_data["code"]], _ = Action.objects.update_or_create(
                referentiel=referentiel,
                code=action_data["code"],
                defaults={
                    "axe": axe,
                    "titre": action_data["titre"],
                    "resume": action_data["resume"],
                    "poids": action_data["poids"],
                    "ordre": ordre,
                },
            )
    return actions


def charger(apps, schema_editor):
    guide = charger_referentiel(apps, GUIDE, "guide")
    propositions = charger_referentiel(apps, PROPOSITIONS_2020, "propositions")
    for code, codes_guide in CORRESPONDANCES_2020_GUIDE.items():
        propositions[code].correspondances.set([guide[c] for c in codes_guide])


class Migration(migrations.Migration):
    dependencies = [("axes", "0003_initial")]

    operations = [migrations.RunPython(charger, migrations.RunPython.noop)]
