"""Reading one DECP record: its values in the model's terms, why it is rejected, what it
lacks.

A record is rejected only when it cannot be a contract of ours: no buyer SIRET, no `id`,
no `objet`. Any other missing or malformed field leaves the contract incomplete
(`incomplet`, and what it lacks in `manques`), stored with what it does say:
- `procedure`, `codeCPV`, `dureeMois`, `nature` absent or unknown: empty (nature: Marché);
- `dateNotification` absent or malformed: the publication date stands in for it; with
  neither (more than half of the AIFE's 2019 file), the date is unknown (null) and the
  contract counts in no year;
- `montant` absent, `0`, `"NC"`, `NaN`, negative or beyond a trillion: unknown (null),
  never 0, which would lower the commune's figures without saying so;
- a holder whose identifier is not what its type says (a « SIRET » of 15 digits) is left
  out, the other holders kept; holders identified otherwise than by SIRET (TVA, TAHITI,
  HORS-UE…) are kept as foreign holders;
- considerations absent (every DECP v1 record) or unreadable: unknown
  (`sociales_connues` / `environnementales_connues` false), never « none ».

A CPV code of 7 digits lost its leading zero on the way (a spreadsheet took it for a
number: `9132100` is `09132100`, unleaded petrol): it is padded back. A check digit
(`-N`) is kept as given.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..enums import ConsiderationEnvironnementale, ConsiderationSociale, Nature, TypeIdentifiant
from ..models import CPV_REGEX, Marche, Titulaire
from . import vocabulaire as v
from .lecture import CONCESSION

ID_MAX = Marche._meta.get_field("id_decp").max_length
IDENTIFIANT_MAX = Titulaire._meta.get_field("identifiant").max_length
LIEU_CODE_MAX = Marche._meta.get_field("lieu_code").max_length
MANQUES_MAX = Marche._meta.get_field("manques").max_length
DENOMINATION_MAX = Titulaire._meta.get_field("denomination").max_length
MONTANT_MAX = Decimal("1e12")  # max_digits=14 with 2 decimals
CENTIME = Decimal("0.01")
SIRET = re.compile(r"[0-9]{14}")
DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
CPV = re.compile(CPV_REGEX)
CPV_SANS_ZERO = re.compile(r"[0-9]{7}(-[0-9])?")
BLANCS = re.compile(r"\s+")
DATES_MODIFICATION = (
    "dateNotificationModificationModification",
    "dateNotificationModification",
    "dateSignatureModification",
    "datePublicationDonneesModificationModification",
    "datePublicationDonneesModification",
)


@dataclass(slots=True)
class Lu:
    """A record that can be stored, ready to be compared with the database."""

    acheteur_siret: str
    id_decp: str
    cle_lot: str
    valeurs: dict
    titulaires: list  # of (type_identifiant, identifiant, denomination)


def est_concession(brut, genre):
    """A v1 list mixes concessions with marchés: they have a concédant, not a buyer."""
    if genre == CONCESSION:
        return True
    if "autoriteConcedante" in brut or "concessionnaires" in brut:
        return True
    nature = texte(brut.get("nature"))
    return bool(nature) and nature.casefold() in v.NATURES_CONCESSION


def texte(valeur):
    """The value as text ("" when absent), None for an object or a list."""
    if valeur is None:
        return ""
    if isinstance(valeur, str):
        return valeur.strip()
    if isinstance(valeur, bool):
        return str(valeur).lower()
    if isinstance(valeur, int | Decimal | float):
        return str(valeur)
    return None


def acheteur_siret(brut, concession):
    """(SIRET, None), or (None, why not)."""
    if concession:
        nom = "autoriteConcedante.id"
        autorite = brut.get("autoriteConcedante")
        valeur = (
            (autorite.get("id") or autorite.get("siret")) if isinstance(autorite, dict) else None
        )
    else:
        nom = "acheteur.id"
        acheteur = brut.get("acheteur")
        valeur = acheteur.get("id") if isinstance(acheteur, dict) else brut.get("acheteur.id")
    siret = texte(valeur)
    if not siret:
        return None, f"{nom} absent"
    siret = BLANCS.sub("", siret)
    if not SIRET.fullmatch(siret):
        return None, f"{nom} « {siret} » n'est pas un SIRET (14 chiffres)"
    return siret, None


def _choix(valeur, vocabulaire, nom, manques):
    """The stored value `valeur` stands for, or None when absent or unknown (noted)."""
    mot = texte(valeur)
    if not mot:
        manques.append(f"{nom} absent")
        return None
    trouve = vocabulaire.get(mot.casefold())
    if trouve is None:
        manques.append(f"{nom} « {mot} » inconnu")
    return trouve


def _nombre(valeur):
    if isinstance(valeur, bool):
        return None
    if isinstance(valeur, int | Decimal):
        nombre = Decimal(valeur)
    elif isinstance(valeur, float):
        nombre = Decimal(str(valeur))
    elif isinstance(valeur, str):
        try:
            nombre = Decimal(BLANCS.sub("", valeur).replace("\u00a0", "").replace(",", "."))
        except InvalidOperation:
            return None
    else:
        return None
    return nombre if nombre.is_finite() else None


def _montant(valeur, nom, manques):
    """The amount, or None when unknown: absent, 0, "NC", NaN, negative, implausible."""
    if valeur is None or valeur == "":
        manques.append(f"{nom} absent")
        return None
    nombre = _nombre(valeur)
    if nombre is None:
        manques.append(f"{nom} « {valeur} » n'est pas un nombre")
    elif nombre == 0:
        manques.append(f"{nom} à 0 (inconnu)")
    elif nombre < 0:
        manques.append(f"{nom} négatif ({nombre})")
    elif nombre >= MONTANT_MAX:
        manques.append(f"{nom} invraisemblable ({nombre} €)")
    else:
        return nombre.quantize(CENTIME, rounding=ROUND_HALF_UP)
    return None


def _duree(valeur, nom, manques):
    if valeur is None or valeur == "":
        manques.append(f"{nom} absent")
        return None
    nombre = _nombre(valeur)
    if nombre is None or nombre != nombre.to_integral_value():
        manques.append(f"{nom} « {valeur} » n'est pas un nombre entier de mois")
    elif not 1 <= nombre <= 999:
        manques.append(f"{nom} hors limites ({nombre} ; de 1 à 999 mois)")
    else:
        return int(nombre)
    return None


def _date(valeur, nom, notes):
    """The date, None when absent; a malformed one is noted in `notes`."""
    mot = texte(valeur)
    if not mot:
        return None
    # AAAA-MM-JJ, possibly followed by a time or a time zone (`2018-12-17+01:00`).
    if DATE.match(mot):
        try:
            return date.fromisoformat(mot[:10])
        except ValueError:
            pass
    notes.append(f"{nom} « {mot} » n'est pas une date AAAA-MM-JJ")
    return None


def _cpv(valeur, manques):
    code = texte(valeur)
    if not code:
        manques.append("codeCPV absent")
        return ""
    if CPV_SANS_ZERO.fullmatch(code):
        code = "0" + code
    if not CPV.fullmatch(code):
        manques.append(f"codeCPV « {code} » invalide (8 chiffres, puis éventuellement -N)")
        return ""
    return code


def _booleen(valeur):
    if isinstance(valeur, bool):
        return valeur
    mot = texte(valeur)
    if mot:
        mot = mot.casefold()
        if mot in v.VRAI:
            return True
        if mot in v.FAUX:
            return False
    return None


def _liste(valeur, cle):
    """A DECP list in any shape: [...], {cle: [...]}, {cle: {...}}, a lone value, and the
    lists within lists that some v1 modifications hold."""
    if valeur is None or valeur == "":
        return []
    if isinstance(valeur, dict) and cle in valeur:
        valeur = valeur[cle]
    if not isinstance(valeur, list):
        return [valeur]
    elements = []
    for element in valeur:
        if isinstance(element, list):
            elements += _liste(element, cle)
        else:
            elements.append(element)
    return elements


def _considerations(valeur, cle, champs, vocabulaire, aucune, nom, manques):
    """({field: True} for the considerations given, known?). Absent or unreadable: unknown."""
    if valeur is None or valeur == "" or valeur == [] or valeur == {}:
        return {}, False
    drapeaux, illisible = {}, False
    if isinstance(valeur, dict) and cle not in valeur:
        # {"clauseSociale": "oui", "critereSocial": "non", ...}
        for cle_brute, brut in valeur.items():
            champ = v.CLES_BOOLEENNES.get(cle_brute.casefold())
            booleen = _booleen(brut)
            if champ is None or champ not in champs.values():
                manques.append(f"{nom} : clé « {cle_brute} » inconnue")
                illisible = True
            elif booleen is None:
                manques.append(f"{nom}.{cle_brute} « {brut} » n'est ni oui ni non")
                illisible = True
            elif booleen:
                drapeaux[champ] = True
        return ({}, False) if illisible else (drapeaux, True)
    valeurs = set()
    for element in _liste(valeur, cle):
        mot = texte(element)
        trouve = vocabulaire.get(mot.casefold()) if mot else None
        if trouve is None:
            manques.append(f"{nom} « {element} » inconnu")
            return {}, False
        valeurs.add(trouve)
    if aucune in valeurs and len(valeurs) > 1:
        manques.append(f"{nom} contradictoires : « {aucune} » avec d'autres valeurs")
        return {}, False
    return {champs[valeur]: True for valeur in valeurs if valeur != aucune}, True


def _titulaires(valeur, cle, nom, manques):
    """(holders kept, every identifier given): a holder whose identifier does not fit its
    type is left out, with its reason; the others stay."""
    titulaires, identifiants = {}, []
    for rang, element in enumerate(_liste(valeur, cle)):
        if isinstance(element, dict) and isinstance(element.get(cle), dict):
            element = element[cle]
        quel = f"{nom}[{rang}]"
        if not isinstance(element, dict):
            manques.append(f"{quel} n'est pas un objet : titulaire écarté")
            continue
        identifiant = texte(element.get("id"))
        if not identifiant:
            manques.append(f"{quel}.id absent : titulaire écarté")
            continue
        identifiants.append(BLANCS.sub("", identifiant))
        type_brut = texte(element.get("typeIdentifiant"))
        if not type_brut:
            if not SIRET.fullmatch(BLANCS.sub("", identifiant)):
                manques.append(f"{quel}.typeIdentifiant absent : titulaire écarté")
                continue
            type_identifiant = TypeIdentifiant.SIRET
        else:
            type_identifiant = v.TYPES_IDENTIFIANT.get(type_brut.casefold())
            if type_identifiant is None:
                manques.append(f"{quel}.typeIdentifiant « {type_brut} » inconnu : titulaire écarté")
                continue
        if type_identifiant == TypeIdentifiant.SIRET:
            identifiant = BLANCS.sub("", identifiant)
            if not SIRET.fullmatch(identifiant):
                manques.append(
                    f"{quel}.id « {identifiant} » n'est pas un SIRET (14 chiffres) : "
                    "titulaire écarté"
                )
                continue
        elif len(identifiant) > IDENTIFIANT_MAX:
            manques.append(
                f"{quel}.id trop long ({IDENTIFIANT_MAX} caractères au plus) : titulaire écarté"
            )
            continue
        denomination = texte(element.get("denominationSociale") or element.get("denomination"))
        titulaires[(type_identifiant, identifiant)] = (denomination or "")[:DENOMINATION_MAX]
    gardes = [(type_id, ident, nom) for (type_id, ident), nom in titulaires.items()]
    return gardes, identifiants


def cle_lot(identifiants, montant):
    """What tells apart the lots of one procedure, which share the DECP `id`: the holders
    and the amount as notified (before any modification). Neither the `objet`, which
    platforms re-encode (`l'air` / `l?air`), nor anything a modification changes."""
    signature = ",".join(sorted(identifiants)) + "|" + ("" if montant is None else str(montant))
    return hashlib.sha1(signature.encode(), usedforsecurity=False).hexdigest()[:16]


def _modifications(valeur, valeurs, titulaires, concession, manques):
    """Applies the modifications in date order (notification, else signature, else
    publication date, else their place in the list): the latest amount, duration and
    holders win. Returns the holders."""
    datees = []
    for rang, element in enumerate(_liste(valeur, "modification")):
        if isinstance(element, dict) and isinstance(element.get("modification"), dict):
            element = element["modification"]
        if not isinstance(element, dict):
            manques.append(f"modifications[{rang}] n'est pas un objet")
            continue
        quand = None
        for cle in DATES_MODIFICATION:
            if element.get(cle) not in (None, ""):
                quand = _date(element[cle], f"modifications[{rang}].{cle}", manques)
                break
        datees.append((quand or date.min, rang, element))
    champ_montant = "valeurGlobale" if concession else "montant"
    cle_titulaire = "concessionnaire" if concession else "titulaire"
    for _, rang, element in sorted(datees, key=lambda datee: datee[:2]):
        if element.get(champ_montant) not in (None, ""):
            montant = _montant(element[champ_montant], f"modifications[{rang}].montant", manques)
            if montant is not None:
                valeurs["montant"] = montant
        if element.get("dureeMois") not in (None, ""):
            duree = _duree(element["dureeMois"], f"modifications[{rang}].dureeMois", manques)
            if duree is not None:
                valeurs["duree_mois"] = duree
        nouveaux = element.get("concessionnaires" if concession else "titulaires")
        if nouveaux not in (None, "", []):
            gardes, _ = _titulaires(
                nouveaux, cle_titulaire, f"modifications[{rang}].titulaires", manques
            )
            if gardes:
                titulaires = gardes
    return titulaires


def lire(brut, *, siret, acheteur, concession):
    """(Lu, []) for a record that can be stored, or (None, the reasons it cannot)."""
    raisons, manques = [], []
    id_decp = texte(brut.get("id"))
    if not id_decp:
        raisons.append("id absent")
    elif len(id_decp) > ID_MAX:
        raisons.append(f"id trop long ({ID_MAX} caractères au plus)")
    objet = texte(brut.get("objet"))
    if not objet:
        raisons.append("objet absent")

    if concession:
        nature = Nature.CONCESSION
        procedure = ""
        code_cpv = _cpv(brut["codeCPV"], manques) if brut.get("codeCPV") else ""
        montant = _montant(brut.get("valeurGlobale"), "valeurGlobale", manques)
        dates = ("dateSignature", "dateDebutExecution")
    else:
        nature = _choix(brut.get("nature"), v.NATURES, "nature", manques) or Nature.MARCHE
        procedure = _choix(brut.get("procedure"), v.PROCEDURES, "procedure", manques) or ""
        code_cpv = _cpv(brut.get("codeCPV"), manques)
        montant = _montant(brut.get("montant"), "montant", manques)
        dates = ("dateNotification",)

    date_publication = _date(brut.get("datePublicationDonnees"), "datePublicationDonnees", manques)
    date_notification, illisibles = None, []
    for cle in dates:
        date_notification = _date(brut.get(cle), cle, illisibles)
        if date_notification is not None:
            break
    if date_notification is None:
        pourquoi = illisibles[0] if illisibles else f"{dates[0]} absente"
        if date_publication is None:
            manques.append(f"{pourquoi}, et datePublicationDonnees absente : date inconnue")
        else:
            manques.append(f"{pourquoi} : date de publication retenue")
            date_notification = date_publication

    lieu = brut.get("lieuExecution") or {}
    if not isinstance(lieu, dict):
        manques.append("lieuExecution n'est pas un objet")
        lieu = {}
    lieu_code = texte(lieu.get("code")) or ""
    if len(lieu_code) > LIEU_CODE_MAX:
        manques.append(f"lieuExecution.code trop long ({LIEU_CODE_MAX} caractères au plus)")
        lieu_code = ""
    lieu_type_code = ""
    if lieu_code:
        lieu_type_code = (
            _choix(lieu.get("typeCode"), v.TYPES_CODE_LIEU, "lieuExecution.typeCode", manques) or ""
        )
    forme_prix = ""
    if brut.get("formePrix") not in (None, ""):
        forme_prix = _choix(brut["formePrix"], v.FORMES_PRIX, "formePrix", manques) or ""

    valeurs = {
        "commune_id": acheteur[0],
        "epci_id": acheteur[1],
        "objet": objet,
        "code_cpv": code_cpv,
        "procedure": procedure,
        "nature": nature,
        "montant": montant,
        "montant_initial": montant,
        "date_notification": date_notification,
        "date_publication": date_publication,
        "duree_mois": None,
        "duree_mois_initiale": None,
        "forme_prix": forme_prix,
        "lieu_code": lieu_code,
        "lieu_type_code": lieu_type_code,
        "clause_sociale": False,
        "critere_social": False,
        "marche_reserve": False,
        "clause_environnementale": False,
        "critere_environnemental": False,
    }
    valeurs["duree_mois"] = valeurs["duree_mois_initiale"] = _duree(
        brut.get("dureeMois"), "dureeMois", manques
    )
    drapeaux, valeurs["sociales_connues"] = _considerations(
        brut.get("considerationsSociales"),
        "considerationSociale",
        v.SOCIALES,
        v.VOCABULAIRE_SOCIAL,
        ConsiderationSociale.AUCUNE,
        "considerationsSociales",
        manques,
    )
    valeurs.update(drapeaux)
    drapeaux, valeurs["environnementales_connues"] = _considerations(
        brut.get("considerationsEnvironnementales"),
        "considerationEnvironnementale",
        v.ENVIRONNEMENTALES,
        v.VOCABULAIRE_ENVIRONNEMENTAL,
        ConsiderationEnvironnementale.AUCUNE,
        "considerationsEnvironnementales",
        manques,
    )
    valeurs.update(drapeaux)
    cle = "concessionnaire" if concession else "titulaire"
    titulaires, identifiants = _titulaires(
        brut.get("concessionnaires" if concession else "titulaires"), cle, f"{cle}s", manques
    )
    titulaires = _modifications(brut.get("modifications"), valeurs, titulaires, concession, manques)
    if raisons:
        return None, raisons
    valeurs["incomplet"] = bool(manques)
    valeurs["manques"] = _resume(manques)
    return Lu(siret, id_decp, cle_lot(identifiants, montant), valeurs, titulaires), manques


def _resume(manques):
    resume = " ; ".join(manques)
    return resume if len(resume) <= MANQUES_MAX else resume[: MANQUES_MAX - 1] + "…"
