"""A national-scale generated dataset, for benchmarks: what `manage.py seed_scale` writes.

The world it draws on is the real one: the régions, départements, EPCI and communes
of the official découpage administratif (`commune.territoires`), loaded when the
database has no commune, used as they are otherwise. On them (on all the current
communes, or on a sample of them), it draws SIAE and ESS structures located in them;
public contracts (DECP) of communes and EPCI, bought under their real SIREN, with their
holders, social clauses and hours reported; and a share of communes that signed the
guide, with one engagement per action, evidence, milestones, change history, score
snapshots, an élu référent and supports to structures.

Determinism: the territories come from a fixed file; every other value comes from one
`random.Random(seed)`, drawn in a fixed order, and every date from `DATE_REFERENCE`,
never from the clock, so the same seed and sizes give the same rows on an empty
database (with the same Python: `random` only promises its sequence of `random()`
across versions). Primary keys, the creation timestamps of rows nobody sorts on, and
the identifiers of history rows depend on the database.

Rows are plain dicts keyed by attribute name; their primary keys are allocated before
they are written, so children can point to them. `Ecrivain` writes them with COPY on
PostgreSQL (as the DECP import does) and with executemany elsewhere, with the "+"
history row that django-simple-history would have written. No signal fires: the caller
drops the cached pages itself (`commune.cache.invalider_tout`).
"""

import datetime
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import DateTimeField, DecimalField, JSONField
from django.utils.text import slugify
from psycopg.types.json import Jsonb
from simple_history.models import HistoricalRecords
from stdnum import luhn
from stdnum.fr import siret as stdnum_siret

from axes.enums import NaturePreuve, Statut
from axes.models import Engagement, Jalon, Preuve, Referentiel, ScoreSnapshot, Signature
from axes.scoring import calculer_score
from axes.selectors import actions_du_referentiel, entrees
from axes.services import snapshot_valeurs
from marches.decp import copier
from marches.enums import (
    BaseLegale,
    FormePrix,
    Nature,
    Procedure,
    TypeCodeLieu,
    TypeIdentifiant,
)
from marches.models import HEURES_MAX, ClauseSociale, Marche, SuiviHeures, Titulaire
from structures.enums import FamilleStructure, TypeSoutien
from structures.models import Reseau, Secteur, Soutien, Structure, TypePrestation, TypeStructure
from structures.services import RELATIONS_PROFIL

from .demo_data import DESCRIPTIONS_CLAUSES, etat_anterieur
from .models import (
    EPCI,
    CodePostal,
    Commune,
    CommuneRattachee,
    Departement,
    EluReferent,
    Region,
)
from .territoires import territoires_importer

# The day the generated data describes: contracts are notified in the year before it,
# engagements change up to it. In the past, so that a change made in the application
# today makes a later snapshot than the generated ones.
DATE_REFERENCE = datetime.date(2026, 11, 30)
RAISON = "Données générées pour les mesures de performance (seed_scale)"
# Rows are generated and written this many communes or contracts at a time: memory
# stays flat whatever the sizes.
LOT_COMMUNES = 1_000
LOT_MARCHES = 10_000
# Primary keys are drawn from the sequences in blocks, doubling from the first to the
# last size: few round trips for a large load, few keys wasted by a small one.
BLOCS_CLES = (100, 20_000)

PRENOMS = (
    "Anne", "Bernard", "Camille", "Claire", "Daniel", "Élise", "François", "Gaëlle", "Hélène",
    "Isabelle", "Jacques", "Julie", "Karim", "Laurent", "Léa", "Marc", "Nadia", "Olivier",
    "Pascale", "Rachid", "Sophie", "Thomas", "Valérie", "Yann",
)  # fmt: skip
NOMS = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet",
    "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin",
    "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Le Gall", "Tanguy", "Benali", "Nguyen",
)  # fmt: skip

# Structures: the share of each kind among 4,500 (the codes of TypeStructure; a kind
# not listed weighs 1) and words their names are made of.
POIDS_TYPES = {
    "ACI": 28, "AI": 18, "EI": 18, "ETTI": 6, "EITI": 2, "GEIQ": 4, "EA": 8, "EATT": 1,
    "ESAT": 7, "ASSO": 4, "SCOP": 2, "SCIC": 1, "ESUS": 1,
}  # fmt: skip
FORMES_JURIDIQUES = {
    FamilleStructure.IAE: ("Association loi 1901", "Association loi 1901", "SAS", "SARL"),
    FamilleStructure.INCLUSION: ("Association loi 1901",),
    FamilleStructure.HANDICAP: ("Association loi 1901", "SAS", "Établissement public"),
    FamilleStructure.ESS: ("Association loi 1901", "SCOP SARL", "SCIC SAS", "SAS"),
}
MOTS_STRUCTURES = (
    "Tremplin", "Passerelle", "Relais", "Horizon", "Envol", "Trait d'union", "Élan", "Avenir",
    "Ressources", "Solidarité", "Jardins", "Atelier", "Recyclerie", "Ressourcerie", "Bâti",
    "Net Services", "Espaces", "Pousses", "Ricochet", "Boussole", "Coup de main", "Tandem",
)  # fmt: skip
VOIES = ("rue", "avenue", "chemin", "place", "boulevard", "impasse", "allée")

