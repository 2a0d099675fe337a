"""Import of the DECP (données essentielles de la commande publique), JSON format v2.

The file is streamed with ijson and written in batches, so memory stays the same
whatever its size: a national file of several hundred thousand contracts goes
through like a commune's dozen.

What is accepted
- the official wrapper `{"marches": {"marche": [...]}}`, the older
  `{"marches": [...]}` and a top-level list of contracts;
- both shapes of the nested lists: `considerationsSociales:
  {considerationSociale: [...]}` or `["Clause sociale"]` (or a single string),
  `titulaires: [{titulaire: {typeIdentifiant, id}}]` or `[{typeIdentifiant, id}]`,
  `modifications: [{modification: {...}}]` or `[{...}]`;
- considerations given as booleans (`{"clauseSociale": "oui", ...}`), booleans
  written `oui`/`non`, `true`/`false` or `1`/`0`;
- numbers as JSON numbers or strings (`"85000.50"`, `"85000,50"`), dates as
  `AAAA-MM-JJ` optionally followed by a time or a time zone.

What happens to a contract
- Its buyer (`acheteur.id`, a SIRET) is matched to a commune's `siret_mairie`,
  else its first 9 digits (the SIREN) to a commune's SIREN (a merged commune's
  SIREN leads to the commune it merged into), else to an EPCI. A contract of another buyer is
  counted as skipped, whatever else it holds: a national file is mostly other
  buyers' contracts, and their mistakes are not ours to refuse.
- A contract of a known buyer is checked field by field; every reason it is
  invalid is reported with its index in the file (0 for the first contract).
- `modifications` are applied in date order (notification date of the
  modification, else its publication date, else its place in the list): the
  latest `montant` and `dureeMois` win; the values of the contract as notified
  are kept in `montant_initial` and `duree_mois_initiale`.
- Contracts are keyed by (buyer SIRET, `id`): a contract already there is updated
  when anything differs, holders included, and left alone otherwise, so importing
  the same file twice changes nothing. A contract unpublished by its commune stays
  unpublished; a holder's name entered by hand is kept when the file has none.
- `montant` is required (the DECP require it): a contract without one is invalid,
  never stored at 0, which would lower the commune's figures without saying so.
- A holder identified by a SIRET needs 14 digits; its check key is not enforced
  (published files hold some wrong keys, and the contract is real all the same).
  It is linked to the structure of the directory with that SIRET, if any.

The whole import runs in one transaction. A dry run (`ecrire=False`) does every
write and rolls them back, so its summary is exactly what the real import would
do, duplicates within the file included. In strict mode (the default) one
invalid contract rolls everything back; with `strict=False` the valid contracts
are written and the invalid ones reported. A file that is not valid JSON (cut
short, say) is never written, in either mode.

Memory holds one batch of 2,000 contracts, the buyers and structures by SIRET (as
many as the country has, whatever the file), and at most 1,000 error messages.
Each batch costs a handful of queries: one lookup of the contracts already there,
one of their holders, then bulk writes with their history (COPY on PostgreSQL,
bulk_create_with_history elsewhere; bulk_update_with_history for changes).
"""

import operator
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import reduce

import ijson
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from psycopg import sql
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from commune import cache
from commune.models import EPCI, Commune
from structures.models import Structure

from .enums import (
    ConsiderationEnvironnementale,
    ConsiderationSociale,
    FormePrix,
    Nature,
    Procedure,
    TypeCodeLieu,
    TypeIdentifiant,
)
from .models import CPV_REGEX, Marche, Titulaire

TAILLE_LOT = 2000
# Beyond this many, invalid contracts are counted but no longer described: a
# report of 100,000 identical lines helps nobody and would fill the memory.
ERREURS_DETAILLEES_MAX = 1000
TAILLE_TETE = 64 * 1024
RAISON_IMPORT_DECP = "Import des données essentielles de la commande publique (DECP)"

