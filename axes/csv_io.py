"""The one CSV format of a commune's engagements on a referential, keyed by action code.

Export and import share it, so an exported file imported back changes nothing:

    code_action;titre_action;statut;avancement;date_cible;pilote;description;
    note_interne;justification;nombre_preuves

Exported in UTF-8 with a BOM and `;` (what French spreadsheets open right); `;` or
`,` accepted on import. `titre_action` and `nombre_preuves` are informative and
ignored on import. Of the other columns only `code_action` and `statut` are
required: an absent column leaves that field as it is, an empty cell empties it.
"""

import csv
import datetime
import hashlib
import io
import json
import re
from dataclasses import dataclass, field

from django.db import transaction

from commune.models import Commune

from .enums import Statut
from .models import Engagement
from .selectors import actions_du_referentiel
from .services import snapshot_enregistrer

COLONNES = (
    "code_action",
    "titre_action",
    "statut",
    "avancement",
    "date_cible",
    "pilote",
    "description",
    "note_interne",
    "justification",
    "nombre_preuves",
)
COLONNES_OBLIGATOIRES = ("code_action", "statut")
COLONNES_INFORMATIVES = ("titre_action", "nombre_preuves")
# The fields an import may change, in the order the preview shows them.
CHAMPS = {
    "statut": "statut",
    "avancement": "avancement",
    "date_cible": "date cible",
    "pilote": "pilote",
    "description": "description",
    "note_interne": "note interne",
    "justification": "justification",
}
TEXTES_LIBRES = ("titre_action", "pilote", "description", "note_interne", "justification")
MAX_LIGNES = 200
MAX_OCTETS = 1024 * 1024
SEPARATEUR_EXPORT = ";"
PILOTE_NOM_MAX = Engagement._meta.get_field("pilote_nom").max_length
# A spreadsheet runs a cell that starts with one of these as a formula: the
# export neutralises it with a leading apostrophe, which the import removes.
DEBUTS_DE_FORMULE = ("=", "+", "-", "@", "\t", "\r")
DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
DATE_FR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
ENTIER = re.compile(r"\d{1,3}")


class ImportPerime(Exception):
    """The engagements changed between the preview and the confirmation."""

    def __init__(self, analyse):
        super().__init__("Les engagements ont changé depuis l'aperçu.")
        self.analyse = analyse


@dataclass
class Changement:
    champ: str
    avant: object
    apres: object

    @property
    def libelle(self):
        return CHAMPS[self.champ]

    @property
    def avant_affiche(self):
        return _affiche(self.champ, self.avant)

    @property
    def apres_affiche(self):
        return _affiche(self.champ, self.apres)


@dataclass
class LigneImport:
    """One data row of the file: what it holds, what it would change, what is wrong."""

    numero: int
    code_action: str
    valeurs: dict = field(default_factory=dict)
    erreurs: list[str] = field(default_factory=list)
    changements: list[Changement] = field(default_factory=list)
    action: object = None
    illisibles: set[str] = field(default_factory=set)


@dataclass
class Analyse:
    """A whole file checked against the database: nothing is written until it is valid."""

    contenu: str = ""
    lignes: list[LigneImport] = field(default_factory=list)
    erreurs_fichier: list[str] = field(default_factory=list)

    @property
    def erreurs(self):
        """Every problem, file-level first, then row by row, each with its line number."""
        return [*self.erreurs_fichier] + [
            f"Ligne {ligne.numero} : {erreur}" for ligne in self.lignes for erreur in ligne.erreurs
        ]

    @property
    def valide(self):
        return bool(self.lignes) and not self.erreurs

    @property
    def modifiees(self):
        return [ligne for ligne in self.lignes if ligne.changements]

    @property
    def nombre_inchangees(self):
        return sum(1 for ligne in self.lignes if not ligne.erreurs and not ligne.changements)

    @property
    def empreinte(self):
        """Identifies the changes shown in a preview, to tell whether they still hold."""
        changements = [
            [ligne.code_action, [[c.champ, c.avant, c.apres] for c in ligne.changements]]
            for ligne in self.modifiees
        ]
        texte = json.dumps(changements, default=str, ensure_ascii=False)
        return hashlib.sha256(texte.encode()).hexdigest()


