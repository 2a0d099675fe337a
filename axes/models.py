from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from commune.concurrence import Versionne

from .enums import NaturePreuve, Statut, TypeReferentiel


class ReferentielQuerySet(models.QuerySet):
    def actifs(self):
        return self.filter(actif=True)

    def guide(self):
        """The current version of the guide, the referential communes are scored against."""
        return self.actifs().filter(type=TypeReferentiel.GUIDE).order_by("-version").first()


class Referentiel(models.Model):
    """A versioned list of commitments: the guide, or the 2020 campaign propositions."""

    code = models.SlugField(max_length=80)
    version = models.CharField(max_length=20)
    type = models.CharField(max_length=20, choices=TypeReferentiel.choices)
    titre = models.CharField(max_length=200)
    source = models.CharField(
        max_length=300, help_text="Le document d'origine, cité par son titre et son éditeur."
    )
    description = models.TextField(blank=True)
    actif = models.BooleanField(default=True)

    objects = ReferentielQuerySet.as_manager()

    class Meta:
        verbose_name = "référentiel"
        ordering = ["type", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="axes_referentiel_version"),
        ]

    def __str__(self):
        return f"{self.titre} ({self.version})"


class Axe(models.Model):
    referentiel = models.ForeignKey(
        Referentiel, on_delete=models.CASCADE, related_name="axes", verbose_name="référentiel"
    )
    numero = models.PositiveSmallIntegerField("numéro")
    titre = models.CharField(max_length=200)
    resume = models.TextField("résumé", blank=True)

    class Meta:
        ordering = ["referentiel", "numero"]
        constraints = [
            models.UniqueConstraint(fields=["referentiel", "numero"], name="axes_axe_numero"),
        ]

    def __str__(self):
        return f"{self.numero}. {self.titre}"


class Action(models.Model):
    # The referential is repeated here so the database can hold the code unique
    # within it; save() keeps it equal to the axis's.
    referentiel = models.ForeignKey(
        Referentiel,
        on_delete=models.CASCADE,
        related_name="actions",
        editable=False,
        verbose_name="référentiel",
    )
    axe = models.ForeignKey(Axe, on_delete=models.CASCADE, related_name="actions")
    code = models.CharField(max_length=10, help_text="Par exemple 1.2 : axe 1, action 2.")
    titre = models.CharField(max_length=200)
    resume = models.TextField("résumé", blank=True)
    poids = models.PositiveSmallIntegerField(
        default=1, help_text="Poids de l'action dans le score de son axe."
    )
    ordre = models.PositiveSmallIntegerField(default=0)
    correspondances = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="propositions",
        help_text="Les actions du guide que sert cet engagement.",
    )

    class Meta:
        ordering = ["referentiel", "ordre", "code"]
        constraints = [
            models.UniqueConstraint(fields=["referentiel", "code"], name="axes_action_code"),
            models.CheckConstraint(condition=Q(poids__gte=1), name="axes_action_poids_positif"),
        ]

    def __str__(self):
        return f"{self.code} {self.titre}"

    def save(self, *args, **kwargs):
        self.referentiel_id = self.axe.referentiel_id
        super().save(*args, **kwargs)


class Signature(models.Model):
    """A commune's signature of a referential, backed by a council decision."""

    commune = models.ForeignKey(
        "commune.Commune", on_delete=models.CASCADE, related_name="signatures"
    )
    referentiel = models.ForeignKey(
        Referentiel,
        on_delete=models.PROTECT,
        related_name="signatures",
        verbose_name="référentiel",
    )
    date_signature = models.DateField("signé le")
    deliberation_numero = models.CharField("numéro de la délibération", max_length=50, blank=True)
    deliberation_date = models.DateField("date de la délibération", null=True, blank=True)
    deliberation_fichier = models.FileField(
        "délibération (PDF)", upload_to="deliberations/", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créé par",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date_signature"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "referentiel"], name="axes_signature_unique"
            ),
        ]

    def __str__(self):
        return f"{self.commune} a signé {self.referentiel} le {self.date_signature:%d/%m/%Y}"


