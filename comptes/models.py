import datetime
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from .enums import DureeJeton, PorteeJeton


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("Une adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractUser):
    """A person who signs in with an email address; there is no username."""

    username = None
    email = models.EmailField("adresse e-mail", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="comptes_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        # `_password` holds the new password from set_password() until this save, exactly
        # when Django calls password_changed(); a rehash on sign-in leaves it None.
        mot_de_passe_change = self._password is not None and not self._state.adding
        super().save(*args, **kwargs)
        if mot_de_passe_change:
            # Whoever changed or reset the password may be shutting out someone who had it:
            # the tokens made with the old one go too.
            self.jetons.actifs().update(revoked_at=timezone.now())

    @property
    def nom_affiche(self):
        """What others see of this person: never the email address."""
        return self.get_full_name() or "Membre sans nom"


class JetonAccesQuerySet(models.QuerySet):
    def actifs(self):
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class JetonAcces(models.Model):
    """A personal access token to the REST API: the person acts through it with their own
    rights, all of them or only reading (`portee`), until it expires or is revoked. Only a
    SHA-256 digest of the token is stored, never the token itself: it is shown once, when
    created, and a lost token is revoked and replaced."""

    PREFIXE = "ce_"
    LONGUEUR_VISIBLE = 10

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="jetons", verbose_name="utilisateur"
    )
    nom = models.CharField(max_length=100, help_text="À quoi sert ce jeton, pour le reconnaître.")
    prefixe = models.CharField(
        "début du jeton", max_length=16, help_text="Les premiers caractères, pour le reconnaître."
    )
    empreinte = models.CharField("empreinte SHA-256", max_length=64, unique=True, editable=False)
    portee = models.CharField(
        "portée", max_length=10, choices=PorteeJeton.choices, default=PorteeJeton.LECTURE
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    expires_at = models.DateTimeField("expire le")
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    objects = JetonAccesQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'accès à l'API"
        verbose_name_plural = "jetons d'accès à l'API"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="comptes_jeton_user_idx")]

    def __str__(self):
        return f"{self.nom} ({self.prefixe}…)"

    @property
    def expire(self):
        return self.expires_at <= timezone.now()

    @property
    def actif(self):
        return self.revoked_at is None and not self.expire

    @property
    def ecriture(self):
        return self.portee == PorteeJeton.ECRITURE

    @staticmethod
    def empreinte_de(jeton):
        return hashlib.sha256(jeton.encode()).hexdigest()

    @classmethod
    def creer(
        cls,
        *,
        user,
        nom: str,
        portee: str = PorteeJeton.ECRITURE,
        duree: int = DureeJeton.TROIS_MOIS,
    ) -> tuple["JetonAcces", str]:
        """Creates a token for `user`, valid `duree` days; returns (row, token). The token
        exists nowhere else: show it once. (Writing by default, as before scopes existed:
        the page's form asks and proposes reading only.)"""
        jeton = cls.PREFIXE + secrets.token_urlsafe(32)
        ligne = cls.objects.create(
            user=user,
            nom=nom,
            portee=portee,
            expires_at=timezone.now() + datetime.timedelta(days=duree),
            prefixe=jeton[: cls.LONGUEUR_VISIBLE],
            empreinte=cls.empreinte_de(jeton),
        )
        return ligne, jeton

    def revoquer(self):
        """Refuses the token from now on; the row stays, to show when it was revoked."""
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class EchecConnexionQuerySet(models.QuerySet):
    def depuis(self, instant):
        return self.filter(created_at__gte=instant)


class EchecConnexion(models.Model):
    """A wrong password, remembered in the database (not the cache) so that the limits on
    signing in hold when Redis is down and are shared by every web process.

    One row per failure: counting rows is exact under parallel guesses, where a counter
    read then written would lose some."""

    ip = models.GenericIPAddressField("adresse du client")
    identifiant = models.CharField("adresse e-mail saisie", max_length=254)
    created_at = models.DateTimeField("le", default=timezone.now)

    objects = EchecConnexionQuerySet.as_manager()

    class Meta:
        verbose_name = "échec de connexion"
        verbose_name_plural = "échecs de connexion"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["ip", "identifiant", "created_at"], name="comptes_echec_paire_idx"
            ),
            models.Index(fields=["ip", "created_at"], name="comptes_echec_ip_idx"),
            # For forgetting old failures, whichever client made them.
            models.Index(fields=["created_at"], name="comptes_echec_date_idx"),
        ]

    def __str__(self):
        return f"{self.identifiant} depuis {self.ip}"
