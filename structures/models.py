from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords
from stdnum.fr import siret as stdnum_siret

from commune.concurrence import Versionne
from commune.enums import StatutDemande
from commune.models import SIRET_REGEX, Commune, Demande, Invitation, valider_siret

from .enums import FamilleStructure, TypeSoutien


def valider_siret_luhn(value):
    if not stdnum_siret.is_valid(value):
        raise ValidationError(
            "Ce SIRET n'est pas valide : la clé de contrôle ne correspond pas aux 14 chiffres."
        )


class TypeStructure(models.Model):
    code = models.CharField(max_length=10, unique=True)
    nom = models.CharField(max_length=120)
    famille = models.CharField(max_length=12, choices=FamilleStructure.choices)
    description = models.TextField(blank=True)

    class Meta:
        verbose_name = "type de structure"
        verbose_name_plural = "types de structure"
        ordering = ["famille", "code"]

    def __str__(self):
        return f"{self.code} — {self.nom}"


class TypePrestation(models.Model):
    code = models.CharField(max_length=10, unique=True)
    nom = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    class Meta:
        verbose_name = "type de prestation"
        verbose_name_plural = "types de prestation"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class GroupeSecteur(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    nom = models.CharField(max_length=120)
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "groupe de secteurs"
        verbose_name_plural = "groupes de secteurs"
        ordering = ["ordre", "nom"]

    def __str__(self):
        return self.nom


class Secteur(models.Model):
    groupe = models.ForeignKey(GroupeSecteur, on_delete=models.CASCADE, related_name="secteurs")
    slug = models.SlugField(max_length=60, unique=True)
    nom = models.CharField(max_length=120)

    class Meta:
        ordering = ["groupe__ordre", "nom"]

    def __str__(self):
        return self.nom


class Reseau(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    nom = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    class Meta:
        verbose_name = "réseau"
        verbose_name_plural = "réseaux"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class StructureQuerySet(models.QuerySet):
    def published(self):
        """What the public may see: verified by staff and published by the structure."""
        return self.filter(verifiee=True, publiee=True)

    def serving(self, commune):
        """Located in `commune`, or intervening there: the commune itself, its EPCI or
        its département is one of the structure's intervention zones."""
        zones = Q(commune=commune) | Q(zones_communes=commune)
        zones |= Q(zones_departements=commune.departement_id)
        # Never `zones_epci=None`: that matches every structure without an EPCI zone.
        if commune.epci_id is not None:
            zones |= Q(zones_epci=commune.epci_id)
        return self.filter(zones).distinct()

    def avec_profil(self):
        """Everything a profile page shows, in a fixed number of queries."""
        return self.select_related("type", "commune__departement").prefetch_related(
            *relations_du_profil()
        )


def relations_du_profil():
    """The relations a profile page shows, for prefetch_related(_objects)."""
    return [
        models.Prefetch("secteurs", queryset=Secteur.objects.select_related("groupe")),
        "types_prestation",
        "reseaux",
        models.Prefetch("zones_communes", queryset=Commune.objects.select_related("departement")),
        "zones_epci",
        "zones_departements",
    ]


class Structure(Versionne):
    siret = models.CharField(
        "SIRET", max_length=14, unique=True, validators=[valider_siret, valider_siret_luhn]
    )
    nom = models.CharField("raison sociale", max_length=200)
    enseigne = models.CharField(max_length=200, blank=True)
    type = models.ForeignKey(TypeStructure, on_delete=models.PROTECT, related_name="structures")
    # One structure per SIRET, so that its public address stays the same: an establishment
    # that the State approves under several kinds (an ACI that is also an AI) keeps its
    # first kind in `type` and the others here. Set by the import of the official lists.
    autres_types = models.ManyToManyField(
        TypeStructure,
        blank=True,
        related_name="structures_autres_types",
        verbose_name="autres types",
    )
    forme_juridique = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    logo = models.ImageField(upload_to="logos/", blank=True)

    adresse = models.CharField(max_length=300, blank=True)
    code_postal = models.CharField(max_length=5, blank=True)
    commune = models.ForeignKey(
        "commune.Commune",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="structures_implantees",
        verbose_name="commune d'implantation",
    )

    email = models.EmailField("e-mail de contact", blank=True)
    email_public = models.BooleanField("publier l'e-mail", default=False)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    telephone_public = models.BooleanField("publier le téléphone", default=False)
    site_web = models.URLField("site web", blank=True)
    site_web_public = models.BooleanField("publier le site web", default=True)

    secteurs = models.ManyToManyField(Secteur, blank=True, related_name="structures")
    types_prestation = models.ManyToManyField(
        TypePrestation, blank=True, related_name="structures", verbose_name="types de prestation"
    )
    reseaux = models.ManyToManyField(
        Reseau, blank=True, related_name="structures", verbose_name="réseaux"
    )
    zones_communes = models.ManyToManyField(
        "commune.Commune",
        blank=True,
        related_name="structures_intervenant",
        verbose_name="communes d'intervention",
    )
    zones_epci = models.ManyToManyField(
        "commune.EPCI",
        blank=True,
        related_name="structures_intervenant",
        verbose_name="EPCI d'intervention",
    )
    zones_departements = models.ManyToManyField(
        "commune.Departement",
        blank=True,
        related_name="structures_intervenant",
        verbose_name="départements d'intervention",
    )

    etp_insertion = models.DecimalField(
        "ETP en insertion",
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    etp_insertion_maj = models.DateField("ETP mis à jour le", null=True, blank=True)
    personnes_accompagnees = models.PositiveIntegerField(
        "personnes accompagnées sur un an", null=True, blank=True
    )
    personnes_accompagnees_maj = models.DateField(
        "personnes accompagnées mis à jour le", null=True, blank=True
    )
    taux_sorties_positives = models.DecimalField(
        "sorties positives (%)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    taux_sorties_positives_maj = models.DateField(
        "sorties positives mis à jour le", null=True, blank=True
    )
    fin_conventionnement = models.DateField("fin du conventionnement", null=True, blank=True)

    verifiee = models.BooleanField("vérifiée", default=False)
    publiee = models.BooleanField("publiée", default=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("mise à jour le", auto_now=True)

    # Every field of the profile is in the history, the intervention zones included.
    history = HistoricalRecords(
        m2m_fields=[
            secteurs,
            types_prestation,
            reseaux,
            zones_communes,
            zones_epci,
            zones_departements,
        ]
    )
    objects = StructureQuerySet.as_manager()

    class Meta:
        ordering = ["nom"]
        constraints = [
            models.CheckConstraint(
                condition=Q(siret__regex=SIRET_REGEX), name="structures_structure_siret_shape"
            ),
            models.CheckConstraint(
                condition=Q(taux_sorties_positives__isnull=True)
                | Q(taux_sorties_positives__gte=0, taux_sorties_positives__lte=100),
                name="structures_structure_taux_0_100",
            ),
            models.CheckConstraint(
                condition=Q(etp_insertion__isnull=True) | Q(etp_insertion__gte=0),
                name="structures_structure_etp_positif",
            ),
        ]
        # The directory's order: a page is read off the index.
        indexes = [models.Index(fields=["nom", "id"], name="structures_nom_idx")]

    def __str__(self):
        return self.enseigne or self.nom

    def get_absolute_url(self):
        return reverse("structures:detail", args=[self.siret])

    def types(self) -> list[TypeStructure]:
        """Its main kind first, then the others (prefetch `autres_types` for a list)."""
        autres = sorted(
            (t for t in self.autres_types.all() if t.pk != self.type_id), key=lambda t: t.code
        )
        return [self.type, *autres]


class MembreStructure(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membres_structure"
    )
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="membres")
    est_admin = models.BooleanField("administrateur", default=False)
    created_at = models.DateTimeField("depuis le", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "membre d'une structure"
        verbose_name_plural = "membres des structures"
        constraints = [
            models.UniqueConstraint(fields=["user", "structure"], name="structures_membre_unique"),
        ]

    def __str__(self):
        return f"{self.user} — {self.structure}"


class DemandeRattachement(Demande):
    """A person claims a structure; its admins, or staff when it has none, decide."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="demandes_structure"
    )
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="demandes")

    class Meta(Demande.Meta):
        verbose_name = "demande de rattachement"
        verbose_name_plural = "demandes de rattachement"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "structure"],
                condition=Q(statut=StatutDemande.EN_ATTENTE),
                name="structures_demande_une_seule_en_attente",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.structure} ({self.statut})"


class InvitationStructure(Invitation):
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="invitations")
    est_admin = models.BooleanField("administrateur", default=False)

    class Meta(Invitation.Meta):
        verbose_name = "invitation à une structure"
        verbose_name_plural = "invitations aux structures"

    def __str__(self):
        return f"{self.email} → {self.structure}"


class Soutien(models.Model):
    """A commune's support to a structure; feeds axis 3 of the guide."""

    commune = models.ForeignKey(
        "commune.Commune", on_delete=models.CASCADE, related_name="soutiens"
    )
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="soutiens")
    type = models.CharField(max_length=12, choices=TypeSoutien.choices)
    montant = models.DecimalField(
        "montant (€)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    annee = models.PositiveSmallIntegerField(
        "année", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    description = models.TextField(blank=True)
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
        ordering = ["-annee", "commune"]
        constraints = [
            models.CheckConstraint(
                condition=Q(montant__isnull=True) | Q(montant__gte=0),
                name="structures_soutien_montant_positif",
            ),
            models.CheckConstraint(
                condition=Q(annee__gte=2000, annee__lte=2100), name="structures_soutien_annee"
            ),
        ]

    def __str__(self):
        return f"{self.commune} → {self.structure} ({self.get_type_display()}, {self.annee})"
