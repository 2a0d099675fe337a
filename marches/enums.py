"""The DECP v2 vocabulary (données essentielles de la commande publique)."""

from django.db import models


class Nature(models.TextChoices):
    MARCHE = "Marché", "Marché"
    PARTENARIAT = "Marché de partenariat", "Marché de partenariat"
    DEFENSE = "Marché de défense ou de sécurité", "Marché de défense ou de sécurité"
    # A `contrat-concession` of the DECP (and the v1 concessions and délégations de
    # service public): not a marché, kept beside them with its concédant and value.
    CONCESSION = "Contrat de concession", "Contrat de concession"


class Procedure(models.TextChoices):
    ADAPTEE = "Procédure adaptée", "Procédure adaptée"
    AO_OUVERT = "Appel d'offres ouvert", "Appel d'offres ouvert"
    AO_RESTREINT = "Appel d'offres restreint", "Appel d'offres restreint"
    NEGOCIATION = "Procédure avec négociation", "Procédure avec négociation"
    SANS_PUBLICITE = (
        "Marché passé sans publicité ni mise en concurrence préalable",
        "Marché passé sans publicité ni mise en concurrence préalable",
    )
    DIALOGUE = "Dialogue compétitif", "Dialogue compétitif"


class FormePrix(models.TextChoices):
    UNITAIRE = "Unitaire", "Unitaire"
    FORFAITAIRE = "Forfaitaire", "Forfaitaire"
    MIXTE = "Mixte", "Mixte"


class TypeCodeLieu(models.TextChoices):
    CODE_POSTAL = "Code postal", "Code postal"
    CODE_COMMUNE = "Code commune", "Code commune"
    CODE_ARRONDISSEMENT = "Code arrondissement", "Code arrondissement"
    CODE_CANTON = "Code canton", "Code canton"
    CODE_DEPARTEMENT = "Code département", "Code département"
    CODE_REGION = "Code région", "Code région"
    CODE_PAYS = "Code pays", "Code pays"


class ConsiderationSociale(models.TextChoices):
    CLAUSE = "Clause sociale", "Clause sociale"
    CRITERE = "Critère social", "Critère social"
    RESERVE = "Marché réservé", "Marché réservé"
    AUCUNE = "Pas de considération sociale", "Pas de considération sociale"


class ConsiderationEnvironnementale(models.TextChoices):
    CLAUSE = "Clause environnementale", "Clause environnementale"
    CRITERE = "Critère environnemental", "Critère environnemental"
    AUCUNE = "Pas de considération environnementale", "Pas de considération environnementale"


class TypeIdentifiant(models.TextChoices):
    SIRET = "SIRET", "SIRET"
    TVA = "TVA", "Numéro de TVA intracommunautaire"
    TAHITI = "TAHITI", "Numéro TAHITI"
    RIDET = "RIDET", "Numéro RIDET"
    FRWF = "FRWF", "Numéro FRWF"
    IREP = "IREP", "Numéro IREP"
    UE = "UE", "Identifiant d'un pays de l'Union européenne"
    HORS_UE = "HORS-UE", "Identifiant hors Union européenne"


class BaseLegale(models.TextChoices):
    """Legal bases of social clauses in the Code de la commande publique."""

    L2112_2 = "L2112-2", "L2112-2 — clause d'exécution (heures d'insertion)"
    L2152_7 = "L2152-7", "L2152-7 — critère social d'attribution"
    L2113_12 = "L2113-12", "L2113-12 — marché réservé aux EA et ESAT"
    L2113_13 = "L2113-13", "L2113-13 — marché réservé aux SIAE"
    L2113_15 = "L2113-15", "L2113-15 — marché réservé aux entreprises de l'ESS"