ID_MAX = Marche._meta.get_field("id_decp").max_length
IDENTIFIANT_MAX = Titulaire._meta.get_field("identifiant").max_length
LIEU_CODE_MAX = Marche._meta.get_field("lieu_code").max_length
MONTANT_MAX = Decimal("1e12")  # max_digits=14 with 2 decimals
CENTIME = Decimal("0.01")
SIRET = re.compile(r"[0-9]{14}")
DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
CPV = re.compile(CPV_REGEX)
LISTE_MARCHES = re.compile(rb'\{\s*"marches"\s*:\s*\[')

# The fields a DECP record sets, by attribute name; `publie` is the commune's.
CHAMPS = (
    "commune_id",
    "epci_id",
    "objet",
    "code_cpv",
    "procedure",
    "nature",
    "montant",
    "montant_initial",
    "date_notification",
    "date_publication",
    "duree_mois",
    "duree_mois_initiale",
    "forme_prix",
    "lieu_code",
    "lieu_type_code",
    "clause_sociale",
    "critere_social",
    "marche_reserve",
    "clause_environnementale",
    "critere_environnemental",
)
COLONNES_MARCHE = [champ.attname for champ in Marche._meta.concrete_fields]
COLONNES_TITULAIRE = [champ.attname for champ in Titulaire._meta.concrete_fields]
CHAMPS_MIS_A_JOUR = [nom.removesuffix("_id") for nom in CHAMPS] + ["updated_at"]

SOCIALES = {
    ConsiderationSociale.CLAUSE: "clause_sociale",
    ConsiderationSociale.CRITERE: "critere_social",
    ConsiderationSociale.RESERVE: "marche_reserve",
}
ENVIRONNEMENTALES = {
    ConsiderationEnvironnementale.CLAUSE: "clause_environnementale",
    ConsiderationEnvironnementale.CRITERE: "critere_environnemental",
}
# The same considerations written as boolean keys, as some producers do.
CLES_BOOLEENNES = {
    "clausesociale": "clause_sociale",
    "criteresocial": "critere_social",
    "marchereserve": "marche_reserve",
    "clauseenvironnementale": "clause_environnementale",
    "critereenvironnemental": "critere_environnemental",
}


def _vocabulaire(valeurs):
    """{value compared without case: value}, built once: imports read it a million times."""
    return {str(valeur).casefold(): str(valeur) for valeur in valeurs}


NATURES = _vocabulaire(Nature.values)
PROCEDURES = _vocabulaire(Procedure.values)
FORMES_PRIX = _vocabulaire(FormePrix.values)
TYPES_CODE_LIEU = _vocabulaire(TypeCodeLieu.values)
TYPES_IDENTIFIANT = _vocabulaire(TypeIdentifiant.values)
VOCABULAIRE_SOCIAL = _vocabulaire([*SOCIALES, ConsiderationSociale.AUCUNE])
VOCABULAIRE_ENVIRONNEMENTAL = _vocabulaire(
    [*ENVIRONNEMENTALES, ConsiderationEnvironnementale.AUCUNE]
)
VRAI = {"oui", "true", "vrai", "1", "o", "yes"}
FAUX = {"non", "false", "faux", "0", "n", "no"}
DATES_MODIFICATION = (
    "dateNotificationModificationModification",
    "dateNotificationModification",
    "datePublicationDonneesModificationModification",
    "datePublicationDonneesModification",
)


class _Annuler(Exception):
    """Rolls back the import's transaction: a dry run, or a refused strict import."""


@dataclass
class RapportDECP:
    """What an import did, or would do in a dry run."""

    strict: bool = True
    lus: int = 0
    crees: int = 0
    mis_a_jour: int = 0
    inchanges: int = 0
    ignores: int = 0
    invalides: int = 0
    erreurs: list[str] = field(default_factory=list)
    erreur_fichier: str = ""
    ecrit: bool = False

    @property
    def erreurs_non_detaillees(self):
        return self.invalides - len(self.erreurs)

    @property
    def refuse(self):
        """Nothing can be written: the file is unreadable, or invalid in strict mode."""
        return bool(self.erreur_fichier) or (self.strict and self.invalides > 0)

    def invalide(self, index, id_decp, raisons):
        self.invalides += 1
        if len(self.erreurs) < ERREURS_DETAILLEES_MAX:
            quel = f"marché n° {index}" + (f" (id « {id_decp} »)" if id_decp else "")
            self.erreurs.append(f"{quel} : {' ; '.join(raisons)}")


