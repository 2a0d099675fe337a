"""The change history of one engagement, its evidence and its milestones, for reading.

`historique()` loads the three django-simple-history tables in three queries;
everything else is pure: historical records in, `Entree`s out. Every record
becomes an `Evenement` (who, when, what, and each field's old → new value);
consecutive events by the same person within an hour of the first one make
one `Entree`, and inside an entry successive edits of the same object add up.

The public action page reuses this with `public=True`: the internal note and
members-only evidence are left out.
"""

import datetime
from dataclasses import dataclass, field, replace

from django.utils.formats import date_format
from django.utils.text import Truncator

from .models import Engagement, Jalon, Preuve

PLATEFORME = "Plateforme"
VIDE = "—"
FUSION = datetime.timedelta(hours=1)
LONGUEUR_MAX = 140

CREATION, MODIFICATION, SUPPRESSION = "+", "~", "-"

CHAMPS_ENGAGEMENT = Engagement.CHAMPS_SAISIS
CHAMPS_PRIVES = {"note_interne"}
CHAMPS_PREUVE = ("titre", "nature", "url", "fichier", "date", "publique")
CHAMPS_JALON = ("date", "titre", "description", "atteint")

RESUMES = {
    "engagement": {
        CREATION: "Suivi de l'action ouvert",
        MODIFICATION: "Action modifiée",
        SUPPRESSION: "Suivi de l'action supprimé",
    },
    "preuve": {
        CREATION: "Preuve ajoutée",
        MODIFICATION: "Preuve modifiée",
        SUPPRESSION: "Preuve supprimée",
    },
    "jalon": {
        CREATION: "Jalon ajouté",
        MODIFICATION: "Jalon modifié",
        SUPPRESSION: "Jalon supprimé",
    },
}


@dataclass(frozen=True)
class Changement:
    libelle: str
    avant: str
    apres: str


@dataclass(frozen=True)
class Evenement:
    """One historical record: an object created, changed or deleted by someone."""

    date: datetime.datetime
    auteur_id: int | None
    auteur: str
    objet: tuple  # ("preuve", pk): successive edits of one object add up
    nature: str
    resume: str
    changements: tuple = ()


@dataclass
class Entree:
    """What one person did in one sitting: the unit of the timeline."""

    auteur_id: int | None
    auteur: str
    debut: datetime.datetime
    fin: datetime.datetime
    evenements: list = field(default_factory=list)

    def ajouter(self, evenement):
        self.fin = evenement.date
        if evenement.nature == MODIFICATION:
            for i in range(len(self.evenements) - 1, -1, -1):
                precedent = self.evenements[i]
                if precedent.objet != evenement.objet:
                    continue
                if precedent.nature != SUPPRESSION:
                    self.evenements[i] = replace(
                        precedent,
                        changements=cumuler(precedent.changements, evenement.changements),
                    )
                    return
                break
        self.evenements.append(evenement)


def nom_auteur(record):
    """Who made a change: the person's display name, never the email address."""
    user = record.history_user
    return user.nom_affiche if user is not None else PLATEFORME


def _libelle(modele, nom):
    libelle = str(modele._meta.get_field(nom).verbose_name)
    return libelle[:1].upper() + libelle[1:]


def valeur_affichee(modele, nom, valeur, noms_utilisateurs=None):
    """A field's value as a member reads it: labels for choices, dates in French."""
    if valeur is None or valeur == "":
        return VIDE
    champ = modele._meta.get_field(nom)
    if champ.is_relation:
        return (noms_utilisateurs or {}).get(valeur, "Membre retiré")
    if champ.choices:
        return str(dict(champ.flatchoices).get(valeur, valeur))
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, datetime.date):
        return date_format(valeur, "j F Y")
    if nom == "fichier":
        return "fichier joint"
    if nom == "avancement":
        return f"{valeur}\u00a0%"
    return Truncator(str(valeur)).chars(LONGUEUR_MAX)


def cumuler(premiers, suivants):
    """Two successive lists of changes as one: first old value, last new value."""
    par_libelle = {c.libelle: c for c in premiers}
    for changement in suivants:
        avant = par_libelle[changement.libelle].avant if changement.libelle in par_libelle else None
        par_libelle[changement.libelle] = Changement(
            changement.libelle, avant if avant is not None else changement.avant, changement.apres
        )
    return tuple(c for c in par_libelle.values() if c.avant != c.apres)


