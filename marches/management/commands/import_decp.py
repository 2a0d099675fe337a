import argparse
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commune.management.commands._affichage import ajouter_format, barre, ecrire_json
from marches.decp import TAILLE_LOT, decp_importer

EXEMPLES_MONTRES = 3


class Command(BaseCommand):
    help = (
        "Importe les marchés d'un fichier DECP au format JSON (données essentielles de la "
        "commande publique, v1 ou v2). Simulation par défaut : --write pour écrire. Marché "
        "par marché par défaut : les marchés rejetés sont signalés, les autres écrits ; "
        "--strict pour tout ou rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", type=Path, help="Le fichier JSON des DECP.")
        parser.add_argument(
            "--write", action="store_true", help="Écrit en base (sinon : simulation)."
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Tout ou rien : un seul marché rejeté et rien n'est écrit.",
        )
        # Kept for the scripts written when strict was the default: it is now.
        parser.add_argument("--skip-invalid", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument(
            "--batch-size",
            type=int,
            default=TAILLE_LOT,
            help=f"Marchés écrits par lot (par défaut {TAILLE_LOT}).",
        )
        ajouter_format(parser)

    def handle(self, *args, fichier, write, strict, batch_size, format, **options):
        if batch_size < 1:
            raise CommandError("--batch-size doit être un entier positif.")
        if strict and options["skip_invalid"]:
            raise CommandError("--strict et --skip-invalid s'excluent.")

        def suivre(enregistrements):
            return barre(enregistrements, None, "DECP", " marchés")

        try:
            with fichier.open("rb") as flux:
                rapport = decp_importer(
                    fichier=flux,
                    ecrire=write,
                    strict=strict,
                    taille_lot=batch_size,
                    suivre=suivre,
                )
        except FileNotFoundError as erreur:
            raise CommandError(f"Fichier introuvable : {fichier}") from erreur
        except IsADirectoryError as erreur:
            raise CommandError(f"{fichier} est un dossier, pas un fichier.") from erreur

        if format == "json":
            ecrire_json(self.stdout, rapport.resume())
        else:
            self._afficher(rapport, write)

        if rapport.erreur_fichier:
            raise CommandError("Fichier illisible : aucun marché n'a été écrit.")
        if rapport.refuse:
            raise CommandError(
                f"--strict : {rapport.invalides} marché(s) rejeté(s), aucun marché n'a été "
                "écrit (sans --strict, les autres marchés sont écrits)."
            )

    def _afficher(self, rapport, write):
        resume = rapport.resume()
        if rapport.erreur_fichier:
            self.stderr.write(rapport.erreur_fichier)
        for titre, groupes in (
            ("Rejetés", resume["rejets_par_raison"]),
            ("Incomplets (écrits, signalés comme tels)", resume["incomplets_par_raison"]),
        ):
            if groupes:
                self.stderr.write(f"{titre}, par raison :")
            for groupe in groupes:
                self.stderr.write(f"  {groupe['nombre']} × {groupe['raison']}")
                for exemple in groupe["exemples"][:EXEMPLES_MONTRES]:
                    self.stderr.write(f"      {exemple}")

        if rapport.ecrit:
            self.stdout.write("Import écrit en base :")
            verbes = ("créés", "mis à jour")
        elif rapport.refuse:
            self.stdout.write("Refusé, rien n'est écrit. Ce que l'import aurait fait :")
            verbes = ("à créer", "à mettre à jour")
        else:
            self.stdout.write("Simulation, rien n'est écrit (relancez avec --write pour écrire) :")
            verbes = ("à créer", "à mettre à jour")
        self.stdout.write(f"  marchés lus : {rapport.lus}")
        self.stdout.write(f"  {verbes[0]} : {rapport.crees}")
        self.stdout.write(f"  {verbes[1]} : {rapport.mis_a_jour}")
        self.stdout.write(f"  inchangés : {rapport.inchanges}")
        self.stdout.write(f"  dont incomplets : {rapport.incomplets}")
        self.stdout.write(f"  dont contrats de concession : {rapport.concessions}")
        self.stdout.write(f"  doublons dans le fichier (le premier lu compte) : {rapport.doublons}")
        self.stdout.write(f"  autres acheteurs (ni commune ni EPCI suivis) : {rapport.ignores}")
        self.stdout.write(f"  rejetés : {rapport.invalides}")
        if rapport.ecrit:
            self.stdout.write(self.style.SUCCESS("Import terminé."))
