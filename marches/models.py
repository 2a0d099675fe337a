from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, OrderBy, Q
from simple_history.models import HistoricalRecords

from commune.concurrence import Versionne
from commune.models import SIRET_REGEX, valider_siret

from .enums import (
    BaseLegale,
    ConsiderationEnvironnementale,
    ConsiderationSociale,
    FormePrix,
    Nature,
    Procedure,
    TypeCodeLieu,
    TypeIdentifiant,
)

CPV_REGEX = r"^[0-9]{8}(-[0-9])?$"
valider_cpv = RegexValidator(
    CPV_REGEX, "Un code CPV compte 8 chiffres, éventuellement suivis d'un tiret et d'un chiffre."
)

# Bounds of what a follow-up may declare; beyond them a figure is a typing mistake
# (see marches/services.py for the rules that combine them).
HEURES_MAX = 1_000_000
PERSONNES_MAX = 10_000

# Share of a year's notified contracts that should carry at least one social
# consideration (Plan national pour des achats durables 2022-2025).
CIBLE_PNAD_CONSIDERATION_SOCIALE = 30


# The DECP values of the considerations, and the flag of a contract that holds each one.
SOCIALES = {
    ConsiderationSociale.CLAUSE: "clause_sociale",
    ConsiderationSociale.CRITERE: "critere_social",
    ConsiderationSociale.RESERVE: "marche_reserve",
}
ENVIRONNEMENTALES = {
    ConsiderationEnvironnementale.CLAUSE: "clause_environnementale",
    ConsiderationEnvironnementale.CRITERE: "critere_environnemental",
}

AVEC_CONSIDERATION_SOCIALE = (
    Q(clause_sociale=True) | Q(critere_social=True) | Q(marche_reserve=True)
)


# Newest first, the contracts published without any date (a DECP v1 record may have
# neither `dateNotification` nor `datePublicationDonnees`) last rather than first, where
# PostgreSQL puts NULL in a descending order.
ORDRE_RECENTS = (F("date_notification").desc(nulls_last=True), "id_decp", "pk")


