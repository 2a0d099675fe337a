"""Everything public about communes, as data: what the pages show, the PDF report
can reuse and the downloads export.

* `constats()` — the data beside actions 1.1, 2.1, 3.1 and 3.2, and whether it
  backs the declared status (it never changes the score).
* `donnees_commune()` / `action_publique()` — what the scorecard and the action
  page read from other tables, cached per commune version (`commune.cache`).
  Only public fields are kept: never an internal note, a members-only piece of
  evidence or an email address.
* `lignes_communes()` — the national open-data file, streamed commune by commune
  in constant memory.
* `lignes_structures()` / `lignes_marches()` — the directory of published structures
  and the published contracts with a social consideration, streamed the same way
  (a constant number of queries per lot); their columns in `COLONNES_STRUCTURES`
  and `COLONNES_MARCHES`.
"""

import datetime
import itertools
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.formats import date_format

from axes.enums import Statut
from axes.history import historique
from axes.models import (
    Action,
    Avis,
    Engagement,
    Jalon,
    Preuve,
    Referentiel,
    ScoreSnapshot,
    Signature,
)
from axes.scoring import arrondi, calculer_score, statut_effectif
from axes.selectors import actions_du_referentiel, engagements_par_commune, entrees
from marches import export as export_marches
from marches.indicateurs import indicateurs_commune
from marches.models import Marche, Titulaire
from structures.enums import TypeSoutien
from structures.models import Reseau, Secteur, Soutien, Structure, TypePrestation

from . import cache
from .enums import TypeRattachement
from .models import Commune

LICENCE = "Licence Ouverte / Open Licence version 2.0 (Etalab)"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
SOURCE = "Commune engagée — engagements déclarés par les communes, preuves et données publiques"

# The data that backs a declared status (DESIGN: "Some actions are backed by data").
ACTION_MARCHES = "1.1"
ACTION_REFERENT = "2.1"
ACTIONS_SOUTIENS = {"3.1": TypeSoutien.SUBVENTION, "3.2": TypeSoutien.LOCAUX}
ACTIONS_AVEC_DONNEES = (ACTION_MARCHES, ACTION_REFERENT, *ACTIONS_SOUTIENS)

# What the data says of a declared status, in words (a status is never shown by colour alone).
CONFIRME = "confirme"
EN_PARTIE = "en_partie"
NE_CONFIRME_PAS = "ne_confirme_pas"
AU_DELA = "au_dela"
SANS_DONNEES = "sans_donnees"
VERDICTS = {
    CONFIRME: ("✓", "Les données disponibles confirment ce statut."),
    EN_PARTIE: ("◐", "Les données disponibles ne confirment ce statut qu'en partie."),
    NE_CONFIRME_PAS: ("✗", "Les données disponibles ne confirment pas ce statut."),
    AU_DELA: ("↗", "Les données disponibles vont plus loin que le statut déclaré."),
    SANS_DONNEES: ("?", "Aucune donnée disponible ne permet de vérifier ce statut."),
}


@dataclass(frozen=True)
class Constat:
    """The data beside one action and what it says of the status the commune declared."""

    code: str
    source: str
    resume: str
    verdict: str | None = None
    # Further sentences about the data, and the recorded supports behind it (3.1, 3.2).
    details: tuple = field(default_factory=tuple)
    soutiens: tuple = field(default_factory=tuple)

    @property
    def symbole(self):
        return VERDICTS[self.verdict][0] if self.verdict else ""

    @property
    def message(self):
        return VERDICTS[self.verdict][1] if self.verdict else ""


def _verdict(statut, donnees):
    """`donnees` is "positives", "partielles", "negatives" or "absentes"."""
    if statut == Statut.REALISE:
        return {
            "positives": CONFIRME,
            "partielles": EN_PARTIE,
            "negatives": NE_CONFIRME_PAS,
            "absentes": SANS_DONNEES,
        }[donnees]
    if statut == Statut.EN_COURS:
        # Work in progress may not show in the data yet: only what backs it is said.
        return CONFIRME if donnees in ("positives", "partielles") else None
    if statut in (Statut.ENGAGE, Statut.NON_RENSEIGNE) and donnees == "positives":
        return AU_DELA
    return None


