import datetime
from decimal import Decimal

import factory

from marches.enums import BaseLegale, Procedure
from marches.models import ClauseSociale, Marche, SuiviHeures, Titulaire
from tests.commune.factories import CommuneFactory


class MarcheFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Marche

    id_decp = factory.Sequence(lambda n: f"2026{n:06d}")
    acheteur_siret = "21350238800019"
    commune = factory.SubFactory(CommuneFactory)
    objet = "Entretien des espaces verts communaux"
    code_cpv = "77310000-6"
    procedure = Procedure.ADAPTEE
    montant = Decimal("85000.00")
    date_notification = datetime.date(2026, 5, 12)
    duree_mois = 24

    class Params:
        # A DECP v1 record: no considerations given, so every flag is false.
        inconnues = factory.Trait(sociales_connues=False, environnementales_connues=False)
        # A DECP v1 record with neither a notification nor a publication date.
        sans_date = factory.Trait(
            date_notification=None,
            incomplet=True,
            manques="dateNotification absente, et datePublicationDonnees absente : date inconnue",
        )


class TitulaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Titulaire

    marche = factory.SubFactory(MarcheFactory)
    identifiant = "90000000000001"
    denomination = "Titulaire du marché"


class ClauseSocialeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClauseSociale

    marche = factory.SubFactory(MarcheFactory, clause_sociale=True)
    base_legale = BaseLegale.L2112_2
    heures_prevues = 700


class SuiviHeuresFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuiviHeures

    clause = factory.SubFactory(ClauseSocialeFactory)
    periode_debut = datetime.date(2026, 6, 1)
    periode_fin = datetime.date(2026, 8, 31)
    heures_realisees = Decimal("150.0")
    personnes_embauchees = 2
    contrats_signes = 2