# Contracts: (CPV code, what is bought).
ACHATS = (
    ("45233140-2", "Travaux de voirie"),
    ("45210000-2", "Travaux de construction de bâtiments"),
    ("45453000-7", "Travaux de réhabilitation"),
    ("45310000-3", "Travaux d'électricité"),
    ("77310000-6", "Entretien des espaces verts"),
    ("90910000-9", "Nettoyage des bâtiments communaux"),
    ("90511000-2", "Collecte des déchets"),
    ("55523100-3", "Restauration scolaire"),
    ("15000000-8", "Fourniture de denrées alimentaires"),
    ("30192000-1", "Fournitures de bureau"),
    ("72000000-5", "Prestations informatiques"),
    ("79340000-9", "Communication et publicité"),
    ("34110000-1", "Acquisition de véhicules"),
    ("50700000-2", "Maintenance des installations techniques"),
    ("71000000-8", "Maîtrise d'œuvre"),
    ("79710000-4", "Gardiennage et sécurité"),
    ("60100000-9", "Transport scolaire"),
    ("92000000-1", "Animations culturelles et de loisirs"),
    ("39130000-2", "Mobilier"),
    ("98310000-9", "Entretien du linge"),
)
PROCEDURES = (
    (Procedure.ADAPTEE, 68),
    (Procedure.AO_OUVERT, 20),
    (Procedure.AO_RESTREINT, 2),
    (Procedure.NEGOCIATION, 4),
    (Procedure.SANS_PUBLICITE, 5),
    (Procedure.DIALOGUE, 1),
)
FORMES_ENTREPRISES = ("SARL", "SAS", "SA", "EURL", "SASU")
ACTIVITES = (
    "Travaux publics", "Bâtiment", "Nettoyage", "Paysage", "Informatique", "Restauration",
    "Transports", "Conseil", "Électricité", "Plomberie", "Signalisation", "Imprimerie",
)  # fmt: skip
# A contract with a social consideration carries these (DECP words), each with its chance.
PART_SOCIALE = 0.25
BASES_RESERVEES = (
    (BaseLegale.L2113_13, FamilleStructure.IAE, 6),
    (BaseLegale.L2113_12, FamilleStructure.HANDICAP, 3),
    (BaseLegale.L2113_15, FamilleStructure.ESS, 1),
)

# Engagements.
NATURES_PREUVES = tuple(NaturePreuve.values)
TITRES_PREUVES = {
    NaturePreuve.DELIBERATION: "Délibération du conseil municipal",
    NaturePreuve.MARCHE: "Extrait du cahier des charges",
    NaturePreuve.CONVENTION: "Convention de partenariat",
    NaturePreuve.BUDGET: "Extrait du budget primitif",
    NaturePreuve.COMMUNICATION: "Article du bulletin municipal",
    NaturePreuve.PHOTO: "Photo de l'inauguration",
    NaturePreuve.RAPPORT: "Bilan annuel",
    NaturePreuve.AUTRE: "Compte rendu de réunion",
}
DESCRIPTIONS = (
    "Action inscrite au plan de mandat et suivie en conseil municipal.",
    "Pilotée avec l'intercommunalité et les structures d'insertion du territoire.",
    "Un premier bilan sera présenté aux habitants en fin d'année.",
    "Menée avec le service des achats et la maison de l'emploi.",
    "Suivie par un comité associant élus, agents et acteurs de l'ESS.",
)
JUSTIFICATIONS = (
    "La compétence est exercée par l'intercommunalité, qui porte l'action pour la commune.",
    "Aucun équipement de ce type sur le territoire communal.",
    "Commune trop petite pour porter seule cette action ; l'EPCI en assure le relais.",
    "Sans objet : la commune ne passe aucun marché de cette nature.",
)
TITRES_JALONS = (
    "Présentation en conseil municipal",
    "Lancement de l'appel à projets",
    "Signature de la convention",
    "Premier bilan",
    "Rencontre avec les SIAE du territoire",
    "Formation des acheteurs",
)
MANDATS = (
    "Adjointe à l'économie sociale et solidaire",
    "Adjoint à l'emploi et à l'insertion",
    "Conseillère municipale déléguée à l'insertion",
    "Conseiller municipal délégué aux achats responsables",
    "Maire",
)


class ErreurEchelle(Exception):
    """The dataset cannot be generated as asked; the message says why, in French."""


@dataclass(frozen=True)
class Tailles:
    # Communes the generated data is drawn on: a sample of the current communes of
    # the database, or all of them (None). The others stay, with nothing attached.
    communes: int | None = None
    structures: int = 4_500
    marches: int = 200_000
    part_engagees: float = 0.30
    seed: int = 1

    def __post_init__(self):
        if self.communes is not None and self.communes < 1:
            raise ErreurEchelle("Il faut au moins une commune (--communes).")
        if self.structures < 0 or self.marches < 0:
            raise ErreurEchelle("Les nombres de structures et de marchés sont positifs ou nuls.")
        if not 0 <= self.part_engagees <= 1:
            raise ErreurEchelle("--part-engagees est une part, entre 0 et 1 (0.30 pour 30 %).")


def donnees_presentes():
    """What the database already holds that seed_scale would add to, in words. The
    territories (régions, départements, EPCI, communes) are not counted: seed_scale
    uses them as they are."""
    tables = (
        (Structure, "des structures"),
        (Marche, "des marchés"),
        (Signature, "des communes signataires"),
        (Engagement, "des engagements"),
        (get_user_model(), "des comptes utilisateurs"),
    )
    return [libelle for modele, libelle in tables if modele.objects.exists()]


# Writing ----------------------------------------------------------------------------