def _euros(montant):
    if montant is None:
        return None
    entier = f"{int(round(montant)):,}".replace(",", "\u202f")
    return f"{entier}\u00a0€"


def _pourcent(valeur):
    return f"{arrondi(valeur):.1f}".replace(".", ",") + "\u00a0%"


def constat_marches(statut, indicateurs):
    nombre = indicateurs["nombre"]
    source = "Données essentielles de la commande publique (DECP)"
    if not nombre:
        resume = (
            "Aucun marché de la commune n'est publié dans les données essentielles "
            "de la commande publique."
        )
        return Constat(ACTION_MARCHES, source, resume, _verdict(statut, "absentes"))
    inconnues = indicateurs.get("inconnues", 0)
    if indicateurs["part"] is None:
        # Unknown is not "no": no share, so nothing to confirm or deny.
        resume = (
            f"Les considérations sociales des {nombre} marchés de la commune ne sont pas "
            "renseignées (les données essentielles antérieures à 2024 ne les donnent pas) : "
            "pas de part à comparer avec la cible nationale."
            if nombre > 1
            else "Les considérations sociales du marché de la commune ne sont pas "
            "renseignées (les données essentielles antérieures à 2024 ne les donnent pas) : "
            "pas de part à comparer avec la cible nationale."
        )
        return Constat(ACTION_MARCHES, source, resume, _verdict(statut, "absentes"))
    part, cible = indicateurs["part"], indicateurs["cible"]
    avec = indicateurs["avec_consideration"]
    connues = indicateurs.get("connues", nombre)
    pluriel = avec > 1
    resume = (
        f"{avec} marché{'s' if pluriel else ''} sur {connues} comporte{'nt' if pluriel else ''} "
        f"au moins une considération sociale, soit {_pourcent(part)} ; "
        f"la cible nationale est de {cible}\u00a0%."
    )
    details = []
    if inconnues:
        details.append(
            f"{inconnues} autre{'s' if inconnues > 1 else ''} marché{'s' if inconnues > 1 else ''} "
            f"{'ont leurs' if inconnues > 1 else 'a ses'} considérations sociales non "
            "renseignées : non compté" + ("s" if inconnues > 1 else "") + " dans la part."
        )
    if indicateurs.get("montant") is not None:
        details.append(
            f"Montant total : {_euros(indicateurs['montant'])} HT, dont "
            f"{_euros(indicateurs.get('montant_avec_consideration') or 0)} HT "
            "avec une considération sociale."
        )
    if part >= cible:
        donnees = "positives"
    elif part > 0:
        donnees = "partielles"
    else:
        donnees = "negatives"
    return Constat(ACTION_MARCHES, source, resume, _verdict(statut, donnees), tuple(details))


def constat_referent(statut, referent):
    source = "Élu référent déclaré par la commune"
    if referent is None:
        resume = "Aucun élu référent ESS/IAE n'est désigné sur la plateforme."
        return Constat(ACTION_REFERENT, source, resume, _verdict(statut, "negatives"))
    resume = f"Élu référent ESS/IAE : {referent['nom']}, {referent['mandat']}"
    if referent["depuis"]:
        resume += f", depuis le {date_format(referent['depuis'], 'j F Y')}"
    return Constat(ACTION_REFERENT, source, resume + ".", _verdict(statut, "positives"))


def constat_soutiens(code, statut, soutiens):
    type_soutien = ACTIONS_SOUTIENS[code]
    source = "Soutiens aux structures enregistrés par la commune"
    lignes = [s for s in soutiens if s["type"] == type_soutien]
    libelle = TypeSoutien(type_soutien).label.lower()
    if not lignes:
        resume = f"Aucun soutien de type « {libelle} » n'est enregistré."
        return Constat(code, source, resume, _verdict(statut, "negatives"))
    resume = (
        f"{len(lignes)} soutien{'s' if len(lignes) > 1 else ''} de type « {libelle} » "
        f"enregistré{'s' if len(lignes) > 1 else ''}."
    )
    return Constat(code, source, resume, _verdict(statut, "positives"), soutiens=tuple(lignes))