@dataclass(slots=True)
class _MarcheLu:
    """A valid record, ready to be compared with the database."""

    acheteur_siret: str
    id_decp: str
    valeurs: dict
    titulaires: list  # of (type_identifiant, identifiant, denomination)


class _Recolle:
    """A file whose first bytes were already read to sniff its shape."""

    def __init__(self, tete, fichier):
        self.tete = tete
        self.fichier = fichier

    def read(self, taille=-1):
        if not self.tete:
            return self.fichier.read(taille)
        if taille is None or taille < 0:
            morceau, self.tete = self.tete + self.fichier.read(), b""
            return morceau
        morceau, self.tete = self.tete[:taille], self.tete[taille:]
        return morceau


def _enregistrements(fichier):
    """The contract records of a DECP file, one at a time."""
    tete = fichier.read(TAILLE_TETE)
    if isinstance(tete, str):
        raise TypeError("Le fichier DECP doit être ouvert en binaire ('rb').")
    tete = tete.removeprefix(b"\xef\xbb\xbf")
    debut = tete.lstrip()
    if debut.startswith(b"["):
        prefixe = "item"
    elif LISTE_MARCHES.match(debut):
        prefixe = "marches.item"
    else:
        prefixe = "marches.marche.item"
    # use_float=False: amounts come as Decimal, exactly as written.
    return ijson.items(_Recolle(tete, fichier), prefixe, use_float=False)


def _communes_par(communes, champ):
    """{value of `champ`: commune}, a merged commune standing for the one it merged into."""
    return {
        cle: fusionnee_dans or pk
        for cle, pk, fusionnee_dans in communes.values_list(champ, "pk", "fusionnee_dans")
    }


class _References:
    """Buyers we know: mairies by SIRET, communes and EPCI by SIREN (the SIRET's first 9
    digits); and the structures of the directory by SIRET, to link holders to them.

    Read once: their number is that of the country's communes and structures, whatever
    the size of the file.
    """

    def __init__(self):
        self.communes = _communes_par(Commune.objects.exclude(siret_mairie=""), "siret_mairie")
        self.sirens = _communes_par(Commune.objects.exclude(siren=""), "siren")
        self.epci = dict(EPCI.objects.values_list("siren", "pk"))
        self.structures = dict(Structure.objects.values_list("siret", "pk"))

    def trouver(self, siret):
        """(commune_id, epci_id), or None for a buyer we do not follow."""
        commune_id = self.communes.get(siret) or self.sirens.get(siret[:9])
        if commune_id is not None:
            return commune_id, None
        epci_id = self.epci.get(siret[:9])
        if epci_id is not None:
            return None, epci_id
        return None


# Reading one record ---------------------------------------------------------------


def _texte(valeur):
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return str(valeur).lower()
    if isinstance(valeur, int | Decimal | float):
        return str(valeur)
    if isinstance(valeur, str):
        return valeur.strip()
    return None  # an object or a list where text was expected


def _choix(valeur, vocabulaire, nom, raisons, *, obligatoire):
    """The vocabulary value `valeur` stands for, compared without case."""
    texte = _texte(valeur)
    if not texte:
        if obligatoire:
            raisons.append(f"{nom} absent")
        return ""
    trouvee = vocabulaire.get(texte.casefold())
    if trouvee is None:
        attendu = ", ".join(vocabulaire.values())
        raisons.append(f"{nom} « {texte} » inconnu (attendu : {attendu})")
        return ""
    return trouvee


def _decimal(valeur):
    if isinstance(valeur, bool):
        return None
    if isinstance(valeur, int | Decimal):
        return Decimal(valeur)
    if isinstance(valeur, float):
        return Decimal(str(valeur))
    if isinstance(valeur, str):
        try:
            nombre = Decimal(
                valeur.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
            )
        except InvalidOperation:
            return None
        return nombre if nombre.is_finite() else None
    return None


