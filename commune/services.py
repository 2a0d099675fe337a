"""Writes on communes that touch several rows or models: keyword-only `<thing>_<verb>`."""

import csv
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .models import CODE_INSEE_REGEX, Commune, Departement

COLONNES_COG = ("TYPECOM", "COM", "REG", "DEP", "LIBELLE")
# Communes associées (COMA), déléguées (COMD) et arrondissements municipaux
# (ARM) ne sont pas des communes : le COG les liste à part.
TYPES_COG_IGNORES = ("COMA", "COMD", "ARM")
TAILLE_LOT = 1000
RAISON_IMPORT_COG = "Import du code officiel géographique (INSEE)"


@dataclass
class RapportImport:
    """What an import did, or would do in a dry run."""

    creees: int = 0
    mises_a_jour: int = 0
    inchangees: int = 0
    ignorees: int = 0
    erreurs: list[str] = field(default_factory=list)
    ecrit: bool = False


@dataclass(frozen=True)
class _LigneCOG:
    numero: int
    code_insee: str
    nom: str
    departement: Departement


def _code_departement_attendu(code_insee):
    """Overseas communes carry a 3-digit département code (971…976)."""
    return code_insee[:3] if code_insee.startswith("97") else code_insee[:2]


def _lire_cog(fichier, departements, rapport):
    """Parses and checks every row; returns the valid COM rows, errors go to the report."""
    lecteur = csv.DictReader(fichier)
    # A BOM survives when the caller did not open the file as utf-8-sig.
    colonnes = [(nom or "").lstrip("\ufeff").strip() for nom in lecteur.fieldnames or []]
    lecteur.fieldnames = colonnes
    manquantes = [nom for nom in COLONNES_COG if nom not in colonnes]
    if manquantes:
        rapport.erreurs.extend(
            f"ligne 1 : colonne obligatoire absente : {nom}" for nom in manquantes
        )
        return []

    lignes = []
    vues = {}
    for brute in lecteur:
        numero = lecteur.line_num
        ligne = {nom: (brute.get(nom) or "").strip() for nom in COLONNES_COG}
        if ligne["TYPECOM"] in TYPES_COG_IGNORES:
            rapport.ignorees += 1
            continue

        erreurs = []
        if ligne["TYPECOM"] != "COM":
            erreurs.append(
                f"type de commune « {ligne['TYPECOM']} » inconnu (attendu : COM, COMA, COMD ou ARM)"
            )
        code, code_dep, code_reg, nom = ligne["COM"], ligne["DEP"], ligne["REG"], ligne["LIBELLE"]
        code_valide = re.fullmatch(CODE_INSEE_REGEX, code) is not None
        if not code_valide:
            erreurs.append(
                f"code INSEE « {code} » invalide (attendu : 2 chiffres, ou 2A/2B, puis 3 chiffres)"
            )
        departement = departements.get(code_dep)
        if departement is None:
            erreurs.append(f"département « {code_dep} » inconnu")
        else:
            if code_reg != departement.region.code:
                erreurs.append(
                    f"région « {code_reg} » incohérente : le département {code_dep} "
                    f"est en région {departement.region.code}"
                )
            if code_valide and _code_departement_attendu(code) != code_dep:
                erreurs.append(f"le code INSEE {code} n'appartient pas au département {code_dep}")
        if not nom:
            erreurs.append("nom de la commune (LIBELLE) vide")
        elif len(nom) > Commune._meta.get_field("nom").max_length:
            erreurs.append("nom de la commune (LIBELLE) trop long")
        if code in vues:
            erreurs.append(f"code INSEE {code} en double (déjà présent ligne {vues[code]})")
        elif code:
            vues[code] = numero

        if erreurs:
            rapport.erreurs.extend(f"ligne {numero} : {message}" for message in erreurs)
        else:
            lignes.append(_LigneCOG(numero, code, nom, departement))
    return lignes


def communes_importer(*, fichier, ecrire: bool) -> RapportImport:
    """Creates or updates communes from the INSEE COG communes CSV, keyed by INSEE code.

    `fichier` is an open text file (or any iterable of lines). Every row is
    checked before anything is written; when one is wrong, or when `ecrire` is
    false, nothing is written. Only the name and the département come from the
    COG: population, EPCI and SIRET of the mairie are left as they are.
    """
    rapport = RapportImport()
    departements = {d.code: d for d in Departement.objects.select_related("region")}
    lignes = _lire_cog(fichier, departements, rapport)

    existantes = {c.code_insee: c for c in Commune.objects.all()}
    maintenant = timezone.now()
    a_creer, a_mettre_a_jour = [], []
    for ligne in lignes:
        commune = existantes.get(ligne.code_insee)
        if commune is None:
            a_creer.append(
                Commune(
                    code_insee=ligne.code_insee,
                    nom=ligne.nom,
                    slug=slugify(ligne.nom),
                    departement=ligne.departement,
                )
            )
        elif commune.nom != ligne.nom or commune.departement_id != ligne.departement.pk:
            if commune.nom != ligne.nom:
                commune.nom = ligne.nom
                commune.slug = slugify(ligne.nom)
            commune.departement = ligne.departement
            commune.updated_at = maintenant  # bulk_update skips auto_now
            a_mettre_a_jour.append(commune)
        else:
            rapport.inchangees += 1
    rapport.creees = len(a_creer)
    rapport.mises_a_jour = len(a_mettre_a_jour)

    if rapport.erreurs or not ecrire:
        return rapport
    with transaction.atomic():
        bulk_create_with_history(
            a_creer,
            Commune,
            batch_size=TAILLE_LOT,
            default_change_reason=RAISON_IMPORT_COG,
            default_date=maintenant,
        )
        bulk_update_with_history(
            a_mettre_a_jour,
            Commune,
            ["nom", "slug", "departement", "updated_at"],
            batch_size=TAILLE_LOT,
            default_change_reason=RAISON_IMPORT_COG,
            default_date=maintenant,
        )
    rapport.ecrit = True
    return rapport