def constats(statuts, donnees):
    """{action code: Constat} for the actions backed by data.

    `statuts` maps an action code to its effective status; `donnees` is what
    `donnees_commune()` returns.
    """
    resultat = {
        ACTION_MARCHES: constat_marches(
            statuts.get(ACTION_MARCHES, Statut.NON_RENSEIGNE), donnees["marches"]
        ),
        ACTION_REFERENT: constat_referent(
            statuts.get(ACTION_REFERENT, Statut.NON_RENSEIGNE), donnees["referent"]
        ),
    }
    for code in ACTIONS_SOUTIENS:
        resultat[code] = constat_soutiens(
            code, statuts.get(code, Statut.NON_RENSEIGNE), donnees["soutiens"]
        )
    return resultat


# What the scorecard reads from other tables ----------------------------------------------


def _referent(commune):
    try:
        referent = commune.elu_referent
    except Commune.elu_referent.RelatedObjectDoesNotExist:
        return None
    return {"nom": referent.nom, "mandat": referent.mandat, "depuis": referent.depuis}


def points_evolution(snapshots):
    """One point a month (the last snapshot of each month), oldest first.

    `snapshots` are (date, avancement, taux_engagement) sorted by date.
    """
    par_mois = {}
    for date, avancement, taux in snapshots:
        par_mois[(date.year, date.month)] = {
            "date": date,
            "avancement": avancement,
            "taux_engagement": taux,
        }
    return list(par_mois.values())


def _page_marches(commune):
    """The commune's public contracts page, when that part of the site exists."""
    url = commune.get_absolute_url() + "marches/"
    try:
        resolve(url)
    except Resolver404:
        return None
    return url


def _calculer_donnees_commune(commune, guide):
    soutiens = _soutiens(commune, ACTIONS_SOUTIENS.values())
    structures = [
        {
            "nom": str(s),
            "url": s.get_absolute_url(),
            "type": s.type.nom,
            "code_type": s.type.code,
            "implantee": s.commune_id == commune.pk,
        }
        for s in Structure.objects.published()
        .serving(commune)
        .select_related("type")
        .order_by("nom", "pk")
    ]
    snapshots = (
        ScoreSnapshot.objects.filter(commune=commune, referentiel=guide)
        .order_by("date")
        .values_list("date", "avancement", "taux_engagement")
    )
    rapport = commune.rapports.filter(publie=True).order_by("-published_at", "-created_at").first()
    avis = dict(
        Avis.objects.approuves()
        .filter(commune=commune, action__referentiel=guide)
        .values_list("action_id")
        .annotate(nombre=Count("pk"))
        .order_by()
    )
    rattachees = {}
    for rattachee in commune.rattachees.order_by("type", "code"):
        rattachees.setdefault(TypeRattachement(rattachee.type).pluriel, []).append(
            {"code": rattachee.code, "nom": rattachee.nom}
        )
    return {
        "codes_postaux": list(commune.codes_postaux.values_list("code", flat=True)),
        "rattachees": rattachees,
        "marches": indicateurs_commune(commune),
        "page_marches": _page_marches(commune),
        "referent": _referent(commune),
        "soutiens": soutiens,
        "structures": structures,
        "evolution": points_evolution(snapshots.iterator()),
        "rapport": _rapport_public(commune, rapport),
        "avis": avis,
    }


def _rapport_public(commune, rapport):
    if rapport is None:
        return None
    try:
        url = reverse("rapports_publics:telecharger", args=[commune.code_insee, rapport.pk])
    except NoReverseMatch:  # the public download is not routed yet
        url = rapport.fichier.url if rapport.fichier else None
    if url is None:
        return None
    return {
        "url": url,
        "date": rapport.published_at or rapport.finished_at or rapport.created_at,
        "pages": rapport.pages,
        "taille": rapport.taille,
    }


def donnees_commune(commune, guide):
    """What the scorecard shows beside the commitments, from the other tables (postcodes,
    communes déléguées and arrondissements, contracts, supports, structures, snapshots,
    reports, opinions): seven queries and those of the
    contract indicators, once per version of the commune. `commune` comes with its
    `elu_referent` selected."""
    return cache.memoiser(
        f"scorecard:{guide.pk}",
        lambda: _calculer_donnees_commune(commune, guide),
        commune_id=commune.pk,
    )


