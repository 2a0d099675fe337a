from django.db import models


class PorteeJeton(models.TextChoices):
    """What an API token may do with its holder's rights."""

    LECTURE = "lecture", "Lecture seule"
    ECRITURE = "ecriture", "Lecture et écriture"


class DureeJeton(models.IntegerChoices):
    """How long a new API token lives, in days."""

    UN_MOIS = 30, "30 jours"
    TROIS_MOIS = 90, "90 jours"
    UN_AN = 365, "1 an"