def _changements(modele, record, precedent, champs, noms_utilisateurs):
    """Field by field, what changed from the previous record (or from the defaults)."""
    if precedent is None:
        anciens = {nom: modele._meta.get_field(nom).get_default() for nom in champs}
        nouveaux = {nom: getattr(record, modele._meta.get_field(nom).attname) for nom in champs}
        noms = [nom for nom in champs if nouveaux[nom] not in (None, "", anciens[nom])]
    else:
        delta = record.diff_against(precedent, included_fields=champs)
        anciens = {c.field: c.old for c in delta.changes}
        nouveaux = {c.field: c.new for c in delta.changes}
        noms = [nom for nom in champs if nom in nouveaux]
    return tuple(
        Changement(
            _libelle(modele, nom),
            valeur_affichee(modele, nom, anciens[nom], noms_utilisateurs),
            valeur_affichee(modele, nom, nouveaux[nom], noms_utilisateurs),
        )
        for nom in noms
    )


def _par_objet(records):
    """{pk: [records, oldest first]} from records sorted oldest first."""
    resultat = {}
    for record in records:
        resultat.setdefault(record.id, []).append(record)
    return resultat


def evenements_engagement(records, *, public):
    """Events of the engagement, from its historical records sorted oldest first."""
    champs = tuple(c for c in CHAMPS_ENGAGEMENT if not (public and c in CHAMPS_PRIVES))
    noms_utilisateurs = {r.pilote_id: r.pilote.nom_affiche for r in records if r.pilote}
    evenements = []
    precedent = None
    for record in records:
        changements = ()
        if record.history_type != SUPPRESSION:
            changements = _changements(Engagement, record, precedent, champs, noms_utilisateurs)
        precedent = record if record.history_type != SUPPRESSION else None
        if record.history_type == MODIFICATION and not changements:
            continue
        evenements.append(
            Evenement(
                date=record.history_date,
                auteur_id=record.history_user_id,
                auteur=nom_auteur(record),
                objet=("engagement", record.id),
                nature=record.history_type,
                resume=RESUMES["engagement"][record.history_type],
                changements=changements,
            )
        )
    return evenements


def _evenements_sous_objets(modele, cle, champs, records, *, public):
    evenements = []
    for historique in _par_objet(records).values():
        # Evidence that is members-only now is hidden from the public for its whole life.
        if public and not getattr(historique[-1], "publique", True):
            continue
        precedent = None
        for record in historique:
            changements = ()
            if record.history_type == MODIFICATION and precedent is not None:
                changements = _changements(modele, record, precedent, champs, None)
                if not changements:
                    precedent = record
                    continue
            precedent = record
            resume = f"{RESUMES[cle][record.history_type]} : « {record.titre} »"
            if cle == "preuve" and not record.publique:
                resume += " (réservée aux membres)"
            elif cle == "jalon" and record.history_type == CREATION:
                resume += f" pour le {date_format(record.date, 'j F Y')}"
            evenements.append(
                Evenement(
                    date=record.history_date,
                    auteur_id=record.history_user_id,
                    auteur=nom_auteur(record),
                    objet=(cle, record.id),
                    nature=record.history_type,
                    resume=resume,
                    changements=changements,
                )
            )
    return evenements


def evenements_preuves(records, *, public):
    return _evenements_sous_objets(Preuve, "preuve", CHAMPS_PREUVE, records, public=public)


def evenements_jalons(records, *, public):
    return _evenements_sous_objets(Jalon, "jalon", CHAMPS_JALON, records, public=public)


def fusionner(evenements, delai=FUSION):
    """Entries of the timeline, newest first.

    Consecutive events by the same person (or by the platform) within `delai`
    of the entry's first event are one entry. Edits that cancel each other out
    leave nothing behind.
    """
    entrees = []
    for evenement in sorted(evenements, key=lambda e: e.date):
        courante = entrees[-1] if entrees else None
        if (
            courante is not None
            and courante.auteur_id == evenement.auteur_id
            and evenement.date - courante.debut <= delai
        ):
            courante.ajouter(evenement)
        else:
            entrees.append(
                Entree(
                    auteur_id=evenement.auteur_id,
                    auteur=evenement.auteur,
                    debut=evenement.date,
                    fin=evenement.date,
                    evenements=[evenement],
                )
            )
    for entree in entrees:
        entree.evenements = [
            e for e in entree.evenements if e.nature != MODIFICATION or e.changements
        ]
    return [e for e in reversed(entrees) if e.evenements]


def historique(engagement, *, public):
    """The timeline of an engagement, its evidence and milestones: three queries."""
    if engagement is None or engagement.pk is None:
        return []
    ordre = ("history_date", "history_id")
    records_engagement = list(
        Engagement.history.filter(id=engagement.pk)
        .select_related("history_user", "pilote")
        .order_by(*ordre)
    )
    records_preuves = list(
        Preuve.history.filter(engagement_id=engagement.pk)
        .select_related("history_user")
        .order_by(*ordre)
    )
    records_jalons = list(
        Jalon.history.filter(engagement_id=engagement.pk)
        .select_related("history_user")
        .order_by(*ordre)
    )
    return fusionner(
        evenements_engagement(records_engagement, public=public)
        + evenements_preuves(records_preuves, public=public)
        + evenements_jalons(records_jalons, public=public)
    )