# One action of one commune -----------------------------------------------------------


def preuve_publique(preuve):
    """A public piece of evidence: a link, or a file served by the evidence view,
    which checks who may read it."""
    return {
        "pk": preuve.pk,
        "titre": preuve.titre,
        "nature": preuve.get_nature_display(),
        "date": preuve.date,
        "url": preuve.url,
        "fichier": not preuve.url,
    }


def url_preuve(commune, code_action, preuve):
    if preuve["url"]:
        return preuve["url"]
    return reverse(
        "espace:engagements:preuve_fichier", args=[commune.code_insee, code_action, preuve["pk"]]
    )


def _calculer_action(commune, code):
    guide = Referentiel.objects.guide()
    if guide is None:
        return None
    action = Action.objects.filter(referentiel=guide, code=code).select_related("axe").first()
    if action is None:
        return None
    engagement = (
        Engagement.objects.filter(commune=commune, action=action)
        .defer("note_interne")
        .select_related("pilote")
        .annotate(a_preuve=Exists(Preuve.objects.filter(engagement=OuterRef("pk"))))
        .prefetch_related(
            Prefetch("preuves", queryset=Preuve.objects.filter(publique=True)),
            Prefetch("jalons", queryset=Jalon.objects.order_by("date", "pk")),
        )
        .first()
    )
    public = None
    if engagement is not None:
        public = {
            "statut": engagement.statut,
            "statut_effectif": statut_effectif(engagement.statut, engagement.a_preuve),
            "avancement": engagement.avancement,
            "date_cible": engagement.date_cible,
            "pilote": engagement.nom_pilote,
            "description": engagement.description,
            "justification": engagement.justification,
            "a_preuve": engagement.a_preuve,
            "updated_at": engagement.updated_at,
            "preuves": [preuve_publique(p) for p in engagement.preuves.all()],
            "jalons": [
                {
                    "date": j.date,
                    "titre": j.titre,
                    "description": j.description,
                    "atteint": j.atteint,
                }
                for j in engagement.jalons.all()
            ],
        }
    statut = public["statut_effectif"] if public else Statut.NON_RENSEIGNE
    constat = None
    if code in ACTIONS_AVEC_DONNEES:
        donnees = {"marches": None, "referent": None, "soutiens": []}
        if code == ACTION_MARCHES:
            donnees["marches"] = indicateurs_commune(commune)
            constat = constat_marches(statut, donnees["marches"])
        elif code == ACTION_REFERENT:
            constat = constat_referent(statut, _referent(commune))
        else:
            soutiens = _soutiens(commune, [ACTIONS_SOUTIENS[code]])
            constat = constat_soutiens(code, statut, soutiens)
    return {
        "guide": {"pk": guide.pk, "titre": guide.titre},
        "action": {
            "pk": action.pk,
            "code": action.code,
            "titre": action.titre,
            "resume": action.resume,
            "poids": action.poids,
            "axe_numero": action.axe.numero,
            "axe_titre": action.axe.titre,
        },
        "engagement": public,
        "constat": constat,
        "page_marches": _page_marches(commune) if code == ACTION_MARCHES else None,
        "historique": historique(engagement, public=True),
        "avis": [
            {"auteur": a.auteur, "message": a.message, "date": a.created_at}
            for a in Avis.objects.approuves()
            .filter(commune=commune, action=action)
            .order_by("created_at", "pk")
        ],
        "propositions": [
            {"code": p.code, "titre": p.titre, "referentiel": p.referentiel.titre}
            for p in action.propositions.select_related("referentiel").order_by(
                "referentiel__titre", "ordre", "code"
            )
        ],
    }


def _soutiens(commune, types):
    """The commune's recorded supports of these types, newest first."""
    return [
        {
            "type": s.type,
            "structure": str(s.structure),
            "url_structure": (
                s.structure.get_absolute_url()
                if s.structure.verifiee and s.structure.publiee
                else None
            ),
            "montant": s.montant,
            "montant_affiche": _euros(s.montant),
            "annee": s.annee,
            "description": s.description,
        }
        for s in Soutien.objects.filter(commune=commune, type__in=types)
        .select_related("structure")
        .order_by("-annee", "structure__nom", "pk")
    ]


