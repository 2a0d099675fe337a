import re

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from .enums import NatureEPCI, Role, StatutDemande, StatutRapport, TypeRattachement

CODE_INSEE_REGEX = r"^([0-9]{2}|2A|2B)[0-9]{3}$"
SIREN_REGEX = r"^[0-9]{9}$"
SIRET_REGEX = r"^[0-9]{14}$"

valider_code_insee = RegexValidator(
    CODE_INSEE_REGEX, "Un code INSEE compte 5 caractères : 2 chiffres (ou 2A/2B) puis 3 chiffres."
)
valider_siren = RegexValidator(SIREN_REGEX, "Un SIREN compte exactement 9 chiffres.")
valider_siret = RegexValidator(SIRET_REGEX, "Un SIRET compte exactement 14 chiffres.")


class Region(models.Model):
    # Two digits for the 18 régions; the overseas collectivities (975, 977…) stand as
    # their own région in the COG, with their 3-digit code.
    code = models.CharField("code INSEE", max_length=3, unique=True)
    nom = models.CharField(max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    nom = models.CharField(max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.nom} ({self.code})"


class EPCI(models.Model):
    siren = models.CharField("SIREN", max_length=9, unique=True, validators=[valider_siren])
    nom = models.CharField(max_length=200)
    nature = models.CharField(max_length=5, choices=NatureEPCI.choices)
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)

    class Meta:
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        ordering = ["nom"]
        constraints = [
            models.CheckConstraint(
                condition=Q(siren__regex=SIREN_REGEX), name="commune_epci_siren_shape"
            ),
        ]

    def __str__(self):
        return self.nom


def condition_de_recherche(texte: str) -> Q:
    """A commune by name or INSEE code, and by what else people type: a postcode
    ("35000"), the name or code of a commune déléguée or of an arrondissement
    ("Marseille 16e")."""
    condition = Q(nom__icontains=texte) | Q(code_insee__iexact=texte)
    if re.fullmatch(r"[0-9]{5}", texte):
        condition |= Q(pk__in=CodePostal.objects.filter(code=texte).values("commune"))
    rattachees = CommuneRattachee.objects.filter(Q(nom__icontains=texte) | Q(code=texte))
    return condition | Q(pk__in=rattachees.values("commune"))


class CommuneQuerySet(models.QuerySet):
    def actuelles(self):
        """The communes of today's map: not merged into another one."""
        return self.filter(fusionnee_dans__isnull=True)

    def recherche(self, texte):
        return self.filter(condition_de_recherche(texte))

    def signataires(self, referentiel):
        return self.filter(signatures__referentiel=referentiel)

    def avec_geographie(self):
        return self.select_related("departement__region", "epci")


