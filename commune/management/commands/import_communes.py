from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commune.services import communes_importer


class Command(BaseCommand):
    help = (
        "Importe les communes du code officiel géographique de l'INSEE (fichier CSV "
        "v_commune_AAAA.csv). Simulation par défaut : --write pour écrire."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", type=Path, help="Le CSV des communes du COG, en UTF-8.")
        parser.add_argument(
            "--write", action="store_true", help="Écrit en base (sinon : simulation)."
        )

    def handle(self, *args, fichier, write, **options):
        try:
            # utf-8-sig drops the BOM that spreadsheet exports put in front.
            with fichier.open(encoding="utf-8-sig", newline="") as flux:
                rapport = communes_importer(fichier=flux, ecrire=write)
        except FileNotFoundError as erreur:
            raise CommandError(f"Fichier introuvable : {fichier}") from erreur
        except UnicodeDecodeError as erreur:
            raise CommandError(f"Le fichier {fichier} n'est pas encodé en UTF-8.") from erreur

        if rapport.erreurs:
            raise CommandError(
                "\n".join(
                    [
                        *rapport.erreurs,
                        f"{len(rapport.erreurs)} erreur(s) : aucune commune n'a été écrite.",
                    ]
                )
            )

        if rapport.ecrit:
            self.stdout.write("Import écrit en base :")
            verbes = ("créées", "mises à jour")
        else:
            self.stdout.write("Simulation, rien n'est écrit (relancez avec --write pour écrire) :")
            verbes = ("à créer", "à mettre à jour")
        self.stdout.write(f"  {verbes[0]} : {rapport.creees}")
        self.stdout.write(f"  {verbes[1]} : {rapport.mises_a_jour}")
        self.stdout.write(f"  inchangées : {rapport.inchangees}")
        self.stdout.write(f"  ignorées (COMA, COMD, ARM) : {rapport.ignorees}")
        if rapport.ecrit:
            self.stdout.write(self.style.SUCCESS("Import terminé."))