def _montant(valeur, nom, raisons):
    if valeur is None or valeur == "":
        raisons.append(f"{nom} absent (obligatoire dans les DECP)")
        return None
    nombre = _decimal(valeur)
    if nombre is None:
        raisons.append(f"{nom} « {valeur} » n'est pas un nombre")
    elif nombre < 0:
        raisons.append(f"{nom} négatif ({nombre})")
    elif nombre >= MONTANT_MAX:
        raisons.append(f"{nom} invraisemblable ({nombre} €)")
    else:
        return nombre.quantize(CENTIME, rounding=ROUND_HALF_UP)
    return None


def _duree(valeur, nom, raisons):
    if valeur is None or valeur == "":
        raisons.append(f"{nom} absent")
        return None
    nombre = _decimal(valeur)
    if nombre is None or nombre != nombre.to_integral_value():
        raisons.append(f"{nom} « {valeur} » n'est pas un nombre entier de mois")
    elif not 1 <= nombre <= 999:
        raisons.append(f"{nom} hors limites ({nombre} ; de 1 à 999 mois)")
    else:
        return int(nombre)
    return None


def _date(valeur, nom, raisons, *, obligatoire):
    texte = _texte(valeur)
    if not texte:
        if obligatoire:
            raisons.append(f"{nom} absente")
        return None
    trouvee = DATE.match(texte)
    if trouvee:
        try:
            return date(*(int(partie) for partie in trouvee.groups()))
        except ValueError:
            pass
    raisons.append(f"{nom} « {texte} » n'est pas une date AAAA-MM-JJ")
    return None


def _booleen(valeur):
    if isinstance(valeur, bool):
        return valeur
    texte = _texte(valeur)
    if texte is not None:
        texte = texte.casefold()
        if texte in VRAI:
            return True
        if texte in FAUX:
            return False
    return None


def _liste(valeur, cle):
    """A DECP list in either shape: [...] or {cle: [...]} or {cle: {...}} or a lone value."""
    if valeur is None or valeur == "":
        return []
    if isinstance(valeur, dict) and cle in valeur:
        valeur = valeur[cle]
    if isinstance(valeur, list):
        return valeur
    return [valeur]


def _considerations(valeur, cle, champs, vocabulaire, aucune, nom, raisons):
    """The boolean fields the considerations switch on, as {field: True}."""
    drapeaux = {}
    if isinstance(valeur, dict) and cle not in valeur:
        # {"clauseSociale": "oui", "critereSocial": "non", ...}
        for cle_brute, brut in valeur.items():
            champ = CLES_BOOLEENNES.get(cle_brute.casefold())
            if champ is None or champ not in champs.values():
                raisons.append(f"{nom} : clé « {cle_brute} » inconnue")
                continue
            booleen = _booleen(brut)
            if booleen is None:
                raisons.append(f"{nom}.{cle_brute} « {brut} » n'est ni oui ni non")
            elif booleen:
                drapeaux[champ] = True
        return drapeaux
    valeurs = set()
    for element in _liste(valeur, cle):
        valeurs.add(_choix(element, vocabulaire, nom, raisons, obligatoire=True))
    valeurs.discard("")
    if aucune in valeurs and len(valeurs) > 1:
        raisons.append(f"{nom} contradictoires : « {aucune} » avec d'autres valeurs")
    return {champs[v]: True for v in valeurs if v != aucune}


