from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Administrateur"
    EDITEUR = "editeur", "Éditeur"
    LECTEUR = "lecteur", "Lecteur"


class NatureEPCI(models.TextChoices):
    CC = "CC", "Communauté de communes"
    CA = "CA", "Communauté d'agglomération"
    CU = "CU", "Communauté urbaine"
    METRO = "METRO", "Métropole"
    MET69 = "MET69", "Métropole de Lyon"
    EPT = "EPT", "Établissement public territorial"


class TypeRattachement(models.TextChoices):
    """What a code of the COG that is not a current commune leads to (its parent)."""

    DELEGUEE = "COMD", "Commune déléguée"
    ASSOCIEE = "COMA", "Commune associée"
    ARRONDISSEMENT = "ARM", "Arrondissement municipal"

    @property
    def pluriel(self):
        return {
            "COMD": "Communes déléguées",
            "COMA": "Communes associées",
            "ARM": "Arrondissements municipaux",
        }[self.value]


class StatutDemande(models.TextChoices):
    EN_ATTENTE = "en attente", "En attente"
    ACCEPTEE = "acceptée", "Acceptée"
    REFUSEE = "refusée", "Refusée"


class StatutRapport(models.TextChoices):
    EN_ATTENTE = "en attente", "En attente"
    EN_COURS = "en cours", "En cours"
    PRET = "prêt", "Prêt"
    ECHEC = "échec", "Échec"


class TranchePopulation(models.TextChoices):
    """Population bands used by the directory filters."""

    MOINS_2000 = "0-1999", "Moins de 2 000 habitants"
    DE_2000_A_10000 = "2000-9999", "De 2 000 à 9 999 habitants"
    DE_10000_A_50000 = "10000-49999", "De 10 000 à 49 999 habitants"
    PLUS_50000 = "50000-", "50 000 habitants et plus"

    @property
    def bornes(self):
        bas, _, haut = self.value.partition("-")
        return int(bas), int(haut) if haut else None
