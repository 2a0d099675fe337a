"""The yearly update of the communes from INSEE's COG (code officiel géographique) CSV,
`v_commune_AAAA.csv`: `TYPECOM, COM, REG, DEP, CTCD, ARR, TNCC, NCC, NCCENR, LIBELLE,
CAN, COMPARENT`.

Accepted as INSEE publishes it and as a spreadsheet re-saves it: numeric codes that
lost their leading zeros (`1001`, département `1`, région `1`) are padded back to their
width; 2A/2B codes are left as they are; a BOM is dropped; semicolons may separate the
columns (the command also reads a file saved in Windows-1252).

What each row does
- `COM`: the commune is created, or renamed / moved to another département in place.
- `COMD`, `COMA`, `ARM` (with their commune in `COMPARENT`): the code and the name are
  kept as a name of that commune (`CommuneRattachee`), so that its page and the search
  find it. When the database still holds that code as a current commune, it has been
  merged: what was attached to it moves to `COMPARENT` (`commune.fusion`).
- A current commune of the database that the file does not list at all is reported
  (the COG alone does not say where it went); nothing is done to it.

Record by record: a bad row is reported (grouped by reason, with its line) and the
others are imported, unless `strict`, where one bad row blocks the whole file. A dry
run (`ecrire=False`) does everything in a transaction that is rolled back.
"""

import csv
import itertools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import cache
from .enums import TypeRattachement
from .fusion import RapportFusion, commune_fusionner
from .models import CODE_INSEE_REGEX, Commune, CommuneRattachee, Departement

COLONNES_COG = ("TYPECOM", "COM", "REG", "DEP", "LIBELLE")
# Spreadsheets read these as numbers and drop their leading zeros.
LARGEURS = {"COM": 5, "DEP": 2, "REG": 2, "COMPARENT": 5}
TYPES_RATTACHES = {t.value: t for t in TypeRattachement}
TAILLE_LOT = 1000
RAISON_IMPORT_COG = "Import du code officiel géographique (INSEE)"


@dataclass
class RapportCOG:
    """What an import did, or would do in a dry run."""

    creees: int = 0
    mises_a_jour: int = 0
    inchangees: int = 0
    rattachees: Counter = field(default_factory=Counter)
    erreurs: list[str] = field(default_factory=list)
    raisons: Counter = field(default_factory=Counter)
    fusions: list[RapportFusion] = field(default_factory=list)
    absentes: list[str] = field(default_factory=list)
    ecrit: bool = False

    def en_donnees(self) -> dict:
        """The summary for a script (`import_communes --format json`)."""
        return {
            "ecrit": self.ecrit,
            "creees": self.creees,
            "mises_a_jour": self.mises_a_jour,
            "inchangees": self.inchangees,
            "rattachees": dict(self.rattachees),
            "fusions": [fusion.en_donnees() for fusion in self.fusions],
            "communes_absentes": self.absentes,
            "rejetees": dict(self.raisons),
            "erreurs": self.erreurs,
        }

    def erreur(self, numero, raison, detail=""):
        self.raisons[raison] += 1
        self.erreurs.append(f"ligne {numero} : {raison}{' : ' + detail if detail else ''}")


@dataclass(frozen=True)
class _LigneCOG:
    numero: int
    type: str
    code_insee: str
    nom: str
    departement: Departement | None
    parent: str


def _code_departement_attendu(code_insee):
    """Overseas communes carry a 3-digit département code (971…976, 975, 984…989)."""
    return code_insee[:3] if code_insee[:2] in ("97", "98") else code_insee[:2]


def _normaliser(ligne):
    for colonne, largeur in LARGEURS.items():
        valeur = ligne.get(colonne, "")
        if valeur.isdigit() and len(valeur) < largeur:
            ligne[colonne] = valeur.zfill(largeur)
    return ligne


def _lire_ligne(numero, ligne, departements, rapport):
    """The row, checked; None (and its reasons in the report) when it is wrong."""
    type_, code, nom = ligne["TYPECOM"], ligne["COM"], ligne["LIBELLE"]
    raisons = []
    if type_ != "COM" and type_ not in TYPES_RATTACHES:
        raisons.append(
            (
                "type de commune inconnu (attendu : COM, COMA, COMD ou ARM)",
                f"« {type_} »",
            )
        )
    code_valide = re.fullmatch(CODE_INSEE_REGEX, code) is not None
    if not code_valide:
        raisons.append(
            ("code INSEE invalide (attendu : 2 chiffres, ou 2A/2B, puis 3 chiffres)", f"« {code} »")
        )
    if not nom:
        raisons.append(("nom de la commune (LIBELLE) vide", ""))
    elif len(nom) > Commune._meta.get_field("nom").max_length:
        raisons.append(("nom de la commune (LIBELLE) trop long", ""))

    departement = None
    if type_ == "COM":
        departement = departements.get(ligne["DEP"])
        if departement is None:
            raisons.append(("département inconnu", f"« {ligne['DEP']} »"))
        else:
            if ligne["REG"] != departement.region.code:
                raisons.append(
                    (
                        "région incohérente avec le département",
                        f"« {ligne['REG']} » ; le département {departement.code} "
                        f"est en région {departement.region.code}",
                    )
                )
            if code_valide and _code_departement_attendu(code) != departement.code:
                raisons.append(
                    ("code INSEE hors de son département", f"{code} et {departement.code}")
                )
    elif type_ in TYPES_RATTACHES and not re.fullmatch(CODE_INSEE_REGEX, ligne["COMPARENT"]):
        raisons.append(
            ("commune de rattachement (COMPARENT) absente ou invalide", f"« {ligne['COMPARENT']} »")
        )

    for raison, detail in raisons:
        rapport.erreur(numero, raison, detail)
    if raisons:
        return None
    return _LigneCOG(numero, type_, code, nom, departement, ligne["COMPARENT"])


