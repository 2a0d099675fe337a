from django.db import models


class Statut(models.TextChoices):
    """The one status vocabulary of an engagement: database, forms, API, CSV and PDF."""

    NON_RENSEIGNE = "non renseigné", "Non renseigné"
    ENGAGE = "engagé", "Engagé"
    EN_COURS = "en cours", "En cours"
    REALISE = "réalisé", "Réalisé"
    NON_CONCERNE = "non concerné", "Non concerné"


class TypeReferentiel(models.TextChoices):
    GUIDE = "guide", "Guide des engagements"
    PROPOSITIONS = "propositions", "Propositions de campagne"


class NaturePreuve(models.TextChoices):
    DELIBERATION = "délibération", "Délibération ou arrêté"
    MARCHE = "marché", "Pièce de marché public"
    CONVENTION = "convention", "Convention ou partenariat"
    BUDGET = "budget", "Document budgétaire"
    COMMUNICATION = "communication", "Article ou communication"
    PHOTO = "photo", "Photo"
    RAPPORT = "rapport", "Rapport ou bilan"
    AUTRE = "autre", "Autre"