def _titulaires(valeur, raisons):
    titulaires = {}
    for rang, element in enumerate(_liste(valeur, "titulaire")):
        if isinstance(element, dict) and isinstance(element.get("titulaire"), dict):
            element = element["titulaire"]
        if not isinstance(element, dict):
            raisons.append(f"titulaires[{rang}] n'est pas un objet")
            continue
        identifiant = _texte(element.get("id"))
        if not identifiant:
            raisons.append(f"titulaires[{rang}].id absent")
            continue
        if element.get("typeIdentifiant") in (None, ""):
            type_identifiant = TypeIdentifiant.SIRET if SIRET.fullmatch(identifiant) else ""
            if not type_identifiant:
                raisons.append(f"titulaires[{rang}].typeIdentifiant absent")
                continue
        else:
            type_identifiant = _choix(
                element["typeIdentifiant"],
                TYPES_IDENTIFIANT,
                f"titulaires[{rang}].typeIdentifiant",
                raisons,
                obligatoire=True,
            )
            if not type_identifiant:
                continue
        if type_identifiant == TypeIdentifiant.SIRET:
            identifiant = identifiant.replace(" ", "")
            if not SIRET.fullmatch(identifiant):
                raisons.append(f"titulaires[{rang}].id « {identifiant} » n'est pas un SIRET")
                continue
        elif len(identifiant) > IDENTIFIANT_MAX:
            raisons.append(
                f"titulaires[{rang}].id trop long ({IDENTIFIANT_MAX} caractères au plus)"
            )
            continue
        denomination = _texte(element.get("denominationSociale") or element.get("denomination"))
        titulaires[(type_identifiant, identifiant)] = (denomination or "")[:200]
    return [(type_id, ident, nom) for (type_id, ident), nom in titulaires.items()]


def _modifications(valeur, valeurs, raisons):
    """Applies the contract's modifications in date order to `valeurs`."""
    datees = []
    for rang, element in enumerate(_liste(valeur, "modification")):
        if isinstance(element, dict) and isinstance(element.get("modification"), dict):
            element = element["modification"]
        if not isinstance(element, dict):
            raisons.append(f"modifications[{rang}] n'est pas un objet")
            continue
        quand = None
        for cle in DATES_MODIFICATION:
            if element.get(cle) not in (None, ""):
                quand = _date(
                    element[cle], f"modifications[{rang}].{cle}", raisons, obligatoire=False
                )
                break
        datees.append((quand or date.min, rang, element))
    for _, rang, element in sorted(datees, key=lambda datee: datee[:2]):
        if element.get("montant") not in (None, ""):
            montant = _montant(element["montant"], f"modifications[{rang}].montant", raisons)
            if montant is not None:
                valeurs["montant"] = montant
        if element.get("dureeMois") not in (None, ""):
            duree = _duree(element["dureeMois"], f"modifications[{rang}].dureeMois", raisons)
            if duree is not None:
                valeurs["duree_mois"] = duree


def _acheteur_siret(brut):
    acheteur = brut.get("acheteur")
    if isinstance(acheteur, dict):
        acheteur = acheteur.get("id")
    elif acheteur is None:
        acheteur = brut.get("acheteur.id")
    texte = _texte(acheteur)
    if not texte:
        return None, "acheteur.id absent"
    texte = texte.replace(" ", "")
    if not SIRET.fullmatch(texte):
        return None, f"acheteur.id « {texte} » n'est pas un SIRET (14 chiffres)"
    return texte, None