def action_publique(commune, code):
    """Everything public about one action of the commune, or None when the guide has no
    such action. Cached per version of the commune. `commune` comes with its
    `elu_referent` selected."""
    return cache.memoiser(
        f"action:{code}", lambda: _calculer_action(commune, code), commune_id=commune.pk
    )


# The national file -------------------------------------------------------------------

TAILLE_LOT = 500


def colonnes(actions, axes):
    """(name, type, description) of every column of the national file."""
    resultat = [
        ("code_insee", "texte", "Code officiel géographique de la commune (INSEE)."),
        ("commune", "texte", "Nom de la commune."),
        (
            "siren",
            "texte",
            "SIREN de la commune (les marchés dont elle est l'acheteur), vide si inconnu.",
        ),
        ("code_departement", "texte", "Code INSEE du département."),
        ("departement", "texte", "Nom du département."),
        ("code_region", "texte", "Code INSEE de la région."),
        ("region", "texte", "Nom de la région."),
        ("population", "entier", "Population municipale (vide si inconnue)."),
        ("siren_epci", "texte", "SIREN de l'intercommunalité (vide si aucune)."),
        ("signataire", "booléen", "La commune a signé le guide (oui / non)."),
        ("date_signature", "date", "Date de signature du guide (AAAA-MM-JJ), vide sinon."),
        (
            "avancement",
            "nombre",
            "Avancement global, en %, arrondi au dixième (voir la méthodologie).",
        ),
        ("taux_engagement", "nombre", "Taux d'engagement global, en %, arrondi au dixième."),
    ]
    for numero in axes:
        resultat.append(
            (
                f"avancement_axe_{numero}",
                "nombre",
                f"Avancement de l'axe {numero}, en % (vide si aucune action de l'axe "
                "ne concerne la commune).",
            )
        )
        resultat.append(
            (f"taux_engagement_axe_{numero}", "nombre", f"Taux d'engagement de l'axe {numero}.")
        )
    for action in actions:
        resultat.append(
            (
                f"statut_{action.code}",
                "texte",
                f"Statut de l'action {action.code} ({action.titre}) tel qu'il compte dans "
                "le score : une action déclarée réalisée sans preuve compte comme engagée.",
            )
        )
        resultat.append(
            (
                f"avancement_{action.code}",
                "entier",
                f"Avancement déclaré de l'action {action.code}, en %, pour une action en cours.",
            )
        )
    resultat.append(
        (
            "derniere_mise_a_jour",
            "date",
            "Date de la dernière modification d'une action par la commune (AAAA-MM-JJ).",
        )
    )
    return resultat


def _nombre(valeur):
    return None if valeur is None else float(arrondi(valeur))


def _par_lots(iterable, taille):
    iterateur = iter(iterable)
    while lot := list(itertools.islice(iterateur, taille)):
        yield lot


def communes_du_fichier(guide):
    """Every commune with what the national file needs, by INSEE code."""
    signature = Signature.objects.filter(commune=OuterRef("pk"), referentiel=guide)
    return (
        Commune.objects.actuelles()
        .select_related("departement__region", "epci")
        .annotate(date_signature=Subquery(signature.values("date_signature")[:1]))
        .order_by("code_insee")
    )


def lignes_communes(guide):
    """One dict a commune, with the keys of `colonnes()`, streamed: communes are read
    with .iterator() and their engagements a lot at a time, so memory stays constant."""
    actions = actions_du_referentiel(guide)
    numeros = sorted({a.axe.numero for a in actions})
    communes = communes_du_fichier(guide).iterator(chunk_size=TAILLE_LOT)
    for lot in _par_lots(communes, TAILLE_LOT):
        engagements = engagements_par_commune([c.pk for c in lot], guide)
        for commune in lot:
            yield ligne_commune(commune, actions, numeros, engagements[commune.pk])


