from django.db import models


class FamilleStructure(models.TextChoices):
    IAE = "iae", "Insertion par l'activité économique"
    INCLUSION = "inclusion", "Insertion et qualification"
    HANDICAP = "handicap", "Emploi des personnes handicapées"
    ESS = "ess", "Économie sociale et solidaire"


class TypeSoutien(models.TextChoices):
    SUBVENTION = "subvention", "Subvention ou fonds de soutien"
    LOCAUX = "locaux", "Mise à disposition de locaux ou de terrain"
    ACHATS = "achats", "Achats"
    PARTENARIAT = "partenariat", "Partenariat"
