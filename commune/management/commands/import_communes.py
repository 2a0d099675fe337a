from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commune.cog import communes_importer

from ._affichage import ajouter_format, apercu, barre, ecrire_fusions, ecrire_json


def _texte(fichier):
    """The file's text, and the encoding it was read in: UTF-8 as INSEE publishes it (a
    BOM dropped), else Windows-1252, as a spreadsheet on Windows saves it."""
    contenu = fichier.read_bytes()
    try:
        return contenu.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        return contenu.decode("cp1252"), "Windows-1252"


def _lignes(texte):
    """The file's lines behind a progress bar."""
    lignes = texte.splitlines(keepends=True)
    return barre(lignes, len(lignes) - 1, "Communes")


class Command(BaseCommand):
    help = (
        "Met à jour les communes d'après le code officiel géographique de l'INSEE (CSV "
        "v_commune_AAAA.csv, tel que publié ou réenregistré par un tableur) : noms, "
        "départements, communes déléguées et arrondissements, fusions (COMPARENT). "
        "Simulation par défaut : --write pour écrire."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", type=Path, help="Le CSV des communes du COG, en UTF-8.")
        parser.add_argument(
            "--write", action="store_true", help="Écrit en base (sinon : simulation)."
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Refuse tout le fichier s'il contient une seule ligne fautive.",
        )
        ajouter_format(parser)

    def handle(self, *args, fichier, write, strict, format, **options):
        try:
            texte, encodage = _texte(fichier)
        except (FileNotFoundError, IsADirectoryError) as erreur:
            raise CommandError(f"Fichier introuvable : {fichier}") from erreur
        except UnicodeDecodeError as erreur:
            raise CommandError(
                f"Le fichier {fichier} n'est ni en UTF-8 ni en Windows-1252."
            ) from erreur
        if encodage != "UTF-8" and format == "texte":
            self.stdout.write(f"Fichier lu en {encodage} (il n'est pas en UTF-8).")
        lignes = _lignes(texte) if format == "texte" else texte.splitlines(keepends=True)
        rapport = communes_importer(fichier=lignes, ecrire=write, strict=strict)

        if rapport.erreurs and (strict or rapport.raisons["colonne obligatoire absente"]):
            raise CommandError(
                "\n".join(
                    [
                        *rapport.erreurs,
                        f"{len(rapport.erreurs)} erreur(s) : aucune commune n'a été écrite.",
                    ]
                )
            )
        if format == "json":
            ecrire_json(self.stdout, {"encodage": encodage, **rapport.en_donnees()})
            return

        if rapport.ecrit:
            self.stdout.write("Import écrit en base :")
            verbes = ("créées", "mises à jour")
        else:
            self.stdout.write("Simulation, rien n'est écrit (relancez avec --write pour écrire) :")
            verbes = ("à créer", "à mettre à jour")
        self.stdout.write(f"  {verbes[0]} : {rapport.creees}")
        self.stdout.write(f"  {verbes[1]} : {rapport.mises_a_jour}")
        self.stdout.write(f"  inchangées : {rapport.inchangees}")
        rattachees = ", ".join(f"{n} {quoi}" for quoi, n in rapport.rattachees.items()) or "aucune"
        self.stdout.write(
            f"  communes déléguées, associées et arrondissements (COMD, COMA, ARM) : {rattachees}"
        )
        ecrire_fusions(self.stdout, rapport.fusions)
        if rapport.absentes:
            self.stdout.write(
                f"Communes absentes du fichier, laissées telles quelles "
                f"({len(rapport.absentes)}) : {apercu(rapport.absentes)}"
            )
        if rapport.erreurs:
            self.stdout.write(f"Lignes écartées ({len(rapport.erreurs)}), par raison :")
            for raison, nombre in rapport.raisons.most_common():
                self.stdout.write(f"  {raison} : {nombre}")
            for erreur in rapport.erreurs:
                self.stdout.write(f"    {erreur}")
        if rapport.ecrit:
            self.stdout.write(self.style.SUCCESS("Import terminé."))