def engagements_exporter(*, commune, referentiel, fichier):
    """Writes every action of the referential, in code order, to the text file `fichier`.

    Two queries whatever the number of engagements and evidence items.
    """
    engagements = {
        e.action_id: e
        for e in Engagement.objects.de(commune, referentiel)
        .avec_nombre_preuves()
        .select_related("pilote")
        .order_by()
    }
    fichier.write("\ufeff")
    ecrivain = csv.writer(fichier, delimiter=SEPARATEUR_EXPORT)
    ecrivain.writerow(COLONNES)
    for action in actions_du_referentiel(referentiel):
        engagement = engagements.get(action.pk)
        ligne = _valeurs_actuelles(engagement)
        ligne.update(
            code_action=action.code,
            titre_action=action.titre,
            nombre_preuves=engagement.nombre_preuves if engagement else 0,
        )
        ecrivain.writerow(_cellule_export(nom, ligne.get(nom)) for nom in COLONNES)


def engagements_analyser(*, commune, referentiel, contenu) -> Analyse:
    """Reads and checks every row of a file (bytes as uploaded, or text) against the database.

    Writes nothing. The analysis lists, for each row, the change it would make
    and everything wrong with it, each with its line number.
    """
    analyse = Analyse()
    if isinstance(contenu, bytes):
        try:
            contenu = contenu.decode("utf-8-sig")
        except UnicodeDecodeError:
            analyse.erreurs_fichier.append(
                "Le fichier n'est pas encodé en UTF-8 : enregistrez-le au format "
                "« CSV UTF-8 » depuis votre tableur."
            )
            return analyse
    analyse.contenu = contenu = contenu.removeprefix("\ufeff")
    actions = {action.code: action for action in actions_du_referentiel(referentiel)}
    analyse.lignes, analyse.erreurs_fichier = _lire(contenu, actions)
    if not analyse.erreurs_fichier:
        _comparer(analyse.lignes, commune, referentiel)
    return analyse


def engagements_importer(*, commune, referentiel, analyse, by):
    """Writes every change of a valid analysis, or nothing, and returns how many actions changed.

    The file is checked again inside the transaction, against the database as it
    is now: evidence may have been deleted since the preview. When the changes
    are no longer the ones the analysis shows, raises ImportPerime with the new
    analysis and writes nothing.
    """
    if not analyse.valide:
        raise ValueError("Une analyse comportant des erreurs ne s'importe pas.")
    with transaction.atomic():
        # Two imports of the same commune wait for each other instead of both
        # writing from the same stale comparison.
        Commune.objects.select_for_update().filter(pk=commune.pk).first()
        actuelle = engagements_analyser(
            commune=commune, referentiel=referentiel, contenu=analyse.contenu
        )
        if not actuelle.valide or actuelle.empreinte != analyse.empreinte:
            raise ImportPerime(actuelle)
        modifiees = actuelle.modifiees
        if not modifiees:
            return 0
        existants = {
            e.action_id: e
            for e in Engagement.objects.filter(
                commune=commune, action__in=[ligne.action for ligne in modifiees]
            )
        }
        for ligne in modifiees:
            engagement = existants.get(ligne.action.pk) or Engagement(
                commune=commune, action=ligne.action
            )
            for changement in ligne.changements:
                if changement.champ == "pilote":
                    engagement.pilote = None
                    engagement.pilote_nom = changement.apres
                else:
                    setattr(engagement, changement.champ, changement.apres)
            engagement._history_user = by
            engagement._change_reason = "Import CSV"
            engagement.save()
        snapshot_enregistrer(commune=commune, referentiel=referentiel)
    return len(modifiees)