class Commune(models.Model):
    code_insee = models.CharField(
        "code INSEE", max_length=5, unique=True, validators=[valider_code_insee]
    )
    nom = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)
    epci = models.ForeignKey(
        EPCI, on_delete=models.SET_NULL, null=True, blank=True, related_name="communes"
    )
    siret_mairie = models.CharField(
        "SIRET de la mairie",
        max_length=14,
        blank=True,
        validators=[valider_siret],
        help_text="Sert à rattacher les marchés publics dont la mairie est l'acheteur.",
    )
    siren = models.CharField(
        "SIREN",
        max_length=9,
        blank=True,
        validators=[valider_siren],
        help_text="Celui de la commune (collectivité) : les marchés dont l'acheteur a un SIRET "
        "commençant par ce SIREN lui sont rattachés.",
    )
    fusionnee_dans = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fusionnees",
        verbose_name="fusionnée dans",
        help_text="La commune nouvelle (ou la commune de rattachement) qui l'a absorbée.",
    )
    fusionnee_le = models.DateField("fusionnée le", null=True, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("mise à jour le", auto_now=True)

    history = HistoricalRecords()
    objects = CommuneQuerySet.as_manager()

    class Meta:
        ordering = ["nom", "code_insee"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code_insee__regex=CODE_INSEE_REGEX),
                name="commune_commune_code_insee_shape",
            ),
            models.CheckConstraint(
                condition=Q(siret_mairie="") | Q(siret_mairie__regex=SIRET_REGEX),
                name="commune_commune_siret_mairie_shape",
            ),
            models.CheckConstraint(
                condition=Q(siren="") | Q(siren__regex=SIREN_REGEX),
                name="commune_commune_siren_shape",
            ),
            models.UniqueConstraint(
                fields=["siren"], condition=~Q(siren=""), name="commune_commune_siren_unique"
            ),
            models.CheckConstraint(
                condition=~Q(fusionnee_dans=models.F("pk")), name="commune_commune_pas_en_soi"
            ),
        ]
        indexes = [
            models.Index(fields=["siret_mairie"], name="commune_siret_mairie_idx"),
            # The directory's default order: a page is read off the index.
            models.Index(fields=["nom", "code_insee"], name="commune_nom_idx"),
        ]

    def __str__(self):
        return f"{self.nom} ({self.code_insee})"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.nom)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("commune:scorecard", args=[self.code_insee])

    @property
    def est_actuelle(self):
        return self.fusionnee_dans_id is None

    def actuelle(self) -> "Commune":
        """The commune of today's map that this one became (itself when never merged)."""
        commune, vues = self, {self.pk}
        while commune.fusionnee_dans_id is not None and commune.fusionnee_dans_id not in vues:
            vues.add(commune.fusionnee_dans_id)
            commune = commune.fusionnee_dans
        return commune

    @classmethod
    def actuelle_pour_le_code(cls, code: str) -> "Commune | None":
        """The current commune that an INSEE code leads to when it is not a current
        commune's own: a merged commune, a commune déléguée or associée, a municipal
        arrondissement. None when the code is a current commune's, or leads nowhere."""
        commune = cls.objects.filter(code_insee=code).first()
        if commune is not None:
            return None if commune.est_actuelle else commune.actuelle()
        rattachee = (
            CommuneRattachee.objects.filter(code=code)
            .select_related("commune")
            .order_by("type")
            .first()
        )
        return rattachee.commune.actuelle() if rattachee else None


class CommuneRattachee(models.Model):
    """A commune déléguée or associée, or a municipal arrondissement: a code and a name
    that people still use (on letters, in searches) and that lead to their commune."""

    code = models.CharField("code INSEE", max_length=5, validators=[valider_code_insee])
    nom = models.CharField(max_length=200)
    type = models.CharField(max_length=4, choices=TypeRattachement.choices)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="rattachees")

    class Meta:
        verbose_name = "commune déléguée, associée ou arrondissement"
        verbose_name_plural = "communes déléguées, associées et arrondissements"
        ordering = ["code", "type"]
        constraints = [
            models.UniqueConstraint(fields=["type", "code"], name="commune_rattachee_unique"),
        ]
        indexes = [models.Index(fields=["code"], name="commune_rattachee_code_idx")]

    def __str__(self):
        return f"{self.nom} ({self.code}, {self.get_type_display().lower()} de {self.commune})"


class CodePostal(models.Model):
    """One of the postcodes of a commune (La Poste's base, via the official découpage)."""

    code = models.CharField(
        max_length=5,
        validators=[RegexValidator(r"^[0-9]{5}$", "Un code postal compte 5 chiffres.")],
    )
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="codes_postaux")

    class Meta:
        verbose_name = "code postal"
        verbose_name_plural = "codes postaux"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "commune"], name="commune_code_postal_unique"),
        ]

    def __str__(self):
        return self.code