class Ecrivain:
    """Writes rows (dicts keyed by attribute name) fast, and counts them.

    A field missing from a row takes its model default, the time of the run for
    `auto_now` fields. The primary key column is written when the rows carry it.
    """

    def __init__(self, maintenant):
        self.postgresql = connection.vendor == "postgresql"
        self.maintenant = maintenant
        self.comptes = Counter()  # rows written, per model
        self.tables = set()
        self._cles = {}
        self._blocs = {}  # the size of the last block of keys drawn, per model
        # On SQLite, the last key handed out per model: MAX(id) does not see the keys
        # allocated but not written yet.
        self._dernieres = {}
        self._colonnes = {}

    def cle(self, modele):
        """A new primary key of `modele`, allocated now and written later."""
        reserve = self._cles.get(modele)
        if not reserve:
            reserve = self._cles[modele] = self._reserver(modele)
        return reserve.pop()

    def _reserver(self, modele):
        premier, dernier = BLOCS_CLES
        nombre = self._blocs[modele] = min(dernier, 2 * self._blocs.get(modele, premier // 2))
        meta = modele._meta
        with connection.cursor() as curseur:
            if self.postgresql:
                # From the sequence, as inserts would: safe beside other writers.
                curseur.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [meta.db_table, meta.pk.column, nombre],
                )
                cles = [cle for (cle,) in curseur.fetchall()]
            else:
                # SQLite locks the whole database for the transaction: nobody else inserts.
                table = connection.ops.quote_name(meta.db_table)
                colonne = connection.ops.quote_name(meta.pk.column)
                curseur.execute(f"SELECT COALESCE(MAX({colonne}), 0) FROM {table}")
                debut = max(curseur.fetchone()[0], self._dernieres.get(modele, 0)) + 1
                cles = list(range(debut, debut + nombre))
                self._dernieres[modele] = cles[-1]
        cles.reverse()  # pop() hands them out in increasing order
        return cles

    def ecrire(self, modele, lignes, *, historique=True):
        """Writes the rows and, for a model with a history, a "+" history row each,
        dated like the row's creation."""
        if not lignes:
            return
        self._inserer(modele, lignes)
        if historique and hasattr(modele, "history"):
            self.ecrire_historique(
                modele,
                [
                    ligne | {"history_date": ligne.get("created_at") or self.maintenant}
                    for ligne in lignes
                ],
            )

    def ecrire_historique(self, modele, lignes):
        """History rows of `modele`: its fields plus `history_date` (and `history_type`,
        "+" when absent)."""
        speciaux = {"history_change_reason": RAISON, "history_type": "+", "history_user_id": None}
        self._inserer(modele.history.model, [speciaux | ligne for ligne in lignes])

    def _inserer(self, modele, lignes):
        if not lignes:
            return
        champs, defauts = self._champs(modele, avec_cle=modele._meta.pk.attname in lignes[0])
        adapter = self._adaptateur(champs)
        valeurs = (adapter([ligne.get(nom, defaut) for nom, defaut in defauts]) for ligne in lignes)
        with connection.cursor() as curseur:
            if self.postgresql:
                copier(curseur, modele, champs, valeurs)
            else:
                table = connection.ops.quote_name(modele._meta.db_table)
                colonnes = ", ".join(connection.ops.quote_name(c.column) for c in champs)
                marques = ", ".join(["%s"] * len(champs))
                curseur.executemany(
                    f"INSERT INTO {table} ({colonnes}) VALUES ({marques})", list(valeurs)
                )
        self.comptes[modele] += len(lignes)
        self.tables.add(modele._meta.db_table)

    def _champs(self, modele, *, avec_cle):
        if (modele, avec_cle) not in self._colonnes:
            champs = [c for c in modele._meta.concrete_fields if avec_cle or not c.primary_key]
            # A history model's copies of auto_now fields are plain: ask the original.
            origine = getattr(modele, "instance_type", modele)._meta
            horodates = {
                c.attname
                for c in origine.concrete_fields
                if getattr(c, "auto_now", False) or getattr(c, "auto_now_add", False)
            }
            defauts = [
                (c.attname, self.maintenant if c.attname in horodates else c.get_default())
                for c in champs
            ]
            self._colonnes[modele, avec_cle] = champs, defauts
        return self._colonnes[modele, avec_cle]

    def _adaptateur(self, champs):
        """Converts in place the values the driver cannot take as they are, and only
        those: the ORM's conversion of every value would double the time of a load."""
        if self.postgresql:
            a_convertir = [(i, Jsonb) for i, c in enumerate(champs) if isinstance(c, JSONField)]
        else:
            # The real connection, not the proxy: this runs once per value.
            reelle = connections[DEFAULT_DB_ALIAS]
            a_convertir = [
                (i, partial(c.get_db_prep_save, connection=reelle))
                for i, c in enumerate(champs)
                if isinstance(c, DateTimeField | DecimalField | JSONField)
            ]

        def adapter(ligne):
            for i, convertir in a_convertir:
                ligne[i] = convertir(ligne[i])
            return ligne

        return adapter


def analyser(tables):
    """Gives the PostgreSQL planner statistics on tables that just grew."""
    if connection.vendor != "postgresql" or not tables:
        return
    with connection.cursor() as curseur:
        curseur.execute(
            "ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in sorted(tables))
        )


# Drawing ----------------------------------------------------------------------------


def avec_cle(chiffres):
    return chiffres + luhn.calc_check_digit(chiffres)


def siret_de(siren, rng):
    """A SIRET of the body of `siren`: one of its first establishments (NIC), with the
    Luhn key that makes the SIRET valid."""
    return stdnum_siret.validate(avec_cle(f"{siren}{rng.randint(1, 30):04d}"))


def de(nom):
    """ "de Beaumont", "d'Aubigny", "du Havre", "des Abymes": French elision and
    contraction."""
    for article, contraction in (("Le ", "du "), ("Les ", "des ")):
        if nom.startswith(article):
            return contraction + nom[len(article) :]
    return f"d'{nom}" if nom[0] in "AEIOUYÉÈÎ" else f"de {nom}"


def euros(valeur):
    return Decimal(round(valeur * 100)).scaleb(-2)


def moment(jour, minutes):
    """`minutes` (less than 540) into the working day of `jour`, from 9 h UTC."""
    return datetime.datetime.combine(jour, datetime.time(9), tzinfo=datetime.UTC) + (
        datetime.timedelta(minutes=minutes)
    )


@dataclass(slots=True, eq=False)
class CommuneReelle:
    """A current commune of the database, as the generator uses it."""

    pk: int
    code: str
    nom: str
    slug: str
    departement: str
    population: int
    siren: str
    siret_mairie: str
    epci: "EpciReel" = None
    siret: str = ""  # the SIRET its contracts are bought under, "" when none


@dataclass(slots=True, eq=False)
class EpciReel:
    pk: int
    siren: str
    nom: str
    population: int | None
    membres: list = field(default_factory=list)  # its current communes, all of them
    departement: str = ""  # that of its most populous commune,
    ville: str = ""  # and its name
    siret: str = ""


@dataclass(slots=True)
class StructureGeneree:
    pk: int
    siret: str
    nom: str
    famille: str
    departement: str


class Etat(NamedTuple):
    """Where an action stood, as `axes.selectors.entrees` reads an engagement."""

    statut: str
    avancement: int | None
    a_preuve: bool


# The generator ----------------------------------------------------------------------


class Generateur:
    """Draws the dataset step by step (see `etapes`) and hands the rows to `ecrivain`.

    The steps must run in their order: each draws from the same random sequence and
    uses what the previous ones generated.
    """

    def __init__(self, tailles: Tailles, ecrivain: Ecrivain, territoires: Path | None = None):
        self.tailles = tailles
        self.territoires = territoires  # the découpage's folder, the npm package's if None
        self.rng = random.Random(tailles.seed)
        self.ecrivain = ecrivain
        self.communes = []  # those the data is drawn on
        self.epci = []  # those of these communes
        self.structures = []
        self.par_departement = {}  # structures located in each département
        self.sirens_pris = set()  # of communes, EPCI, structures and companies
        self.guide = Referentiel.objects.guide()
        if self.guide is None:
            raise ErreurEchelle("Le guide n'est pas chargé : lancez d'abord manage.py migrate.")
        self.actions = actions_du_referentiel(self.guide)
        self.types = list(
            TypeStructure.objects.order_by("code").values_list("pk", "code", "famille")
        )
        if not self.types:
            raise ErreurEchelle(
                "Aucun type de structure : lancez d'abord manage.py migrate, qui les charge."
            )
        self.secteurs = list(Secteur.objects.order_by("slug").values_list("pk", flat=True))
        self.prestations = list(
            TypePrestation.objects.order_by("code").values_list("pk", flat=True)
        )
        self.reseaux = list(Reseau.objects.order_by("slug").values_list("pk", flat=True))

    def etapes(self):
        """(what it generates, the step), in the order they must run. A step may return
        what it did, in words; otherwise the rows written say it."""
        return [
            ("Territoires", self.preparer_territoires),
            ("Structures", self.generer_structures),
            ("Marchés", self.generer_marches),
            ("Engagements", self.generer_engagements),
        ]

    # Territories ---------------------------------------------------------------------

    def preparer_territoires(self):
        """Loads the official découpage when the database has no commune, then reads the
        current communes and their EPCI and draws those the data will be about."""
        rng = self.rng
        if Commune.objects.exists():
            fait = "ceux de la base, gardés tels quels"
        else:
            rapport = territoires_importer(dossier=self.territoires)
            # Bulk written too: the planner needs their statistics as much as the rest's.
            self.ecrivain.tables |= {
                modele._meta.db_table
                for modele in (
                    Region, Departement, EPCI, Commune, Commune.history.model, CodePostal,
                    CommuneRattachee,
                )
            }  # fmt: skip
            fait = "chargés du découpage administratif"
            if rapport.ecartes:
                fait += f" ({sum(rapport.ecartes.values())} enregistrements écartés)"
        self.departements = dict(Departement.objects.values_list("code", "pk"))

        epci = {
            pk: EpciReel(pk, siren, nom, population)
            for pk, siren, nom, population in EPCI.objects.order_by("siren").values_list(
                "pk", "siren", "nom", "population"
            )
        }
        toutes = []
        for *valeurs, epci_pk in (
            Commune.objects.actuelles()
            .order_by("code_insee")
            .values_list(
                "pk",
                "code_insee",
                "nom",
                "slug",
                "departement__code",
                "population",
                "siren",
                "siret_mairie",
                "epci_id",
            )  # fmt: skip
        ):
            commune = CommuneReelle(*valeurs, epci=epci.get(epci_pk))
            if commune.epci is not None:
                commune.epci.membres.append(commune)
            toutes.append(commune)
        if not toutes:
            raise ErreurEchelle(
                "Aucune commune actuelle dans la base : chargez le découpage administratif "
                "(manage.py import_territoires)."
            )
        self.sirens_pris |= {c.siren for c in toutes if c.siren} | {e.siren for e in epci.values()}

        nombre = self.tailles.communes
        if nombre is None or nombre >= len(toutes):
            self.communes = toutes
        else:
            self.communes = [toutes[i] for i in sorted(rng.sample(range(len(toutes)), nombre))]
        des_communes = {c.epci.pk for c in self.communes if c.epci is not None}
        self.epci = [e for e in epci.values() if e.pk in des_communes]
        # Buyers: the commune under its SIREN (a mairie's SIRET only when it has none),
        # the EPCI under its own, as the DECP import matches them.
        for commune in self.communes:
            if commune.siren:
                commune.siret = siret_de(commune.siren, rng)
            else:
                commune.siret = commune.siret_mairie
        for membre in self.epci:
            membre.siret = siret_de(membre.siren, rng)
            principale = max(membre.membres, key=lambda c: (c.population or 0, c.code))
            membre.departement, membre.ville = principale.departement, principale.nom
        self.codes_postaux = {}
        retenues = {c.pk for c in self.communes}
        for code, commune_pk in CodePostal.objects.order_by("code").values_list(
            "code", "commune_id"
        ):
            if commune_pk in retenues:
                self.codes_postaux.setdefault(commune_pk, []).append(code)
        return (
            f"{fait} : {len(self.departements)} départements, {len(epci)} EPCI, "
            f"{len(toutes)} communes ; {len(self.communes)} communes retenues et leurs "
            f"{len(self.epci)} EPCI"
        )

    # Structures ----------------------------------------------------------------------

    def _siren_libre(self, pris):
        """A SIREN starting with 9, like every fictional company of the demo data."""
        while True:
            siren = avec_cle(f"9{self.rng.randrange(10**7):07d}")
            if siren not in pris:
                pris.add(siren)
                return siren

    def generer_structures(self):
        rng = self.rng
        maintenant = self.ecrivain.maintenant
        self.sirens_pris |= {s[:9] for s in Structure.objects.values_list("siret", flat=True)}
        poids_populations = _cumul(max(1, c.population or 0) for c in self.communes)
        poids_types = [POIDS_TYPES.get(code, 1) for _, code, _ in self.types]
        lignes, historiques, liens = [], [], {}
        relations = [Structure._meta.get_field(nom) for nom in RELATIONS_PROFIL]

        for _ in range(self.tailles.structures):
            commune = rng.choices(self.communes, cum_weights=poids_populations)[0]
            type_pk, type_code, famille = rng.choices(self.types, weights=poids_types)[0]
            siret = avec_cle(self._siren_libre(self.sirens_pris) + f"{rng.randint(1, 40):04d}")
            mot = rng.choice(MOTS_STRUCTURES)
            nom = f"{mot} {commune.nom}"
            slug = slugify(nom)[:63].strip("-")  # a domain name's label
            chiffres = famille in (FamilleStructure.IAE, FamilleStructure.INCLUSION)
            renseignes = chiffres and rng.random() < 0.8
            maj = DATE_REFERENCE - datetime.timedelta(days=rng.randint(0, 700))
            pk = self.ecrivain.cle(Structure)
            ligne = {
                "id": pk,
                "siret": siret,
                "nom": nom,
                "enseigne": f"{mot} {type_code}" if rng.random() < 0.3 else "",
                "type_id": type_pk,
                "forme_juridique": rng.choice(FORMES_JURIDIQUES.get(famille, ("",))),
                "description": f"{type_code} implanté à {commune.nom}, au service du territoire.",
                "adresse": f"{rng.randint(1, 120)} {rng.choice(VOIES)} {rng.choice(NOMS)}",
                "code_postal": rng.choice(self.codes_postaux.get(commune.pk) or [""]),
                "commune_id": commune.pk,
                "email": f"contact@{slug}.test",
                "email_public": rng.random() < 0.5,
                "telephone": f"0{rng.randint(1, 5)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
                "telephone_public": rng.random() < 0.5,
                "site_web": f"https://{slug}.test" if rng.random() < 0.5 else "",
                "etp_insertion": Decimal(rng.randint(5, 1500)).scaleb(-1) if renseignes else None,
                "etp_insertion_maj": maj if renseignes else None,
                "personnes_accompagnees": rng.randint(5, 400) if renseignes else None,
                "personnes_accompagnees_maj": maj if renseignes else None,
                "taux_sorties_positives": (
                    Decimal(rng.randint(200, 850)).scaleb(-1) if renseignes else None
                ),
                "taux_sorties_positives_maj": maj if renseignes else None,
                "fin_conventionnement": (
                    DATE_REFERENCE + datetime.timedelta(days=rng.randint(30, 1100))
                    if famille == FamilleStructure.IAE
                    else None
                ),
                "verifiee": rng.random() < 0.85,
                "publiee": rng.random() < 0.95,
                "created_at": maintenant,
                "updated_at": maintenant,
            }
            lignes.append(ligne)
            history_id = self.ecrivain.cle(Structure.history.model)
            historiques.append(ligne | {"history_id": history_id, "history_date": maintenant})
            cibles = {
                "secteurs": rng.sample(self.secteurs, min(len(self.secteurs), rng.randint(1, 3))),
                "types_prestation": rng.sample(
                    self.prestations, min(len(self.prestations), rng.randint(1, 2))
                ),
                "reseaux": (
                    [rng.choice(self.reseaux)] if self.reseaux and rng.random() < 0.6 else []
                ),
                **self._zones(commune),
            }
            for relation in relations:
                for cible in cibles[relation.name]:
                    liens.setdefault(relation, []).append(
                        (self.ecrivain.cle(relation.remote_field.through), pk, cible, history_id)
                    )
            self.structures.append(StructureGeneree(pk, siret, nom, famille, commune.departement))
            self.par_departement.setdefault(commune.departement, []).append(self.structures[-1])

        self.ecrivain.ecrire(Structure, lignes, historique=False)
        self.ecrivain.ecrire_historique(Structure, historiques)
        # The relations, and their state in the "+" history rows, as simple_history keeps them.
        for relation, lignes_liens in liens.items():
            through = relation.remote_field.through
            source = relation.m2m_field_name() + "_id"
            cible = relation.m2m_reverse_field_name() + "_id"
            self.ecrivain.ecrire(
                through,
                [{"id": i, source: s, cible: c} for i, s, c, _ in lignes_liens],
            )
            self.ecrivain.ecrire(
                HistoricalRecords.m2m_models[relation],
                [{"id": i, source: s, cible: c, "history_id": h} for i, s, c, h in lignes_liens],
                historique=False,
            )

    def _zones(self, commune):
        """A quarter of the structures say where they intervene beyond their commune."""
        rng = self.rng
        zones = {"zones_communes": [], "zones_epci": [], "zones_departements": []}
        tirage = rng.random()
        if tirage < 0.1:
            zones["zones_departements"] = [self.departements[commune.departement]]
        elif commune.epci is None:  # an island, a collectivité d'outre-mer
            pass
        elif tirage < 0.2:
            zones["zones_epci"] = [commune.epci.pk]
        elif tirage < 0.25:
            voisines = commune.epci.membres
            zones["zones_communes"] = sorted(
                {c.pk for c in rng.sample(voisines, min(len(voisines), rng.randint(2, 5)))}
            )
        return zones

    # Contracts -----------------------------------------------------------------------

    def generer_marches(self):
        rng = self.rng
        entreprises = [
            (
                avec_cle(self._siren_libre(self.sirens_pris) + f"{rng.randint(1, 40):04d}"),
                f"{rng.choice(FORMES_ENTREPRISES)} {rng.choice(NOMS)} {rng.choice(ACTIVITES)}",
            )
            for _ in range(max(20, self.tailles.marches // 8))
        ]
        # Buyers in proportion to their population; a commune without a SIREN buys nothing.
        self.acheteurs_communes = _cumul(
            max(1, c.population or 0) if c.siret else 0 for c in self.communes
        )
        self.acheteurs_epci = _cumul(
            max(1, e.population or sum(c.population or 0 for c in e.membres)) for e in self.epci
        )
        if self.tailles.marches and not (self.epci or any(c.siret for c in self.communes)):
            raise ErreurEchelle(
                "Aucun acheteur possible : ni les communes retenues ni leurs EPCI n'ont de SIREN."
            )
        # Under --force, the numbers go on after the contracts already there.
        self.premier_numero = Marche.objects.count()
        self.par_famille = {}
        for structure in self.structures:
            self.par_famille.setdefault(structure.famille, []).append(structure)
        procedures, poids_procedures = zip(*PROCEDURES, strict=True)
        self.procedures = (procedures, _cumul(poids_procedures))

        for debut in range(0, self.tailles.marches, LOT_MARCHES):
            marches, titulaires, clauses, suivis = [], [], [], []
            for numero in range(debut, min(debut + LOT_MARCHES, self.tailles.marches)):
                self._marche(numero, entreprises, marches, titulaires, clauses, suivis)
            self.ecrivain.ecrire(Marche, marches)
            self.ecrivain.ecrire(Titulaire, titulaires)
            self.ecrivain.ecrire(ClauseSociale, clauses)
            self.ecrivain.ecrire(SuiviHeures, suivis)

    def _marche(self, numero, entreprises, marches, titulaires, clauses, suivis):
        """One contract, its holders, social clauses and hours reported, into the lists."""
        rng = self.rng
        if self.acheteurs_communes[-1] and (not self.epci or rng.random() < 0.75):
            commune = rng.choices(self.communes, cum_weights=self.acheteurs_communes)[0]
            epci, siret, nom_lieu, ville = None, commune.siret, commune.nom, commune.nom
            lieu = (commune.code, TypeCodeLieu.CODE_COMMUNE)
        else:
            epci = rng.choices(self.epci, cum_weights=self.acheteurs_epci)[0]
            commune, siret, nom_lieu, ville = None, epci.siret, epci.nom, epci.ville
            lieu = (epci.departement, TypeCodeLieu.CODE_DEPARTEMENT)
        notification = DATE_REFERENCE - datetime.timedelta(days=rng.randrange(365))
        cpv, achat = rng.choice(ACHATS)
        lot = f" (lot {rng.randint(1, 6)})" if rng.random() < 0.3 else ""
        montant = euros(40_000 + rng.lognormvariate(10.8, 1.2))
        # One contract in seven was modified after notification: its amount grew.
        modifie = rng.random() < 0.15
        montant_initial = euros(float(montant) / rng.uniform(1.02, 1.3)) if modifie else montant
        duree = rng.choice((3, 6, 12, 12, 12, 24, 24, 36, 48))
        sociale = rng.random() < PART_SOCIALE
        clause = sociale and rng.random() < 0.65
        critere = sociale and rng.random() < 0.3
        reserve = sociale and (not (clause or critere) or rng.random() < 0.1)
        pk = self.ecrivain.cle(Marche)
        marches.append(
            {
                "id": pk,
                "id_decp": f"{notification.year}-{self.premier_numero + numero + 1:07d}",
                "acheteur_siret": siret,
                "commune_id": commune.pk if commune else None,
                "epci_id": epci.pk if epci else None,
                "objet": f"{achat} — {nom_lieu}{lot}",
                "code_cpv": cpv,
                "procedure": rng.choices(self.procedures[0], cum_weights=self.procedures[1])[0],
                "nature": Nature.MARCHE if rng.random() < 0.98 else Nature.PARTENARIAT,
                "montant": montant,
                "montant_initial": montant_initial,
                "date_notification": notification,
                "date_publication": notification + datetime.timedelta(days=rng.randint(1, 60)),
                "duree_mois": duree,
                "duree_mois_initiale": duree,
                "forme_prix": rng.choice(FormePrix.values),
                "lieu_code": lieu[0],
                "lieu_type_code": lieu[1],
                "clause_sociale": clause,
                "critere_social": critere,
                "marche_reserve": reserve,
                "clause_environnementale": rng.random() < 0.2,
                "critere_environnemental": rng.random() < 0.1,
                "publie": rng.random() < 0.99,
            }
        )

        base_reservee, famille = None, None
        if reserve:
            base_reservee, famille, _ = rng.choices(
                BASES_RESERVEES, weights=[poids for *_, poids in BASES_RESERVEES]
            )[0]
        elif clause and rng.random() < 0.2:
            famille = FamilleStructure.IAE
        vus = set()
        for rang in range(rng.choices((1, 2, 3), weights=(80, 15, 5))[0]):
            # A reserved contract goes to a structure of the kind it is reserved to.
            candidates = self.par_famille.get(famille) if rang == 0 and famille else None
            if candidates or (self.structures and rng.random() < 0.02):
                structure = rng.choice(candidates or self.structures)
                titulaire = (TypeIdentifiant.SIRET, structure.siret, structure.nom, structure.pk)
            elif rng.random() < 0.005:
                titulaire = (
                    TypeIdentifiant.TVA,
                    f"DE{rng.randrange(10**9):09d}",
                    f"{rng.choice(NOMS)} GmbH",
                    None,
                )
            else:
                siret_entreprise, nom = rng.choice(entreprises)
                titulaire = (TypeIdentifiant.SIRET, siret_entreprise, nom, None)
            if titulaire[1] in vus:
                continue
            vus.add(titulaire[1])
            titulaires.append(
                {
                    "id": self.ecrivain.cle(Titulaire),
                    "marche_id": pk,
                    "type_identifiant": titulaire[0],
                    "identifiant": titulaire[1],
                    "denomination": titulaire[2],
                    "structure_id": titulaire[3],
                }
            )

        bases = []
        if clause and rng.random() < 0.7:
            bases.append(BaseLegale.L2112_2)
        if critere and rng.random() < 0.5:
            bases.append(BaseLegale.L2152_7)
        if base_reservee and rng.random() < 0.7:
            bases.append(base_reservee)
        for base in bases:
            heures, facilitateur = None, ("", "")
            if base == BaseLegale.L2112_2:
                heures = min(HEURES_MAX, max(35, round(float(montant) / 1000 * rng.uniform(2, 8))))
                facilitateur = (
                    f"{rng.choice(PRENOMS)} {rng.choice(NOMS)}",
                    f"Maison de l'emploi {de(ville)}",
                )
            clause_pk = self.ecrivain.cle(ClauseSociale)
            clauses.append(
                {
                    "id": clause_pk,
                    "marche_id": pk,
                    "base_legale": base,
                    "heures_prevues": heures,
                    "facilitateur_nom": facilitateur[0],
                    "facilitateur_organisation": facilitateur[1],
                    "description": DESCRIPTIONS_CLAUSES[base],
                }
            )
            if heures:
                self._suivis(clause_pk, heures, notification, duree, suivis)

    def _suivis(self, clause_pk, heures, notification, duree, suivis):
        """Hours reported quarter by quarter, on most clauses old enough to have any."""
        rng = self.rng
        trimestres_du_marche = math.ceil(duree / 3)
        trimestres = min(4, (DATE_REFERENCE - notification).days // 91, trimestres_du_marche)
        if trimestres < 1 or rng.random() < 0.4:
            return
        for trimestre in range(trimestres):
            debut = notification + datetime.timedelta(days=91 * trimestre)
            realisees = heures / trimestres_du_marche * rng.uniform(0.4, 1.4)
            personnes = rng.randint(0, 4)
            suivis.append(
                {
                    "id": self.ecrivain.cle(SuiviHeures),
                    "clause_id": clause_pk,
                    "periode_debut": debut,
                    "periode_fin": debut + datetime.timedelta(days=90),
                    "heures_realisees": Decimal(round(realisees * 2)) / 2,  # to the half hour
                    "personnes_embauchees": personnes,
                    "contrats_signes": personnes + rng.randint(0, 2),
                }
            )

    # Engagements ---------------------------------------------------------------------

    def generer_engagements(self):
        rng = self.rng
        # Under --force, a commune that already signed or filled something is left out.
        deja = (
            set(Signature.objects.values_list("commune_id", flat=True))
            | set(Engagement.objects.values_list("commune_id", flat=True))
            | set(ScoreSnapshot.objects.values_list("commune_id", flat=True))
        )
        candidates = [c for c in self.communes if c.pk not in deja]
        nombre = min(round(self.tailles.part_engagees * len(self.communes)), len(candidates))
        engagees = sorted(rng.sample(range(len(candidates)), nombre))
        for debut in range(0, nombre, LOT_COMMUNES):
            lot = Lot()
            for indice in engagees[debut : debut + LOT_COMMUNES]:
                self._commune_engagee(candidates[indice], lot)
            lot.ecrire(self.ecrivain)

    def _commune_engagee(self, commune, lot):
        rng = self.rng
        signature = DATE_REFERENCE - datetime.timedelta(days=rng.randint(60, 1000))
        lot.signatures.append(
            {
                "id": self.ecrivain.cle(Signature),
                "commune_id": commune.pk,
                "referentiel_id": self.guide.pk,
                "date_signature": signature,
                "deliberation_numero": f"{signature.year}-{rng.randint(1, 250):03d}",
                "deliberation_date": signature - datetime.timedelta(days=rng.randint(0, 45)),
                "created_at": moment(signature, rng.randrange(540)),
            }
        )
        maturite = rng.random()
        evenements = []  # (moment, action pk, statut, avancement) of every change
        finals, preuves = {}, {}
        for action in self.actions:
            statut, a_preuve, changements = self._engagement(
                commune, action, signature, maturite, lot
            )
            finals[action.code], preuves[action.pk] = statut, a_preuve
            evenements += [(quand, action.pk, s, a) for quand, s, a in changements]
        self._instantanes(commune, evenements, preuves, lot)

        if rng.random() < (0.8 if finals.get("2.1") in (Statut.REALISE, Statut.EN_COURS) else 0.3):
            lot.referents.append(
                {
                    "id": self.ecrivain.cle(EluReferent),
                    "commune_id": commune.pk,
                    "nom": f"{rng.choice(PRENOMS)} {rng.choice(NOMS)}",
                    "mandat": rng.choice(MANDATS),
                    "depuis": signature - datetime.timedelta(days=rng.randint(0, 400)),
                }
            )
        structures = self.par_departement.get(commune.departement) or self.structures
        if not structures:
            return
        for code, type_, chance in (
            ("3.1", TypeSoutien.SUBVENTION, 0.8),
            ("3.2", TypeSoutien.LOCAUX, 0.7),
            (None, TypeSoutien.ACHATS, 0.1),
            (None, TypeSoutien.PARTENARIAT, 0.1),
        ):
            avance = code is None or finals.get(code) in (Statut.REALISE, Statut.EN_COURS)
            if avance and rng.random() < chance:
                montant = None
                if type_ in (TypeSoutien.SUBVENTION, TypeSoutien.ACHATS):
                    montant = Decimal(rng.randint(1, 120) * 500)
                lot.soutiens.append(
                    {
                        "id": self.ecrivain.cle(Soutien),
                        "commune_id": commune.pk,
                        "structure_id": rng.choice(structures).pk,
                        "type": type_,
                        "montant": montant,
                        "annee": DATE_REFERENCE.year - rng.randint(0, 2),
                        "description": f"{TypeSoutien(type_).label} accordé par {commune.nom}.",
                    }
                )

    def _statut(self, maturite):
        tirage = self.rng.random()
        for statut, part in (
            (Statut.NON_CONCERNE, 0.05),
            (Statut.REALISE, 0.10 + 0.45 * maturite),
            (Statut.EN_COURS, 0.20),
            (Statut.ENGAGE, 0.15),
        ):
            if tirage < part:
                return statut
            tirage -= part
        return Statut.NON_RENSEIGNE

    def _engagement(self, commune, action, signature, maturite, lot):
        """One engagement, its evidence, milestones and history rows, into `lot`.
        Returns its status, whether it has evidence, and its changes (moment, statut,
        avancement), oldest first."""
        rng = self.rng
        statut = self._statut(maturite)
        avancement = rng.randrange(10, 95, 5) if statut == Statut.EN_COURS else None
        date_cible = None
        if statut == Statut.ENGAGE or (
            statut in (Statut.EN_COURS, Statut.REALISE) and rng.random() < 0.6
        ):
            date_cible = DATE_REFERENCE + datetime.timedelta(days=rng.randint(-200, 800))
        renseigne = statut != Statut.NON_RENSEIGNE
        pk = self.ecrivain.cle(Engagement)
        ligne = {
            "id": pk,
            "commune_id": commune.pk,
            "action_id": action.pk,
            "statut": statut,
            "avancement": avancement,
            "date_cible": date_cible,
            "pilote_nom": f"{rng.choice(PRENOMS)} {rng.choice(NOMS)}"
            if renseigne and rng.random() < 0.6
            else "",
            "description": rng.choice(DESCRIPTIONS) if renseigne else "",
            "note_interne": "À revoir en commission." if renseigne and rng.random() < 0.1 else "",
            "justification": rng.choice(JUSTIFICATIONS) if statut == Statut.NON_CONCERNE else "",
        }

        # The states it went through, as seed_demo draws them, one history row each.
        if statut == Statut.REALISE:
            reculs = rng.randint(1, 3)
        elif statut == Statut.EN_COURS:
            reculs = rng.randint(0, 2)
        elif statut == Statut.ENGAGE:
            reculs = rng.randint(0, 1)
        else:
            reculs = 0
        etats = []
        for recul in range(reculs, -1, -1):
            etat = etat_anterieur(statut, avancement, recul)
            if not etats or etats[-1] != etat:
                etats.append(etat)
        jour = signature + datetime.timedelta(days=rng.randint(0, 45))
        pas = max(1, (DATE_REFERENCE - jour).days // len(etats))
        changements = []
        for rang, (statut_alors, avancement_alors) in enumerate(etats):
            if rang:
                jour += datetime.timedelta(days=rng.randint(1, pas))
            changements.append((moment(jour, rng.randrange(540)), statut_alors, avancement_alors))
        ligne["created_at"], ligne["updated_at"] = changements[0][0], changements[-1][0]
        lot.engagements.append(ligne)
        for rang, (quand, statut_alors, avancement_alors) in enumerate(changements):
            # Before anything was declared, nothing else was filled in either.
            vide = statut_alors == Statut.NON_RENSEIGNE
            lot.historique_engagements.append(
                ligne
                | {
                    "statut": statut_alors,
                    "avancement": avancement_alors,
                    "date_cible": None if vide else date_cible,
                    "pilote_nom": "" if vide else ligne["pilote_nom"],
                    "description": "" if vide else ligne["description"],
                    "note_interne": "" if vide else ligne["note_interne"],
                    "updated_at": quand,
                    "history_date": quand,
                    "history_type": "+" if rang == 0 else "~",
                }
            )

        # Evidence comes before `réalisé` (the services refuse it otherwise), the same
        # morning: after the previous change, made on an earlier day.
        dernier = changements[-1][0]
        preuves = 0
        if statut == Statut.REALISE:
            preuves = rng.randint(1, 3)
        elif statut == Statut.EN_COURS and rng.random() < 0.25:
            preuves = 1
        for rang in range(preuves):
            nature = rng.choice(NATURES_PREUVES)
            cree = dernier - datetime.timedelta(minutes=20 * (rang + 1))
            preuve = {
                "id": self.ecrivain.cle(Preuve),
                "engagement_id": pk,
                "titre": f"{TITRES_PREUVES[nature]} ({action.code})",
                "nature": nature,
                "url": f"https://{commune.slug}.test/documents/{action.code}-{rang + 1}.pdf",
                "date": cree.date() - datetime.timedelta(days=rng.randint(0, 60)),
                "publique": rng.random() < 0.9,
                "created_at": cree,
            }
            lot.preuves.append(preuve)
            lot.historique_preuves.append(preuve | {"history_date": cree})

        if renseigne and statut != Statut.NON_CONCERNE and rng.random() < 0.4:
            for _ in range(rng.randint(1, 3)):
                date = changements[0][0].date() + datetime.timedelta(days=rng.randint(30, 600))
                jalon = {
                    "id": self.ecrivain.cle(Jalon),
                    "engagement_id": pk,
                    "date": date,
                    "titre": rng.choice(TITRES_JALONS),
                    "atteint": date <= DATE_REFERENCE and rng.random() < 0.8,
                }
                lot.jalons.append(jalon)
                lot.historique_jalons.append(
                    jalon | {"history_date": changements[0][0] + datetime.timedelta(minutes=5)}
                )
        return statut, preuves > 0, changements

    def _instantanes(self, commune, evenements, a_preuve, lot):
        """A few snapshots over time; the latest is the current score, as
        `axes.services.snapshot_enregistrer` would have left it."""
        rng = self.rng
        evenements.sort(key=lambda e: e[0])
        jours = sorted({quand.date() for quand, *_ in evenements})
        if len(jours) > 4:
            jours = sorted(rng.sample(jours[:-1], 3)) + [jours[-1]]
        precedent = None
        etats, suivant = {}, 0
        debut = len(lot.instantanes)
        for jour in jours:
            while suivant < len(evenements) and evenements[suivant][0].date() <= jour:
                _, action_pk, statut, avancement = evenements[suivant]
                etats[action_pk] = Etat(statut, avancement, a_preuve[action_pk])
                suivant += 1
            valeurs = snapshot_valeurs(calculer_score(entrees(self.actions, etats)))
            if valeurs == precedent:
                continue  # unchanged: snapshot_enregistrer keeps no snapshot either
            precedent = valeurs
            lot.instantanes.append(
                {
                    "commune_id": commune.pk,
                    "referentiel_id": self.guide.pk,
                    "date": jour,
                    "courant": False,
                    **valeurs,
                }
            )
        if len(lot.instantanes) > debut:
            lot.instantanes[-1]["courant"] = True


@dataclass
class Lot:
    """The rows of a batch of engaged communes, written together."""

    signatures: list = field(default_factory=list)
    engagements: list = field(default_factory=list)
    historique_engagements: list = field(default_factory=list)
    preuves: list = field(default_factory=list)
    historique_preuves: list = field(default_factory=list)
    jalons: list = field(default_factory=list)
    historique_jalons: list = field(default_factory=list)
    instantanes: list = field(default_factory=list)
    referents: list = field(default_factory=list)
    soutiens: list = field(default_factory=list)

    def ecrire(self, ecrivain):
        ecrivain.ecrire(Signature, self.signatures)
        ecrivain.ecrire(Engagement, self.engagements, historique=False)
        ecrivain.ecrire_historique(Engagement, self.historique_engagements)
        ecrivain.ecrire(Preuve, self.preuves, historique=False)
        ecrivain.ecrire_historique(Preuve, self.historique_preuves)
        ecrivain.ecrire(Jalon, self.jalons, historique=False)
        ecrivain.ecrire_historique(Jalon, self.historique_jalons)
        ecrivain.ecrire(ScoreSnapshot, self.instantanes)
        ecrivain.ecrire(EluReferent, self.referents)
        ecrivain.ecrire(Soutien, self.soutiens)


def _cumul(poids):
    """Cumulative weights, for `random.choices(cum_weights=…)`: summed once, not per draw."""
    total, cumul = 0, []
    for valeur in poids:
        total += valeur
        cumul.append(total)
    return cumul