def _lire(brut, siret, acheteur):
    """The record as model values, and the reasons it is invalid (empty when valid)."""
    raisons = []
    id_decp = _texte(brut.get("id"))
    if not id_decp:
        raisons.append("id absent")
    elif len(id_decp) > ID_MAX:
        raisons.append(f"id trop long ({ID_MAX} caractères au plus)")

    objet = _texte(brut.get("objet"))
    if not objet:
        raisons.append("objet absent")
    code_cpv = _texte(brut.get("codeCPV"))
    if not code_cpv:
        raisons.append("codeCPV absent")
    elif not CPV.fullmatch(code_cpv):
        raisons.append(f"codeCPV « {code_cpv} » invalide (8 chiffres, puis éventuellement -N)")

    lieu = brut.get("lieuExecution") or {}
    if not isinstance(lieu, dict):
        raisons.append("lieuExecution n'est pas un objet")
        lieu = {}
    lieu_code = _texte(lieu.get("code")) or ""
    if len(lieu_code) > LIEU_CODE_MAX:
        raisons.append(f"lieuExecution.code trop long ({LIEU_CODE_MAX} caractères au plus)")
    lieu_type_code = _choix(
        lieu.get("typeCode"),
        TYPES_CODE_LIEU,
        "lieuExecution.typeCode",
        raisons,
        obligatoire=bool(lieu_code),
    )

    valeurs = {
        "commune_id": acheteur[0],
        "epci_id": acheteur[1],
        "objet": objet,
        "code_cpv": code_cpv,
        "procedure": _choix(
            brut.get("procedure"), PROCEDURES, "procedure", raisons, obligatoire=True
        ),
        "nature": _choix(brut.get("nature"), NATURES, "nature", raisons, obligatoire=True),
        "montant": _montant(brut.get("montant"), "montant", raisons),
        "date_notification": _date(
            brut.get("dateNotification"), "dateNotification", raisons, obligatoire=True
        ),
        "date_publication": _date(
            brut.get("datePublicationDonnees"), "datePublicationDonnees", raisons, obligatoire=False
        ),
        "duree_mois": _duree(brut.get("dureeMois"), "dureeMois", raisons),
        "forme_prix": _choix(
            brut.get("formePrix"), FORMES_PRIX, "formePrix", raisons, obligatoire=False
        ),
        "lieu_code": lieu_code,
        "lieu_type_code": lieu_type_code,
        "clause_sociale": False,
        "critere_social": False,
        "marche_reserve": False,
        "clause_environnementale": False,
        "critere_environnemental": False,
    }
    valeurs["montant_initial"] = valeurs["montant"]
    valeurs["duree_mois_initiale"] = valeurs["duree_mois"]
    valeurs.update(
        _considerations(
            brut.get("considerationsSociales"),
            "considerationSociale",
            SOCIALES,
            VOCABULAIRE_SOCIAL,
            ConsiderationSociale.AUCUNE,
            "considerationsSociales",
            raisons,
        )
    )
    valeurs.update(
        _considerations(
            brut.get("considerationsEnvironnementales"),
            "considerationEnvironnementale",
            ENVIRONNEMENTALES,
            VOCABULAIRE_ENVIRONNEMENTAL,
            ConsiderationEnvironnementale.AUCUNE,
            "considerationsEnvironnementales",
            raisons,
        )
    )
    titulaires = _titulaires(brut.get("titulaires"), raisons)
    _modifications(brut.get("modifications"), valeurs, raisons)
    if raisons:
        return None, raisons
    return _MarcheLu(siret, id_decp, valeurs, titulaires), []


# Writing one batch ----------------------------------------------------------------


def copier(curseur, modele, champs, lignes):
    """COPY `lignes` (lists of values, in the order of `champs`) into `modele`'s table.

    Binary format, with the column types given up front: psycopg then needs no guess
    per value, and the server no parsing; four times the speed of text rows.
    """
    requete = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(modele._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(champ.column) for champ in champs),
    )
    # "varchar(64)" → "varchar", "numeric(14, 2)" → "numeric": the names psycopg knows.
    types = [champ.db_type(connection).split("(")[0].strip() for champ in champs]
    with curseur.copy(requete) as copie:
        copie.set_types(types)
        for ligne in lignes:
            copie.write_row(ligne)


def _inserer(modele, lignes, *, historique):
    """Inserts new rows (dicts of attribute names) and their "+" history rows; sets
    each dict's "id".

    On PostgreSQL, primary keys are drawn from the sequence and the rows COPied, with
    their history rows: several times the speed of bulk_create_with_history, which
    builds a model instance and a historical instance per row and sends them as
    parameters. The history rows hold what simple_history writes ("+", date, reason,
    user). Elsewhere (SQLite), bulk_create_with_history itself.
    """
    if connection.vendor != "postgresql":
        objets = bulk_create_with_history(
            [modele(**ligne) for ligne in lignes], modele, batch_size=TAILLE_LOT, **historique
        )
        for ligne, objet in zip(lignes, objets, strict=True):
            ligne["id"] = objet.pk
        return
    meta = modele._meta
    champs = meta.concrete_fields
    historiques = [
        champ for champ in modele.history.model._meta.concrete_fields if not champ.primary_key
    ]
    user = historique["default_user"]
    speciaux = {
        "history_date": historique["default_date"],
        "history_change_reason": historique["default_change_reason"],
        "history_type": "+",
        "history_user_id": user.pk if user is not None else None,
    }
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(lignes)],
        )
        for ligne, (pk,) in zip(lignes, curseur.fetchall(), strict=True):
            ligne["id"] = pk
        noms = [champ.attname for champ in champs]
        copier(curseur, modele, champs, ([ligne.get(nom) for nom in noms] for ligne in lignes))
        noms = [champ.attname for champ in historiques]
        copier(
            curseur,
            modele.history.model,
            historiques,
            (
                [fusion.get(nom) for nom in noms]
                for fusion in (ligne | speciaux for ligne in lignes)
            ),
        )