class EngagementQuerySet(models.QuerySet):
    def de(self, commune, referentiel):
        return self.filter(commune=commune, action__referentiel=referentiel)

    def avec_nombre_preuves(self):
        return self.annotate(nombre_preuves=models.Count("preuves"))


class Engagement(Versionne):
    """Where a commune stands on one action."""

    commune = models.ForeignKey(
        "commune.Commune", on_delete=models.CASCADE, related_name="engagements"
    )
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="engagements")
    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.NON_RENSEIGNE)
    avancement = models.PositiveSmallIntegerField(
        "avancement (%)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text="Pour une action en cours : de 0 à 100 %.",
    )
    date_cible = models.DateField("date cible", null=True, blank=True)
    pilote = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="engagements_pilotes",
    )
    pilote_nom = models.CharField("pilote (nom libre)", max_length=200, blank=True)
    description = models.TextField("description publique", blank=True)
    note_interne = models.TextField(
        "note interne", blank=True, help_text="Visible des seuls membres de la commune."
    )
    justification = models.TextField(
        blank=True, help_text="Obligatoire quand l'action est « non concerné »."
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    history = HistoricalRecords()
    objects = EngagementQuerySet.as_manager()

    # What a member fills in, in the order of the form, the history and the CSV.
    CHAMPS_SAISIS = (
        "statut",
        "avancement",
        "date_cible",
        "pilote",
        "pilote_nom",
        "description",
        "note_interne",
        "justification",
    )

    class Meta:
        ordering = ["commune", "action"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "action"], name="axes_engagement_unique"),
            models.CheckConstraint(
                condition=Q(statut__in=Statut.values), name="axes_engagement_statut_connu"
            ),
            models.CheckConstraint(
                condition=Q(avancement__isnull=True) | Q(avancement__lte=100),
                name="axes_engagement_avancement_0_100",
            ),
            models.CheckConstraint(
                condition=~Q(statut=Statut.NON_CONCERNE) | ~Q(justification=""),
                name="axes_engagement_non_concerne_justifie",
            ),
        ]
        indexes = [
            models.Index(fields=["commune", "statut"], name="axes_engagement_statut_idx"),
            # The last update of a commune, which the directory shows and sorts on.
            models.Index(fields=["commune", "-updated_at"], name="axes_engagement_maj_idx"),
        ]

    def __str__(self):
        return f"{self.commune} — {self.action.code} : {self.statut}"

    def clean(self):
        errors = {}
        if self.statut == Statut.NON_CONCERNE and not self.justification.strip():
            errors["justification"] = "Expliquez pourquoi la commune n'est pas concernée."
        if self.statut == Statut.EN_COURS and self.avancement is None:
            errors["avancement"] = "Indiquez l'avancement, de 0 à 100 %."
        if self.statut == Statut.ENGAGE and self.date_cible is None:
            errors["date_cible"] = "Un engagement se prend avec une date cible."
        if errors:
            raise ValidationError(errors)

    @property
    def nom_pilote(self):
        if self.pilote_id:
            return self.pilote.nom_affiche
        return self.pilote_nom