def _lire(contenu, actions):
    """Parses the text: (rows with their values and own errors, file-level errors)."""
    if not contenu.strip():
        return [], ["Le fichier est vide."]
    premiere_ligne = contenu.split("\n", 1)[0]
    separateur = ";" if premiere_ligne.count(";") >= premiere_ligne.count(",") else ","
    try:
        enregistrements = list(csv.reader(io.StringIO(contenu), delimiter=separateur))
    except csv.Error as erreur:
        return [], [f"Le fichier n'est pas un CSV lisible : {erreur}."]

    entete = [nom.strip().lower() for nom in enregistrements[0]]
    erreurs = _verifier_entete(entete)
    if erreurs:
        return [], erreurs
    # Row numbers are the spreadsheet's: the header is row 1, blank rows count.
    donnees = [
        (numero, cellules)
        for numero, cellules in enumerate(enregistrements[1:], start=2)
        if any(cellule.strip() for cellule in cellules)
    ]
    if not donnees:
        return [], ["Le fichier ne contient aucune ligne d'engagement sous l'en-tête."]
    if len(donnees) > MAX_LIGNES:
        return [], [
            f"Le fichier compte {len(donnees)} lignes d'engagement : {MAX_LIGNES} au plus "
            "(une par action du guide)."
        ]

    lignes = []
    vues = {}
    for numero, cellules in donnees:
        if len(cellules) != len(entete):
            lignes.append(
                LigneImport(
                    numero=numero,
                    code_action="",
                    erreurs=[f"{len(cellules)} colonnes au lieu des {len(entete)} de l'en-tête."],
                )
            )
            continue
        brute = {nom: cellule for nom, cellule in zip(entete, cellules, strict=True) if nom}
        ligne = _lire_ligne(numero, brute, actions)
        if ligne.action is not None:
            if ligne.code_action in vues:
                ligne.erreurs.append(
                    f"code d'action {ligne.code_action} en double "
                    f"(déjà présent ligne {vues[ligne.code_action]})."
                )
            else:
                vues[ligne.code_action] = numero
        lignes.append(ligne)
    return lignes, []


def _verifier_entete(entete):
    erreurs = []
    connues = set(COLONNES)
    for nom in entete:
        if nom and nom not in connues:
            erreurs.append(
                f"Colonne inconnue « {nom} » : les colonnes possibles sont {', '.join(COLONNES)}."
            )
    for nom in sorted({nom for nom in entete if nom and entete.count(nom) > 1}):
        erreurs.append(f"Colonne « {nom} » présente plusieurs fois.")
    for nom in COLONNES_OBLIGATOIRES:
        if nom not in entete:
            erreurs.append(f"Colonne obligatoire absente : {nom}.")
    return erreurs


def _lire_ligne(numero, brute, actions):
    """Reads one row's cells into model values; errors that need no database go to the row."""
    code = brute["code_action"].strip().replace(",", ".")
    ligne = LigneImport(numero=numero, code_action=code)
    if not code:
        ligne.erreurs.append("code d'action manquant.")
    elif code not in actions:
        ligne.erreurs.append(
            f"code d'action « {code} » inconnu : les actions du guide sont {', '.join(actions)}."
        )
    else:
        ligne.action = actions[code]

    possibles = ", ".join(f"« {valeur} »" for valeur in Statut.values)
    statut = brute["statut"].strip()
    par_valeur = {valeur.casefold(): valeur for valeur in Statut.values}
    if not statut:
        ligne.erreurs.append(f"statut manquant : valeurs possibles {possibles}.")
    elif statut.casefold() not in par_valeur:
        ligne.erreurs.append(f"statut « {statut} » inconnu : valeurs possibles {possibles}.")
    else:
        ligne.valeurs["statut"] = par_valeur[statut.casefold()]

    if "avancement" in brute:
        avancement = brute["avancement"].strip().removesuffix("%").strip()
        if not avancement:
            ligne.valeurs["avancement"] = None
        elif ENTIER.fullmatch(avancement) and int(avancement) <= 100:
            ligne.valeurs["avancement"] = int(avancement)
        else:
            ligne.illisibles.add("avancement")
            ligne.erreurs.append(
                f"avancement « {brute['avancement'].strip()} » invalide : "
                "un nombre entier de 0 à 100 est attendu."
            )
    if "date_cible" in brute:
        date = brute["date_cible"].strip()
        if not date:
            ligne.valeurs["date_cible"] = None
        else:
            try:
                ligne.valeurs["date_cible"] = _date(date)
            except ValueError:
                ligne.illisibles.add("date_cible")
                ligne.erreurs.append(
                    f"date cible « {date} » invalide : attendue au format AAAA-MM-JJ ou JJ/MM/AAAA."
                )
    for nom in ("pilote", "description", "note_interne", "justification"):
        if nom in brute:
            ligne.valeurs[nom] = _texte(brute[nom])
    if len(ligne.valeurs.get("pilote", "")) > PILOTE_NOM_MAX:
        ligne.erreurs.append(f"nom du pilote trop long : {PILOTE_NOM_MAX} caractères au plus.")
    return ligne