def _cles_du_lot(lot):
    """(buyer = X and id in (…)) or (buyer = Y and id in (…)): each branch is a range of
    the unique (buyer, id) index, whatever the statistics say."""
    ids_par_acheteur = defaultdict(set)
    for lu in lot:
        ids_par_acheteur[lu.acheteur_siret].add(lu.id_decp)
    return reduce(
        operator.or_,
        (Q(acheteur_siret=siret, id_decp__in=ids) for siret, ids in ids_par_acheteur.items()),
    )


def _ecrire_lot(lot, rapport, *, maintenant, by, structures):
    historique = {
        "default_user": by,
        "default_change_reason": RAISON_IMPORT_DECP,
        "default_date": maintenant,
    }
    # Rows already there are read as dicts; a model instance is built only for the
    # few that change, which bulk_update_with_history needs.
    existants = {
        (ligne["acheteur_siret"], ligne["id_decp"]): ligne
        for ligne in Marche.objects.filter(_cles_du_lot(lot)).values(*COLONNES_MARCHE)
    }
    titulaires_existants = {}
    if existants:
        for titulaire in Titulaire.objects.filter(
            marche_id__in=[ligne["id"] for ligne in existants.values()]
        ).values(*COLONNES_TITULAIRE):
            titulaires_existants.setdefault(titulaire["marche_id"], {})[
                (titulaire["type_identifiant"], titulaire["identifiant"])
            ] = titulaire

    # New rows are plain dicts: no model instance is built for them on PostgreSQL.
    nouveaux, titulaires_des_nouveaux, modifies = [], [], []
    titulaires_ajoutes, titulaires_modifies, titulaires_retires = [], [], []
    for lu in lot:
        actuel = existants.get((lu.acheteur_siret, lu.id_decp))
        if actuel is None:
            nouveaux.append(
                {
                    "acheteur_siret": lu.acheteur_siret,
                    "id_decp": lu.id_decp,
                    "publie": True,
                    "created_at": maintenant,
                    "updated_at": maintenant,
                    **lu.valeurs,
                }
            )
            titulaires_des_nouveaux.append(
                [
                    {
                        "type_identifiant": type_id,
                        "identifiant": ident,
                        "denomination": nom,
                        "structure_id": structures.get(ident),
                    }
                    for type_id, ident, nom in lu.titulaires
                ]
            )
            continue
        differences = {nom: v for nom, v in lu.valeurs.items() if actuel[nom] != v}
        change = bool(differences)
        anciens = titulaires_existants.get(actuel["id"], {})
        voulus = set()
        for type_id, ident, nom in lu.titulaires:
            voulus.add((type_id, ident))
            titulaire = anciens.get((type_id, ident))
            structure_id = structures.get(ident)
            if titulaire is None:
                titulaires_ajoutes.append(
                    {
                        "marche_id": actuel["id"],
                        "type_identifiant": type_id,
                        "identifiant": ident,
                        "denomination": nom,
                        "structure_id": structure_id,
                    }
                )
                change = True
                continue
            # A name or a structure set by hand is kept when the file says nothing.
            nom = nom or titulaire["denomination"]
            structure_id = structure_id or titulaire["structure_id"]
            if (titulaire["denomination"], titulaire["structure_id"]) != (nom, structure_id):
                titulaires_modifies.append(
                    Titulaire(**{**titulaire, "denomination": nom, "structure_id": structure_id})
                )
                change = True
        retires = [t["id"] for cle, t in anciens.items() if cle not in voulus]
        if retires:
            titulaires_retires += retires
            change = True
        if change:
            modifies.append(Marche(**{**actuel, **differences, "updated_at": maintenant}))
        else:
            rapport.inchanges += 1

    if nouveaux:
        _inserer(Marche, nouveaux, historique=historique)
        for ligne, titulaires in zip(nouveaux, titulaires_des_nouveaux, strict=True):
            for titulaire in titulaires:
                titulaire["marche_id"] = ligne["id"]
                titulaires_ajoutes.append(titulaire)
    if modifies:
        bulk_update_with_history(modifies, Marche, CHAMPS_MIS_A_JOUR, batch_size=500, **historique)
    if titulaires_retires:
        # One by one through the ORM, so that each removal lands in the history.
        Titulaire.objects.filter(pk__in=titulaires_retires).delete()
    if titulaires_ajoutes:
        _inserer(Titulaire, titulaires_ajoutes, historique=historique)
    if titulaires_modifies:
        bulk_update_with_history(
            titulaires_modifies,
            Titulaire,
            ["denomination", "structure"],
            batch_size=TAILLE_LOT,
            **historique,
        )
    rapport.crees += len(nouveaux)
    rapport.mis_a_jour += len(modifies)


