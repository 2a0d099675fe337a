import factory
from stdnum import luhn

from structures.models import MembreStructure, Structure, TypeStructure
from tests.comptes.factories import UserFactory


def siret_valide(n):
    """A SIRET that python-stdnum accepts, built from a sequence number: the SIREN (its
    first 9 digits) and the whole 14 digits each carry their Luhn key."""
    debut = f"9{n:07d}"
    siren = debut + luhn.calc_check_digit(debut)
    sans_cle = f"{siren}{n % 10000:04d}"
    return sans_cle + luhn.calc_check_digit(sans_cle)


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    siret = factory.Sequence(siret_valide)
    nom = factory.Sequence(lambda n: f"Structure d'insertion {n}")
    type = factory.LazyFunction(lambda: TypeStructure.objects.get(code="ACI"))
    description = "Chantier d'insertion en espaces verts."
    verifiee = True
    publiee = True


class MembreStructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembreStructure

    user = factory.SubFactory(UserFactory)
    structure = factory.SubFactory(StructureFactory)
    est_admin = True