def _comparer(lignes, commune, referentiel):
    """Checks each row's resulting engagement and lists the changes it would make."""
    engagements = {
        e.action_id: e
        for e in Engagement.objects.de(commune, referentiel)
        .avec_nombre_preuves()
        .select_related("pilote")
        .order_by()
    }
    for ligne in lignes:
        if ligne.action is None or "statut" not in ligne.valeurs:
            continue
        engagement = engagements.get(ligne.action.pk)
        actuel = _valeurs_actuelles(engagement)
        futur = {**actuel, **ligne.valeurs}
        statut = futur["statut"]
        # An unreadable cell already has its error: "missing" would only repeat it.
        if (
            statut == Statut.EN_COURS
            and futur["avancement"] is None
            and "avancement" not in ligne.illisibles
        ):
            ligne.erreurs.append(
                "avancement manquant : une action « en cours » demande un avancement de 0 à 100."
            )
        if (
            statut == Statut.ENGAGE
            and futur["date_cible"] is None
            and "date_cible" not in ligne.illisibles
        ):
            ligne.erreurs.append(
                "date cible manquante : une action « engagé » demande une date cible (AAAA-MM-JJ)."
            )
        if statut == Statut.NON_CONCERNE and not futur["justification"]:
            ligne.erreurs.append(
                "justification manquante : une action « non concerné » demande d'expliquer "
                "pourquoi la commune n'est pas concernée."
            )
        if statut == Statut.REALISE and not (engagement and engagement.nombre_preuves):
            ligne.erreurs.append(
                f"l'action {ligne.code_action} n'a encore aucune preuve et ne peut pas être "
                "« réalisé » : ajoutez d'abord une preuve depuis la page de l'action."
            )
        if not ligne.erreurs:
            ligne.changements = [
                Changement(champ=nom, avant=actuel[nom], apres=valeur)
                for nom, valeur in ligne.valeurs.items()
                if _normalise(valeur) != _normalise(actuel[nom])
            ]
            ligne.changements.sort(key=lambda c: list(CHAMPS).index(c.champ))


def _valeurs_actuelles(engagement):
    if engagement is None:
        return {
            "statut": Statut.NON_RENSEIGNE,
            "avancement": None,
            "date_cible": None,
            "pilote": "",
            "description": "",
            "note_interne": "",
            "justification": "",
        }
    return {
        "statut": engagement.statut,
        "avancement": engagement.avancement,
        "date_cible": engagement.date_cible,
        # What the export wrote: a member pilot's display name, else the free text.
        "pilote": engagement.nom_pilote,
        "description": engagement.description,
        "note_interne": engagement.note_interne,
        "justification": engagement.justification,
    }


def _date(texte):
    if correspondance := DATE_ISO.fullmatch(texte):
        annee, mois, jour = correspondance.groups()
    elif correspondance := DATE_FR.fullmatch(texte):
        jour, mois, annee = correspondance.groups()
    else:
        raise ValueError(texte)
    return datetime.date(int(annee), int(mois), int(jour))


def _texte(cellule):
    """A free-text cell as stored: trimmed, one kind of line break, formula guard removed."""
    texte = _normalise(cellule)
    if texte.startswith("'") and texte[1:].startswith(DEBUTS_DE_FORMULE):
        texte = texte[1:]
    return texte


def _normalise(valeur):
    """Spreadsheets trim cells and rewrite line breaks: neither is a change."""
    if isinstance(valeur, str):
        return valeur.replace("\r\n", "\n").replace("\r", "\n").strip()
    return valeur


def _cellule_export(nom, valeur):
    if valeur is None:
        return ""
    if isinstance(valeur, datetime.date):
        return valeur.isoformat()
    if nom in TEXTES_LIBRES and valeur.startswith(DEBUTS_DE_FORMULE):
        return "'" + valeur
    return valeur


def _affiche(champ, valeur):
    if valeur is None or valeur == "":
        return ""
    if isinstance(valeur, datetime.date):
        return valeur.strftime("%d/%m/%Y")
    if champ == "avancement":
        return f"{valeur}\u00a0%"
    return str(valeur)
