from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commune.territoires import (
    DOSSIER_PAR_DEFAUT,
    FichierIllisible,
    sans_progression,
    territoires_importer,
)

from ._affichage import ajouter_format, apercu, barre, ecrire_fusions, ecrire_json


class Command(BaseCommand):
    help = (
        "Charge les régions, départements, EPCI et communes (SIREN, population, codes "
        "postaux, communes déléguées et arrondissements) du découpage administratif "
        "officiel (paquet npm @etalab/decoupage-administratif). Peut être relancée : "
        "met à jour en place, et une commune devenue déléguée est fusionnée dans la sienne."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dossier",
            type=Path,
            default=DOSSIER_PAR_DEFAUT,
            help="Le dossier des fichiers JSON (regions, departements, epci, communes).",
        )
        parser.add_argument(
            "--simulation", action="store_true", help="Montre ce qui changerait, sans écrire."
        )
        ajouter_format(parser)

    def handle(self, *args, dossier, simulation, format, **options):
        try:
            rapport = territoires_importer(
                dossier=dossier,
                ecrire=not simulation,
                progression=sans_progression if format == "json" else barre,
            )
        except FichierIllisible as erreur:
            raise CommandError(
                f"{erreur}\nLe paquet npm est-il installé ? (npm ci, ou make run)"
            ) from erreur
        if format == "json":
            ecrire_json(self.stdout, rapport.en_donnees())
            return

        if rapport.ecrit:
            self.stdout.write("Découpage administratif importé :")
        else:
            self.stdout.write("Simulation, rien n'est écrit :")
        quoi = [*rapport.crees, *rapport.modifies, *rapport.supprimes, *rapport.inchanges]
        for nom in dict.fromkeys(quoi):
            self.stdout.write(
                f"  {nom} : {rapport.crees[nom]} créé(s), {rapport.modifies[nom]} modifié(s), "
                f"{rapport.supprimes[nom]} supprimé(s), {rapport.inchanges[nom]} inchangé(s)"
            )
        if rapport.ecartes:
            self.stdout.write(f"Écartés ({sum(rapport.ecartes.values())}), par raison :")
            for raison, nombre in rapport.ecartes.most_common():
                self.stdout.write(f"  {raison} : {nombre} (par exemple {rapport.exemples[raison]})")
        ecrire_fusions(self.stdout, rapport.fusions)
        if rapport.absentes:
            self.stdout.write(
                f"Communes absentes du fichier, sans commune de rattachement connue "
                f"({len(rapport.absentes)}), laissées telles quelles : {apercu(rapport.absentes)}"
            )
        if rapport.epci_absents:
            self.stdout.write(
                f"EPCI absents du fichier ({len(rapport.epci_absents)}), laissés tels quels : "
                + apercu(rapport.epci_absents)
            )
        self.stdout.write(
            self.style.SUCCESS(f"{rapport.changements} changement(s).")
            if rapport.changements
            else "Aucun changement."
        )
