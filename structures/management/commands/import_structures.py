from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from structures.services import structures_importer


class Command(BaseCommand):
    help = (
        "Importe la liste nationale des structures (open data, CSV en UTF-8, séparateur "
        "« , » ou « ; »). Colonnes : siret, kind (ou type), name (ou nom), et facultatives "
        "brand/enseigne, address/adresse, post code/code_postal, city/ville, département, "
        "email, phone/telephone, website/site_web ; les autres colonnes sont ignorées. "
        "Chaque structure est identifiée par son SIRET et son type : une ligne déjà connue "
        "est mise à jour, une nouvelle est créée ; une ligne invalide, ou dont le SIRET est "
        "connu avec un autre type, est rejetée avec son numéro et la raison. La commune est "
        "retrouvée par la ville et le département quand une seule correspond. Simulation "
        "par défaut : --write pour écrire, en une seule transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", type=Path, help="Le CSV des structures, en UTF-8.")
        parser.add_argument(
            "--write", action="store_true", help="Écrit en base (sinon : simulation)."
        )
        parser.add_argument(
            "--verified",
            action="store_true",
            help=(
                "Marque les structures créées ou mises à jour comme vérifiées, donc visibles "
                "dans l'annuaire public. Sans cette option, une structure créée attend la "
                "vérification de l'équipe de la plateforme et le drapeau des structures "
                "existantes est laissé tel quel. À réserver à une source officielle, dont "
                "chaque SIRET a déjà été contrôlé."
            ),
        )

    def handle(self, *args, fichier, write, verified, **options):
        try:
            # utf-8-sig drops the BOM that spreadsheet exports put in front.
            with fichier.open(encoding="utf-8-sig", newline="") as flux:
                rapport = structures_importer(fichier=flux, ecrire=write, verifiees=verified)
        except FileNotFoundError as erreur:
            raise CommandError(f"Fichier introuvable : {fichier}") from erreur
        except UnicodeDecodeError as erreur:
            raise CommandError(f"Le fichier {fichier} n'est pas encodé en UTF-8.") from erreur

        if rapport.erreurs:
            raise CommandError("\n".join([*rapport.erreurs, "Rien n'a été écrit."]))

        for rejet in rapport.lignes_rejetees():
            self.stdout.write(self.style.WARNING(f"Rejetée, {rejet}"))
        if rapport.ecrit:
            self.stdout.write("Import écrit en base :")
            verbes = ("créées", "mises à jour")
        else:
            self.stdout.write("Simulation, rien n'est écrit (relancez avec --write pour écrire) :")
            verbes = ("à créer", "à mettre à jour")
        self.stdout.write(f"  {verbes[0]} : {rapport.creees}")
        self.stdout.write(f"  {verbes[1]} : {rapport.mises_a_jour}")
        self.stdout.write(f"  inchangées : {rapport.inchangees}")
        self.stdout.write(f"  rejetées : {rapport.rejetees}")
        if rapport.ecrit:
            self.stdout.write(self.style.SUCCESS("Import terminé."))