def _separateur(entete: str) -> str:
    """INSEE separates with commas; a French spreadsheet re-saves with semicolons."""
    return max((",", ";", "\t"), key=entete.count)


def _lire_cog(fichier: Iterable[str], rapport: RapportCOG) -> list[_LigneCOG]:
    lignes = iter(fichier)
    entete = next(lignes, "")
    lecteur = csv.DictReader(itertools.chain([entete], lignes), delimiter=_separateur(entete))
    # A BOM survives when the caller did not open the file as utf-8-sig.
    colonnes = [(nom or "").lstrip("\ufeff").strip() for nom in lecteur.fieldnames or []]
    lecteur.fieldnames = colonnes
    manquantes = [nom for nom in COLONNES_COG if nom not in colonnes]
    if manquantes:
        for nom in manquantes:
            rapport.erreur(1, "colonne obligatoire absente", nom)
        return []

    departements = {d.code: d for d in Departement.objects.select_related("region")}
    lignes, vues = [], {}
    for brute in lecteur:
        numero = lecteur.line_num
        ligne = _normaliser(
            {nom: (brute.get(nom) or "").strip() for nom in (*COLONNES_COG, "COMPARENT")}
        )
        lue = _lire_ligne(numero, ligne, departements, rapport)
        if lue is None:
            continue
        cle = (lue.type, lue.code_insee)
        if cle in vues:
            rapport.erreur(
                numero, "code INSEE en double", f"{lue.code_insee} (déjà ligne {vues[cle]})"
            )
            continue
        vues[cle] = numero
        lignes.append(lue)
    return lignes


def _ecrire_communes(lignes, rapport, maintenant):
    existantes = {c.code_insee: c for c in Commune.objects.all()}
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
        elif (
            commune.nom != ligne.nom
            or commune.departement_id != ligne.departement.pk
            or not commune.est_actuelle
        ):
            if commune.nom != ligne.nom:
                commune.nom = ligne.nom
                commune.slug = slugify(ligne.nom)
            commune.departement = ligne.departement
            commune.fusionnee_dans, commune.fusionnee_le = None, None  # back on the map
            commune.updated_at = maintenant  # bulk_update skips auto_now
            a_mettre_a_jour.append(commune)
        else:
            rapport.inchangees += 1
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
        ["nom", "slug", "departement", "fusionnee_dans", "fusionnee_le", "updated_at"],
        batch_size=TAILLE_LOT,
        default_change_reason=RAISON_IMPORT_COG,
        default_date=maintenant,
    )
    rapport.creees = len(a_creer)
    rapport.mises_a_jour = len(a_mettre_a_jour)


def _ecrire_rattachees(lignes, rapport):
    """Names of communes (déléguées, associées, arrondissements), and the mergers they
    reveal: a current commune of the database listed as déléguée or associée."""
    communes = {c.code_insee: c for c in Commune.objects.all()}
    existantes = {(r.type, r.code): r for r in CommuneRattachee.objects.all()}
    for ligne in lignes:
        parent = communes.get(ligne.parent)
        if parent is None or not parent.est_actuelle:
            rapport.erreur(
                ligne.numero, "commune de rattachement (COMPARENT) inconnue", ligne.parent
            )
            continue
        rattachee = existantes.get((ligne.type, ligne.code_insee))
        if rattachee is None:
            CommuneRattachee.objects.create(
                type=ligne.type, code=ligne.code_insee, nom=ligne.nom, commune=parent
            )
            rapport.rattachees["créées"] += 1
        elif rattachee.nom != ligne.nom or rattachee.commune_id != parent.pk:
            rattachee.nom, rattachee.commune = ligne.nom, parent
            rattachee.save()
            rapport.rattachees["mises à jour"] += 1
        else:
            rapport.rattachees["inchangées"] += 1

        ancienne = communes.get(ligne.code_insee)
        if (
            ligne.type != TypeRattachement.ARRONDISSEMENT
            and ancienne is not None
            and ancienne.pk != parent.pk
            and ancienne.est_actuelle
        ):
            rapport.fusions.append(commune_fusionner(ancienne=ancienne, commune=parent))


def communes_importer(*, fichier: Iterable[str], ecrire: bool, strict: bool = False) -> RapportCOG:
    """Applies the COG communes CSV (an open text file, or any iterable of lines)."""
    rapport = RapportCOG()
    lignes = _lire_cog(fichier, rapport)
    if strict and rapport.erreurs:
        return rapport
    maintenant = timezone.now()
    with transaction.atomic():
        _ecrire_communes([ligne for ligne in lignes if ligne.type == "COM"], rapport, maintenant)
        _ecrire_rattachees([ligne for ligne in lignes if ligne.type != "COM"], rapport)
        listees = {ligne.code_insee for ligne in lignes}
        rapport.absentes = [
            str(c)
            for c in Commune.objects.actuelles().order_by("code_insee")
            if c.code_insee not in listees
        ]
        if not ecrire or (strict and rapport.erreurs):
            transaction.set_rollback(True)
        else:
            # Bulk writes send no signal: every public page may show a commune's name.
            transaction.on_commit(cache.invalider_tout)
            rapport.ecrit = True
    return rapport