def ligne_commune(commune, actions, numeros, engagements):
    score = calculer_score(entrees(actions, engagements))
    departement = commune.departement
    ligne = {
        "code_insee": commune.code_insee,
        "commune": commune.nom,
        "siren": commune.siren or None,
        "code_departement": departement.code,
        "departement": departement.nom,
        "code_region": departement.region.code,
        "region": departement.region.nom,
        "population": commune.population,
        "siren_epci": commune.epci.siren if commune.epci else None,
        "signataire": commune.date_signature is not None,
        "date_signature": commune.date_signature,
        "avancement": _nombre(score.avancement),
        "taux_engagement": _nombre(score.taux_engagement),
    }
    for numero in numeros:
        axe = score.axe(numero)
        ligne[f"avancement_axe_{numero}"] = None if axe.exclu else _nombre(axe.avancement)
        ligne[f"taux_engagement_axe_{numero}"] = None if axe.exclu else _nombre(axe.taux_engagement)
    for action in actions:
        engagement = engagements.get(action.pk)
        if engagement is None:
            ligne[f"statut_{action.code}"] = str(Statut.NON_RENSEIGNE)
            ligne[f"avancement_{action.code}"] = None
        else:
            effectif = statut_effectif(engagement.statut, engagement.a_preuve)
            ligne[f"statut_{action.code}"] = str(effectif)
            ligne[f"avancement_{action.code}"] = (
                engagement.avancement if effectif == Statut.EN_COURS else None
            )
    derniere = max((e.updated_at for e in engagements.values()), default=None)
    ligne["derniere_mise_a_jour"] = timezone.localdate(derniere) if derniere else None
    return ligne


def valeur_csv(valeur):
    """A cell as a spreadsheet should read it, never as a formula. A list is joined
    with `|`."""
    if valeur is None:
        return ""
    if isinstance(valeur, list | tuple):
        return SEPARATEUR_LISTE.join(valeur_csv(v) for v in valeur)
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, datetime.datetime):
        return valeur.date().isoformat()
    if isinstance(valeur, datetime.date):
        return valeur.isoformat()
    texte = str(valeur)
    if texte.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + texte
    return texte


def valeur_json(valeur):
    if isinstance(valeur, datetime.datetime | datetime.date):
        return valeur.isoformat()
    return valeur


# The directory of structures and the contracts with a social consideration -----------

SEPARATEUR_LISTE = "|"

# (name, type, description, example) of every column of the structures file, in order.
# The names are those of the API (/api/structures/), flattened.
COLONNES_STRUCTURES = (
    ("siret", "texte", "SIRET de la structure (14 chiffres).", "93500001800017"),
    ("nom", "texte", "Raison sociale.", "Jardins solidaires de la Vilaine"),
    ("enseigne", "texte", "Enseigne, vide si aucune.", "Les Jardins"),
    ("type_code", "texte", "Code du type de structure.", "ACI"),
    ("type_nom", "texte", "Nom du type de structure.", "Atelier et chantier d'insertion"),
    ("commune_code_insee", "texte", "Code INSEE de la commune d'implantation.", "35238"),
    ("commune_nom", "texte", "Nom de la commune d'implantation.", "Rennes"),
    ("code_departement", "texte", "Code du département d'implantation.", "35"),
    ("departement", "texte", "Nom du département d'implantation.", "Ille-et-Vilaine"),
    (
        "secteurs",
        "liste",
        "Slugs des secteurs d'activité, séparés par « | » en CSV (une liste en JSON).",
        "amenagement-paysager|entretien-espaces-verts",
    ),
    (
        "types_prestation",
        "liste",
        "Codes des types de prestation, séparés par « | » en CSV (une liste en JSON).",
        "MAD|PREST",
    ),
    (
        "reseaux",
        "liste",
        "Slugs des réseaux d'appartenance, séparés par « | » en CSV (une liste en JSON).",
        "chantier-ecole",
    ),
    ("etp_insertion", "nombre", "Équivalents temps plein en insertion.", "12.5"),
    (
        "etp_insertion_mis_a_jour_le",
        "date",
        "Date de mise à jour des ETP en insertion (AAAA-MM-JJ).",
        "2026-01-15",
    ),
    ("personnes_accompagnees", "entier", "Personnes accompagnées sur un an.", "48"),
    (
        "personnes_accompagnees_mis_a_jour_le",
        "date",
        "Date de mise à jour du nombre de personnes accompagnées (AAAA-MM-JJ).",
        "2026-01-15",
    ),
    ("taux_sorties_positives", "nombre", "Taux de sorties positives, en %.", "62.0"),
    (
        "taux_sorties_positives_mis_a_jour_le",
        "date",
        "Date de mise à jour du taux de sorties positives (AAAA-MM-JJ).",
        "2026-01-15",
    ),
    (
        "fin_conventionnement",
        "date",
        "Date de fin du conventionnement (AAAA-MM-JJ), vide si inconnue.",
        "2027-12-31",
    ),
    (
        "site_web",
        "texte",
        "Site web, vide si la structure ne le publie pas.",
        "https://jardins-solidaires.example",
    ),
    (
        "email",
        "texte",
        "E-mail de contact, vide si la structure ne le publie pas.",
        "contact@jardins-solidaires.example",
    ),
    ("telephone", "texte", "Téléphone, vide si la structure ne le publie pas.", "02 99 00 00 00"),
    ("updated_at", "date", "Dernière mise à jour de la fiche (AAAA-MM-JJ).", "2026-03-02"),
)

