import factory

from commune.enums import Role
from commune.models import EPCI, Commune, Departement, EluReferent, MembreCommune
from tests.comptes.factories import UserFactory


def departement(code="35"):
    return Departement.objects.get(code=code)


class EPCIFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EPCI
        django_get_or_create = ["siren"]

    siren = factory.Sequence(lambda n: f"2{n:08d}")
    nom = factory.Sequence(lambda n: f"Communauté de communes n° {n}")
    nature = "CC"


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ["code_insee"]

    code_insee = factory.Sequence(lambda n: f"35{n % 1000:03d}")
    nom = factory.Sequence(lambda n: f"Commune {n}")
    departement = factory.LazyFunction(departement)
    population = 5000
    epci = factory.SubFactory(EPCIFactory)


class MembreCommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembreCommune

    user = factory.SubFactory(UserFactory)
    commune = factory.SubFactory(CommuneFactory)
    role = Role.EDITEUR


class EluReferentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EluReferent

    commune = factory.SubFactory(CommuneFactory)
    nom = factory.Faker("name", locale="fr_FR")
    mandat = "Adjointe à l'économie sociale et solidaire"