# The import -----------------------------------------------------------------------


def decp_importer(*, fichier, ecrire: bool, strict: bool = True, by=None, taille_lot=TAILLE_LOT):
    """Imports the contracts of a DECP JSON file (`fichier` opened in binary).

    Dry run unless `ecrire`; strict unless `strict=False` (see the module's
    docstring). `by` is recorded as the author in the history. Returns a
    RapportDECP.
    """
    rapport = RapportDECP(strict=strict)
    references = _References()
    maintenant = timezone.now()
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # The tables grow within this transaction faster than their statistics:
                # left alone, the planner would scan the whole table to look up each
                # batch's contracts and holders, and the import would slow down as it
                # goes. Only this transaction's lookups are concerned.
                with connection.cursor() as curseur:
                    curseur.execute("SET LOCAL enable_seqscan = off")
            _importer(fichier, rapport, references, maintenant, by, taille_lot)
            if not ecrire or rapport.refuse:
                raise _Annuler
            # COPY and bulk writes send no signal: the contract indicators of the
            # public pages must be computed again.
            transaction.on_commit(cache.invalider_tout)
            rapport.ecrit = True
    except _Annuler:
        pass
    return rapport


def _importer(fichier, rapport, references, maintenant, by, taille_lot):
    def ecrire(lot):
        _ecrire_lot(lot, rapport, maintenant=maintenant, by=by, structures=references.structures)

    lot, cles = [], set()
    index = -1
    try:
        for index, brut in enumerate(_enregistrements(fichier)):
            rapport.lus += 1
            if not isinstance(brut, dict):
                rapport.invalide(index, "", ["l'enregistrement n'est pas un objet JSON"])
                continue
            siret, raison = _acheteur_siret(brut)
            if raison:
                rapport.invalide(index, _texte(brut.get("id")), [raison])
                continue
            acheteur = references.trouver(siret)
            if acheteur is None:
                rapport.ignores += 1
                continue
            lu, raisons = _lire(brut, siret, acheteur)
            if raisons:
                rapport.invalide(index, _texte(brut.get("id")), raisons)
                continue
            cle = (lu.acheteur_siret, lu.id_decp)
            # The same contract twice in a batch: the first is written before the
            # second is compared, as if the file were read one contract at a time.
            if cle in cles or len(lot) >= taille_lot:
                ecrire(lot)
                lot, cles = [], set()
            lot.append(lu)
            cles.add(cle)
    except ijson.JSONError as erreur:
        apres = f"après le marché n° {index}" if index >= 0 else "dès le début"
        rapport.erreur_fichier = f"Le fichier n'est pas un JSON valide ({apres}) : {erreur}"
        return
    if lot:
        ecrire(lot)