class IndexNullsLast(models.Index):
    """An index ordered `NULLS LAST`, which SQLite cannot create: there (development only)
    it is built without it. PostgreSQL reads the contracts in `ORDRE_RECENTS` off it."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "sqlite":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        expressions = [
            OrderBy(e.expression, descending=e.descending) if isinstance(e, OrderBy) else e
            for e in self.expressions
        ]
        index = models.Index(*expressions, name=self.name)
        return index.create_sql(model, schema_editor, using=using, **kwargs)


class MarcheQuerySet(models.QuerySet):
    def avec_consideration_sociale(self):
        return self.filter(AVEC_CONSIDERATION_SOCIALE)

    def hors_concessions(self):
        """The public contracts the national target is about: concession contracts (a
        service delegated, paid by its users) are listed but not counted in the share."""
        return self.exclude(nature=Nature.CONCESSION)

    def de_la_commune(self, commune):
        return self.filter(commune=commune)

    def publies(self):
        """What the public pages show: the contracts the commune has not unpublished."""
        return self.filter(publie=True)

    def recents_d_abord(self):
        """Newest first; a contract whose notification date is unknown comes last."""
        return self.order_by(*ORDRE_RECENTS)

    def de_l_annee(self, annee):
        """Contracts notified in `annee` (every year when it is None)."""
        return self if annee is None else self.filter(date_notification__year=annee)


class Marche(Versionne):
    """A public contract, in the vocabulary of the DECP v2."""

    id_decp = models.CharField("identifiant DECP", max_length=64)
    acheteur_siret = models.CharField(
        "SIRET de l'acheteur", max_length=14, validators=[valider_siret]
    )
    # No index of their own: (commune, date) and (epci, date) below serve both, and
    # every index is one more write per contract in a national DECP import.
    commune = models.ForeignKey(
        "commune.Commune",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="marches",
        db_index=False,
    )
    epci = models.ForeignKey(
        "commune.EPCI",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="marches",
        db_index=False,
    )
    objet = models.TextField()
    # Empty when the DECP record gives none or a malformed one (the contract is then
    # `incomplet`); a form still requires it.
    code_cpv = models.CharField("code CPV", max_length=10, validators=[valider_cpv])
    procedure = models.CharField("procédure", max_length=80, choices=Procedure.choices)
    nature = models.CharField(max_length=40, choices=Nature.choices, default=Nature.MARCHE)
    # Null when unknown: DECP files write 0, "NC" or NaN for an amount they do not give,
    # and a 0 would lower the commune's figures without saying so. A form still requires it.
    montant = models.DecimalField(
        "montant (€ HT)",
        max_digits=14,
        decimal_places=2,
        null=True,
        validators=[MinValueValidator(0)],
    )
    # What the contract said when notified, before its DECP `modifications` (the
    # latest amount and duration win in `montant` and `duree_mois`). Empty for a
    # contract entered by hand.
    montant_initial = models.DecimalField(
        "montant initial (€ HT)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    # Null when the DECP record gives no date at all (the contract is then `incomplet`);
    # a form still requires it.
    date_notification = models.DateField("date de notification", null=True)
    date_publication = models.DateField("date de publication des données", null=True, blank=True)
    duree_mois = models.PositiveSmallIntegerField(
        "durée (mois)", null=True, validators=[MinValueValidator(1), MaxValueValidator(999)]
    )
    duree_mois_initiale = models.PositiveSmallIntegerField(
        "durée initiale (mois)", null=True, blank=True
    )
    forme_prix = models.CharField(
        "forme du prix", max_length=12, choices=FormePrix.choices, blank=True
    )
    lieu_code = models.CharField("lieu d'exécution (code)", max_length=10, blank=True)
    lieu_type_code = models.CharField(
        "lieu d'exécution (type de code)", max_length=25, choices=TypeCodeLieu.choices, blank=True
    )
    # The four DECP values of considerationsSociales, kept as flags so that
    # "at least one social consideration" is a plain indexed filter.
    clause_sociale = models.BooleanField(default=False)
    critere_social = models.BooleanField("critère social", default=False)
    marche_reserve = models.BooleanField("marché réservé", default=False)
    clause_environnementale = models.BooleanField(default=False)
    critere_environnemental = models.BooleanField("critère environnemental", default=False)
    # Unknown is not "no": DECP v1 files (2019-2023) have no considerations at all. When a
    # record does not give them, the flags above are all false and these say so.
    sociales_connues = models.BooleanField("considérations sociales renseignées", default=True)
    environnementales_connues = models.BooleanField(
        "considérations environnementales renseignées", default=True
    )
    # A DECP record lacking an optional field (procedure, CPV, duration, amount,
    # notification date…) is kept, flagged, with what it lacks.
    incomplet = models.BooleanField(default=False)
    manques = models.CharField("ce qui manque", max_length=300, blank=True)
    # Lots of one procedure share the DECP `id`: this tells them apart (see
    # marches/decp/champs.py, `cle_lot`). Empty for a contract entered by hand.
    cle_lot = models.CharField("clé du lot", max_length=16, blank=True, default="")
    # DECP data are public already; a member may still take a contract off the
    # public pages (entered by mistake, duplicate…). Members keep seeing it.
    publie = models.BooleanField(
        "publié",
        default=True,
        help_text="Décochez pour retirer ce marché de la page publique de la commune.",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    history = HistoricalRecords()
    objects = MarcheQuerySet.as_manager()

    class Meta:
        verbose_name = "marché public"
        verbose_name_plural = "marchés publics"
        ordering = [F("date_notification").desc(nulls_last=True), "id_decp"]
        constraints = [
            models.UniqueConstraint(
                fields=["acheteur_siret", "id_decp", "cle_lot"], name="marches_marche_unique_decp"
            ),
            models.CheckConstraint(
                condition=Q(acheteur_siret__regex=SIRET_REGEX),
                name="marches_marche_acheteur_siret_shape",
            ),
            models.CheckConstraint(
                condition=Q(code_cpv="") | Q(code_cpv__regex=CPV_REGEX),
                name="marches_marche_cpv_shape",
            ),
            models.CheckConstraint(
                condition=Q(montant__isnull=True) | Q(montant__gte=0),
                name="marches_marche_montant",
            ),
            models.CheckConstraint(
                condition=Q(duree_mois__isnull=True) | Q(duree_mois__gte=1),
                name="marches_marche_duree",
            ),
            models.CheckConstraint(
                condition=Q(montant_initial__isnull=True) | Q(montant_initial__gte=0),
                name="marches_marche_montant_initial",
            ),
        ]
        indexes = [
            models.Index(fields=["commune", "date_notification"], name="marches_commune_date_idx"),
            models.Index(fields=["epci", "date_notification"], name="marches_epci_date_idx"),
            # The order of the API's list of contracts: a page is read off the index.
            IndexNullsLast(
                F("date_notification").desc(nulls_last=True),
                "id_decp",
                "id",
                name="marches_recents_idx",
            ),
        ]

    def __str__(self):
        return f"{self.id_decp} — {self.objet[:60]}"

    @property
    def a_consideration_sociale(self):
        return self.clause_sociale or self.critere_social or self.marche_reserve

    @property
    def considerations_environnementales(self):
        """The DECP values, as a list, for display and export."""
        if not self.environnementales_connues:
            return ["Non renseigné"]
        valeurs = [
            label
            for flag, label in (
                (self.clause_environnementale, "Clause environnementale"),
                (self.critere_environnemental, "Critère environnemental"),
            )
            if flag
        ]
        return valeurs or ["Pas de considération environnementale"]

    @property
    def considerations_sociales(self):
        """The DECP values, as a list, for display and export."""
        if not self.sociales_connues:
            return ["Non renseigné"]
        valeurs = [
            label
            for flag, label in (
                (self.clause_sociale, "Clause sociale"),
                (self.critere_social, "Critère social"),
                (self.marche_reserve, "Marché réservé"),
            )
            if flag
        ]
        return valeurs or ["Pas de considération sociale"]


class Titulaire(models.Model):
    # Indexed by the unique (marche, type, identifiant) constraint, which starts with it.
    marche = models.ForeignKey(
        Marche, on_delete=models.CASCADE, related_name="titulaires", db_index=False
    )
    type_identifiant = models.CharField(
        "type d'identifiant",
        max_length=10,
        choices=TypeIdentifiant.choices,
        default=TypeIdentifiant.SIRET,
    )
    identifiant = models.CharField(max_length=30)
    denomination = models.CharField("dénomination", max_length=200, blank=True)
    structure = models.ForeignKey(
        "structures.Structure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="marches_tenus",
    )

    # Nobody looks a holder's history up by structure; by contract, yes.
    history = HistoricalRecords(no_db_index=["structure"])

    class Meta:
        ordering = ["marche", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["marche", "type_identifiant", "identifiant"],
                name="marches_titulaire_unique",
            ),
            models.CheckConstraint(
                condition=~Q(type_identifiant="SIRET") | Q(identifiant__regex=SIRET_REGEX),
                name="marches_titulaire_siret_shape",
            ),
        ]

    def __str__(self):
        return self.denomination or f"{self.type_identifiant} {self.identifiant}"


class ClauseSociale(models.Model):
    marche = models.ForeignKey(Marche, on_delete=models.CASCADE, related_name="clauses")
    base_legale = models.CharField("base légale", max_length=10, choices=BaseLegale.choices)
    heures_prevues = models.PositiveIntegerField(
        "heures d'insertion prévues",
        null=True,
        blank=True,
        validators=[MaxValueValidator(HEURES_MAX)],
    )
    facilitateur_nom = models.CharField("facilitateur (nom)", max_length=200, blank=True)
    facilitateur_organisation = models.CharField(
        "facilitateur (organisation)", max_length=200, blank=True
    )
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "clause sociale"
        verbose_name_plural = "clauses sociales"
        ordering = ["marche", "pk"]

    def __str__(self):
        return f"{self.get_base_legale_display()} — {self.marche.id_decp}"


class SuiviHeures(models.Model):
    """Hours of insertion actually done under a clause, for one period."""

    clause = models.ForeignKey(ClauseSociale, on_delete=models.CASCADE, related_name="suivis")
    periode_debut = models.DateField("début de période")
    periode_fin = models.DateField("fin de période")
    heures_realisees = models.DecimalField(
        "heures réalisées",
        max_digits=9,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(HEURES_MAX)],
    )
    personnes_embauchees = models.PositiveIntegerField(
        "personnes embauchées", default=0, validators=[MaxValueValidator(PERSONNES_MAX)]
    )
    contrats_signes = models.PositiveIntegerField(
        "contrats de travail signés", default=0, validators=[MaxValueValidator(PERSONNES_MAX)]
    )
    saisi_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="saisi par",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "suivi des heures"
        verbose_name_plural = "suivis des heures"
        ordering = ["clause", "periode_debut"]
        constraints = [
            models.CheckConstraint(
                condition=Q(periode_fin__gte=F("periode_debut")),
                name="marches_suivi_periode_ordonnee",
            ),
            models.CheckConstraint(
                condition=Q(heures_realisees__gte=0), name="marches_suivi_heures_positives"
            ),
        ]

    def __str__(self):
        return f"{self.clause} : {self.heures_realisees} h"