# The DECP columns of marches/export.py, then the INSEE code of the buying commune.
_DESCRIPTIONS_MARCHES = {
    "id": ("texte", "Identifiant du marché dans les DECP.", "2026000123"),
    "acheteur.id": ("texte", "SIRET de l'acheteur.", "21350238800019"),
    "nature": ("texte", "Nature du marché (valeur DECP).", "Marché"),
    "objet": ("texte", "Objet du marché.", "Entretien des espaces verts communaux"),
    "codeCPV": ("texte", "Code CPV principal.", "77310000-6"),
    "procedure": ("texte", "Procédure de passation (valeur DECP).", "Procédure adaptée"),
    "lieuExecution.code": ("texte", "Code du lieu d'exécution.", "35238"),
    "lieuExecution.typeCode": ("texte", "Type de ce code (valeur DECP).", "Code commune"),
    "dureeMois": ("entier", "Durée du marché, en mois.", "24"),
    "dateNotification": (
        "date",
        "Date de notification (AAAA-MM-JJ), vide si le fichier DECP n'en donne aucune.",
        "2026-05-12",
    ),
    "datePublicationDonnees": (
        "date",
        "Date de publication des données (AAAA-MM-JJ), vide si inconnue.",
        "2026-05-20",
    ),
    "montant": (
        "nombre",
        "Montant en vigueur, en euros HT, point décimal et deux décimales ; vide si inconnu.",
        "85000.00",
    ),
    "formePrix": ("texte", "Forme du prix (valeur DECP).", "Forfaitaire"),
    "titulaires": (
        "liste",
        "Identifiants (SIRET…) des titulaires, séparés par « | » en CSV (une liste en JSON).",
        "90000000000001",
    ),
    "considerationsSociales": (
        "liste",
        "Considérations sociales (valeurs DECP : Clause sociale, Critère social, Marché "
        "réservé), séparées par « | » en CSV (une liste en JSON) ; « Non renseigné » quand "
        "les données ne les donnent pas (DECP antérieures à 2024).",
        "Clause sociale|Marché réservé",
    ),
    "considerationsEnvironnementales": (
        "liste",
        "Considérations environnementales (valeurs DECP), séparées par « | » en CSV "
        "(une liste en JSON).",
        "Pas de considération environnementale",
    ),
}
COLONNE_CODE_INSEE = "commune.code_insee"
COLONNES_MARCHES = (
    *((nom, *_DESCRIPTIONS_MARCHES[nom]) for nom in export_marches.COLONNES),
    (
        COLONNE_CODE_INSEE,
        "texte",
        "Code INSEE de la commune acheteuse, vide pour un autre acheteur (EPCI…).",
        "35238",
    ),
)


def noms(colonnes_):
    return [colonne[0] for colonne in colonnes_]


