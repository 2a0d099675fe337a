import datetime

import factory

from axes.enums import Statut
from axes.models import Action, Engagement, Jalon, Preuve, Referentiel, Signature
from tests.commune.factories import CommuneFactory


def action_du_guide(code):
    return Action.objects.get(referentiel=Referentiel.objects.guide(), code=code)


class SignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signature

    commune = factory.SubFactory(CommuneFactory)
    referentiel = factory.LazyFunction(lambda: Referentiel.objects.guide())
    date_signature = datetime.date(2026, 3, 2)
    deliberation_numero = "2026-014"
    deliberation_date = datetime.date(2026, 2, 26)


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Engagement

    commune = factory.SubFactory(CommuneFactory)
    action = factory.LazyFunction(lambda: action_du_guide("1.1"))
    statut = Statut.ENGAGE
    date_cible = datetime.date(2027, 6, 30)
    description = "Description publique de l'engagement."


class PreuveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Preuve

    engagement = factory.SubFactory(EngagementFactory)
    titre = "Délibération du conseil municipal"
    url = "https://exemple.test/deliberation.pdf"
    date = datetime.date(2026, 4, 1)


class JalonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jalon

    engagement = factory.SubFactory(EngagementFactory)
    date = datetime.date(2026, 9, 1)
    titre = "Premier comité de pilotage"
