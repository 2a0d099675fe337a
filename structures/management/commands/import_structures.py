from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commune.management.commands._affichage import ajouter_format, barre, ecrire_json
from structures.imports import EXEMPLES, RapportImport, structures_importer


class Command(BaseCommand):
    help = (
        "Importe une liste nationale de structures (CSV en UTF-8, séparateur « , » ou « ; ») "
        "telle qu'elle est publiée : la liste des SIAE de l'ASP (MESURE;CODE_DEPARTEMENT;…"
        ";SIRET;DENOMINATION_SOCIALE;…), la liste des GEIQ (GEIQ;ADRESSE;…;SIRET, avec "
        "--type GEIQ), ou la liste de la plateforme (siret, kind ou type, name ou nom, et "
        "facultatives brand/enseigne, address/adresse, post code/code_postal, city/ville, "
        "code_insee, département, email, phone/telephone, website/site_web). Une structure "
        "par SIRET : un SIRET listé avec plusieurs types les garde tous (le premier comme "
        "type principal). La commune est retrouvée par le code INSEE, sinon par le code "
        "postal et le nom. Chaque ligne est lue pour elle-même : une ligne invalide est "
        "rejetée avec sa raison, les autres sont importées ; ce qu'une personne a modifié "
        "sur la fiche n'est jamais écrasé. Simulation par défaut : --write pour écrire, en "
        "une seule transaction."
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
        parser.add_argument(
            "--type",
            default="",
            help="Le type des structures d'un fichier sans colonne de type (GEIQ).",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Tout ou rien : une seule ligne rejetée et rien n'est écrit.",
        )
        ajouter_format(parser)

    def handle(self, *args, fichier, write, verified, type, strict, format, **options):
        try:
            # utf-8-sig drops the BOM that spreadsheet exports put in front.
            with fichier.open(encoding="utf-8-sig", newline="") as flux:
                lignes = flux.read().splitlines(keepends=True)
        except FileNotFoundError as erreur:
            raise CommandError(f"Fichier introuvable : {fichier}") from erreur
        except UnicodeDecodeError as erreur:
            raise CommandError(f"Le fichier {fichier} n'est pas encodé en UTF-8.") from erreur

        rapport = structures_importer(
            fichier=lignes,
            ecrire=write,
            verifiees=verified,
            type_par_defaut=type,
            strict=strict,
            progression=lambda rangees: barre(rangees, max(len(lignes) - 1, 0), "Structures"),
        )
        if rapport.erreurs:
            raise CommandError("\n".join([*rapport.erreurs, "Rien n'a été écrit."]))
        if format == "json":
            ecrire_json(self.stdout, rapport.resume())
        else:
            self._afficher(rapport)
        if rapport.refuse:
            raise CommandError(
                f"--strict : {rapport.rejetees} ligne(s) rejetée(s), rien n'a été écrit."
            )

    def _afficher(self, rapport: RapportImport):
        self.stdout.write(f"Fichier lu : {rapport.format}, {rapport.lues} lignes.")
        groupes = rapport.rejets_par_motif()
        if groupes:
            self.stdout.write(self.style.WARNING("Lignes rejetées, par raison :"))
            for motif, lignes in groupes.items():
                self.stdout.write(self.style.WARNING(f"  {motif} : {len(lignes)}"))
                for ligne in lignes[:EXEMPLES]:
                    self.stdout.write(f"    {ligne}")
        if rapport.ecrit:
            self.stdout.write("Import écrit en base :")
            verbes = ("créées", "mises à jour")
        elif rapport.refuse:
            self.stdout.write("Refusé (--strict), rien n'est écrit :")
            verbes = ("à créer", "à mettre à jour")
        else:
            self.stdout.write("Simulation, rien n'est écrit (relancez avec --write pour écrire) :")
            verbes = ("à créer", "à mettre à jour")
        self.stdout.write(f"  {verbes[0]} : {rapport.creees}")
        self.stdout.write(f"  {verbes[1]} : {rapport.mises_a_jour}")
        self.stdout.write(f"  inchangées : {rapport.inchangees}")
        self.stdout.write(f"  rejetées : {rapport.rejetees}")
        self.stdout.write(f"  autres types ajoutés : {rapport.types_ajoutes}")
        details = (
            ("en double (même SIRET, même type)", _lignes(rapport.doublons)),
            ("commune introuvable", _lignes(rapport.sans_commune)),
            (
                "champs modifiés par une personne, laissés tels quels",
                [f"{siret} : {nom}" for siret, nom in rapport.preserves],
            ),
        )
        for titre, elements in details:
            if elements:
                exemples = " ; ".join(elements[:EXEMPLES])
                self.stdout.write(f"  {titre} : {len(elements)} (par exemple {exemples})")
        if rapport.ecrit:
            self.stdout.write(self.style.SUCCESS("Import terminé."))


def _lignes(elements):
    return [f"ligne {numero} : {texte}" for numero, texte in elements]