def structures_du_fichier():
    """Every structure the public may see, with its relations prefetched a lot at a time."""
    return (
        Structure.objects.published()
        .select_related("type", "commune__departement")
        .prefetch_related(
            Prefetch("secteurs", queryset=Secteur.objects.order_by("slug")),
            Prefetch("types_prestation", queryset=TypePrestation.objects.order_by("code")),
            Prefetch("reseaux", queryset=Reseau.objects.order_by("slug")),
        )
        .order_by("siret")
    )


def _decimal(valeur):
    return None if valeur is None else float(valeur)


def ligne_structure(structure):
    """The public fields of a structure: a contact only when the structure publishes it,
    never a member's address."""
    commune = structure.commune
    departement = commune.departement if commune else None
    return {
        "siret": structure.siret,
        "nom": structure.nom,
        "enseigne": structure.enseigne,
        "type_code": structure.type.code,
        "type_nom": structure.type.nom,
        "commune_code_insee": commune.code_insee if commune else None,
        "commune_nom": commune.nom if commune else None,
        "code_departement": departement.code if departement else None,
        "departement": departement.nom if departement else None,
        "secteurs": [s.slug for s in structure.secteurs.all()],
        "types_prestation": [t.code for t in structure.types_prestation.all()],
        "reseaux": [r.slug for r in structure.reseaux.all()],
        "etp_insertion": _decimal(structure.etp_insertion),
        "etp_insertion_mis_a_jour_le": structure.etp_insertion_maj,
        "personnes_accompagnees": structure.personnes_accompagnees,
        "personnes_accompagnees_mis_a_jour_le": structure.personnes_accompagnees_maj,
        "taux_sorties_positives": _decimal(structure.taux_sorties_positives),
        "taux_sorties_positives_mis_a_jour_le": structure.taux_sorties_positives_maj,
        "fin_conventionnement": structure.fin_conventionnement,
        "site_web": (structure.site_web or None) if structure.site_web_public else None,
        "email": (structure.email or None) if structure.email_public else None,
        "telephone": (structure.telephone or None) if structure.telephone_public else None,
        "updated_at": timezone.localdate(structure.updated_at),
    }


def lignes_structures():
    """One dict a published structure, keys of `COLONNES_STRUCTURES`, streamed: four
    queries a lot of TAILLE_LOT structures (the structures, then their sectors, service
    types and networks)."""
    for structure in structures_du_fichier().iterator(chunk_size=TAILLE_LOT):
        yield ligne_structure(structure)


def marches_du_fichier():
    """The published contracts with at least one social consideration (known ones: a
    contract whose considerations are not given says "Non renseigné" whatever its flags)."""
    return (
        Marche.objects.publies()
        .avec_consideration_sociale()
        .filter(sociales_connues=True)
        .select_related("commune")
        .prefetch_related(Prefetch("titulaires", queryset=Titulaire.objects.order_by("pk")))
        .recents_d_abord()
    )


def lignes_marches_csv():
    """The CSV cells of each contract: marches/export.py's row, then the INSEE code.
    Two queries a lot (the contracts, their holders)."""
    for marche in marches_du_fichier().iterator(chunk_size=TAILLE_LOT):
        code = marche.commune.code_insee if marche.commune else ""
        yield [*export_marches._ligne(marche), code]


def lignes_marches_json():
    """The same contracts as dicts keyed by `COLONNES_MARCHES`, with JSON types: numbers,
    lists, null for an unknown date, the object as written."""
    noms_decp = export_marches.COLONNES
    for marche in marches_du_fichier().iterator(chunk_size=TAILLE_LOT):
        ligne = dict(zip(noms_decp, export_marches._ligne(marche), strict=True))
        ligne.update(
            {
                "objet": marche.objet,
                "dureeMois": marche.duree_mois,
                "dateNotification": valeur_json(marche.date_notification),
                "datePublicationDonnees": valeur_json(marche.date_publication),
                "montant": None if marche.montant is None else float(marche.montant),
                "titulaires": [t.identifiant for t in marche.titulaires.all()],
                "considerationsSociales": marche.considerations_sociales,
                "considerationsEnvironnementales": marche.considerations_environnementales,
                COLONNE_CODE_INSEE: marche.commune.code_insee if marche.commune else None,
            }
        )
        yield ligne