class Preuve(models.Model):
    """A piece of evidence: a link or an uploaded file, public or members-only."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="preuves")
    titre = models.CharField(max_length=200)
    nature = models.CharField(
        max_length=20, choices=NaturePreuve.choices, default=NaturePreuve.AUTRE
    )
    url = models.URLField("lien", max_length=500, blank=True)
    fichier = models.FileField(upload_to="preuves/%Y/", blank=True)
    date = models.DateField("date du document")
    publique = models.BooleanField(
        default=True, help_text="Une preuve non publique n'est visible que des membres."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créé par",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(fichier="")) | (~Q(url="") & Q(fichier="")),
                name="axes_preuve_lien_ou_fichier",
                violation_error_message="Une preuve est soit un lien, soit un fichier : "
                "renseignez l'un des deux, pas les deux.",
            ),
        ]

    def __str__(self):
        return self.titre


class Jalon(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="jalons")
    date = models.DateField()
    titre = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    atteint = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "jalon"
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.titre}"


class ScoreSnapshot(models.Model):
    """Both figures, overall and per axis, as they stood on a day."""

    # A merged commune keeps its own score history (commune.fusion).
    HISTOIRE_DE_LA_COMMUNE = True

    commune = models.ForeignKey(
        "commune.Commune", on_delete=models.CASCADE, related_name="snapshots"
    )
    referentiel = models.ForeignKey(
        Referentiel, on_delete=models.CASCADE, related_name="snapshots", verbose_name="référentiel"
    )
    date = models.DateField()
    avancement = models.DecimalField(max_digits=6, decimal_places=3)
    taux_engagement = models.DecimalField("taux d'engagement", max_digits=6, decimal_places=3)
    par_axe = models.JSONField(
        default=dict,
        help_text="Par numéro d'axe : avancement, taux d'engagement, nombre d'actions par statut.",
    )
    courant = models.BooleanField(
        "score actuel",
        default=False,
        help_text="Le plus récent de la commune : son score actuel, que l'annuaire trie et filtre.",
    )

    class Meta:
        verbose_name = "instantané de score"
        verbose_name_plural = "instantanés de score"
        ordering = ["commune", "referentiel", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "referentiel", "date"], name="axes_snapshot_par_jour"
            ),
            # One current score a commune: the directory joins it to sort and filter
            # 35,000 communes at once, where a lookup per commune would be slow.
            models.UniqueConstraint(
                fields=["commune", "referentiel"],
                condition=Q(courant=True),
                name="axes_snapshot_un_courant",
            ),
        ]

    def __str__(self):
        return f"{self.commune} {self.date}: {self.avancement} %"


class StatutAvis(models.TextChoices):
    EN_ATTENTE = "en attente", "En attente de modération"
    APPROUVE = "approuvé", "Approuvé"
    REFUSE = "refusé", "Refusé"


class AvisQuerySet(models.QuerySet):
    def approuves(self):
        return self.filter(statut=StatutAvis.APPROUVE)

    def en_attente(self):
        return self.filter(statut=StatutAvis.EN_ATTENTE)


class Avis(models.Model):
    """A citizen's opinion on one action of a commune, published once moderated.

    Anyone may leave one without an account; nothing identifies the author but
    the name they chose to give. No IP address is stored: the rate limit counts
    in the cache, under a hashed key that expires.
    """

    MESSAGE_MAX = 2000

    commune = models.ForeignKey("commune.Commune", on_delete=models.CASCADE, related_name="avis")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="avis")
    nom = models.CharField("nom ou pseudonyme", max_length=100, blank=True, help_text="Facultatif.")
    message = models.TextField(max_length=MESSAGE_MAX, validators=[MaxLengthValidator(MESSAGE_MAX)])
    consentement = models.BooleanField(
        "consentement à la publication",
        default=False,
        help_text="L'auteur accepte que son avis soit publié après modération.",
    )
    statut = models.CharField(
        max_length=12, choices=StatutAvis.choices, default=StatutAvis.EN_ATTENTE
    )
    created_at = models.DateTimeField("déposé le", auto_now_add=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="modéré par",
    )
    moderated_at = models.DateTimeField("modéré le", null=True, blank=True)

    objects = AvisQuerySet.as_manager()

    class Meta:
        verbose_name = "avis d'habitant"
        verbose_name_plural = "avis d'habitants"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(statut__in=StatutAvis.values), name="axes_avis_statut_connu"
            ),
            models.CheckConstraint(condition=Q(consentement=True), name="axes_avis_consenti"),
        ]
        indexes = [
            models.Index(fields=["commune", "statut", "action"], name="axes_avis_commune_idx"),
        ]

    def __str__(self):
        return f"Avis sur {self.action.code} ({self.commune}) — {self.get_statut_display()}"

    @property
    def auteur(self):
        return self.nom or "Anonyme"

    def moderer(self, *, statut, par):
        """Approves or refuses the opinion; saved one by one so that signals see it."""
        self.statut = statut
        self.moderated_by = par
        self.moderated_at = timezone.now()
        self.save(update_fields=["statut", "moderated_by", "moderated_at"])