class MembreCommune(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membres_commune"
    )
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="membres")
    role = models.CharField("rôle", max_length=10, choices=Role.choices, default=Role.LECTEUR)
    created_at = models.DateTimeField("depuis le", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "membre d'une commune"
        verbose_name_plural = "membres des communes"
        constraints = [
            models.UniqueConstraint(fields=["user", "commune"], name="commune_membre_unique"),
        ]

    def __str__(self):
        return f"{self.user} — {self.commune} ({self.get_role_display()})"


class Invitation(models.Model):
    """What every invitation holds; the link carries a signed, expiring token."""

    email = models.EmailField("adresse e-mail")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="invitée par",
    )
    created_at = models.DateTimeField("envoyée le", auto_now_add=True)
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    # A cancelled invitation is kept, not deleted: its link then says it was cancelled,
    # and the row says by whom.
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="annulée par",
    )

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class Demande(models.Model):
    """What every request to join holds; someone with the right decides."""

    message = models.TextField(blank=True)
    statut = models.CharField(
        max_length=12, choices=StatutDemande.choices, default=StatutDemande.EN_ATTENTE
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="décidée par",
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    created_at = models.DateTimeField("reçue le", auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class InvitationCommune(Invitation):
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField("rôle", max_length=10, choices=Role.choices, default=Role.EDITEUR)

    class Meta(Invitation.Meta):
        verbose_name = "invitation à une commune"
        verbose_name_plural = "invitations aux communes"

    def __str__(self):
        return f"{self.email} → {self.commune}"


class DemandeAdhesion(Demande):
    """A person without a commune asks to join one; platform staff decide."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="demandes_commune"
    )
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="demandes")

    class Meta(Demande.Meta):
        verbose_name = "demande d'adhésion à une commune"
        verbose_name_plural = "demandes d'adhésion aux communes"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "commune"],
                condition=Q(statut=StatutDemande.EN_ATTENTE),
                name="commune_demande_une_seule_en_attente",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.commune} ({self.statut})"


class EluReferent(models.Model):
    """The elected official in charge of ESS/IAE (guide action 2.1): public by nature."""

    commune = models.OneToOneField(Commune, on_delete=models.CASCADE, related_name="elu_referent")
    nom = models.CharField("nom et prénom", max_length=200)
    mandat = models.CharField(
        max_length=200, help_text="Par exemple : adjointe à l'économie sociale et solidaire."
    )
    depuis = models.DateField("référent depuis le", null=True, blank=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "élu référent ESS/IAE"
        verbose_name_plural = "élus référents ESS/IAE"

    def __str__(self):
        return f"{self.nom} ({self.commune})"


class Rapport(models.Model):
    """A PDF progress report, built by a Celery worker."""

    # A report on a commune that later merged stays that commune's (commune.fusion).
    HISTOIRE_DE_LA_COMMUNE = True

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="rapports")
    referentiel = models.ForeignKey(
        "axes.Referentiel",
        on_delete=models.PROTECT,
        related_name="rapports",
        verbose_name="référentiel",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="demandé par",
    )
    statut = models.CharField(
        max_length=12, choices=StatutRapport.choices, default=StatutRapport.EN_ATTENTE
    )
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    fichier = models.FileField(upload_to="rapports/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    taille = models.PositiveBigIntegerField("taille (octets)", null=True, blank=True)
    pages = models.PositiveIntegerField("nombre de pages", null=True, blank=True)
    # A build claimed, or claimed again after its worker went silent (commune.tasks).
    tentatives = models.PositiveSmallIntegerField(default=0)
    envoye_le = models.DateTimeField("envoyé à la file le", null=True, blank=True)
    envois = models.PositiveSmallIntegerField("envois à la file", default=0)
    battement = models.DateTimeField(
        "dernier signe de vie",
        null=True,
        blank=True,
        help_text="Écrit régulièrement par le worker qui construit le rapport : "
        "un rapport en cours dont le worker se tait est repris par un autre.",
    )
    erreur = models.TextField("message d'erreur", blank=True)
    publie = models.BooleanField("publié", default=False)
    published_at = models.DateTimeField("publié le", null=True, blank=True)
    donnees = models.JSONField(
        "données du rapport",
        default=dict,
        blank=True,
        help_text="Les scores et statuts au moment du rapport, pour comparer avec le suivant.",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["commune", "-created_at"], name="commune_rapport_recent_idx"),
            models.Index(fields=["statut", "started_at"], name="commune_rapport_statut_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(publie=True) | Q(statut=StatutRapport.PRET),
                name="commune_rapport_publie_si_pret",
            ),
        ]

    def __str__(self):
        return f"Rapport {self.commune} du {self.created_at:%d/%m/%Y}"
