from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from marches.decp import TAILLE_LOT, decp_importer


class Command(BaseCommand):
    help = (
        "Importe les marchés d'un fichier DECP au format JSON (données essentielles de la "
        "commande publique). Simulation par défaut : --write pour écrire. Strict par défaut : "
        "un seul marché invalide et rien n'est écrit, sauf avec --skip-invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", type=Path, help="Le fichier JSON des DECP.")
        parser.add_argument(
            "--write", action="store_true", help="Écrit en base (sinon : simulation)."
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Écrit les marchés valides et signale les invalides (sinon : tout ou rien).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=TAILLE_LOT,
            help=f"Marchés écrits par lot (par défaut {TAILLE_LOT}).",
        )

    def handle(self, *args, fichier, write, skip_invalid, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size doit être un entier positif.")
        try:
            with fichier.open("rb") as flux:
                rapport = decp_importer(
                    fichier=flux, ecrire=write, strict=not skip_invalid, taille_lot=batch_size
                )
        except FileNotFoundError as erreur:
            raise CommandError(f"Fichier introuvable : {fichier}") from erreur
        except IsADirectoryError as erreur:
            raise CommandError(f"{fichier} est un dossier, pas un fichier.") from erreur

        for ligne in rapport.erreurs:
            self.stderr.write(ligne)
        if rapport.erreurs_non_detaillees:
            self.stderr.write(
                f"… et {rapport.erreurs_non_detaillees} autre(s) marché(s) invalide(s)."
            )
        if rapport.erreur_fichier:
            self.stderr.write(rapport.erreur_fichier)

        if rapport.ecrit:
            self.stdout.write("Import écrit en base :")
            verbes = ("créés", "mis à jour")
        else:
            self.stdout.write("Simulation, rien n'est écrit (relancez avec --write pour écrire) :")
            verbes = ("à créer", "à mettre à jour")
        self.stdout.write(f"  marchés lus : {rapport.lus}")
        self.stdout.write(f"  {verbes[0]} : {rapport.crees}")
        self.stdout.write(f"  {verbes[1]} : {rapport.mis_a_jour}")
        self.stdout.write(f"  inchangés : {rapport.inchanges}")
        self.stdout.write(f"  ignorés (acheteur inconnu) : {rapport.ignores}")
        self.stdout.write(f"  invalides : {rapport.invalides}")

        if rapport.erreur_fichier:
            raise CommandError("Fichier illisible : aucun marché n'a été écrit.")
        if rapport.refuse:
            raise CommandError(
                f"{rapport.invalides} marché(s) invalide(s) : aucun marché n'a été écrit "
                "(--skip-invalid pour écrire les marchés valides)."
            )
        if rapport.ecrit:
            self.stdout.write(self.style.SUCCESS("Import terminé."))
