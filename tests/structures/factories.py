import factory
from stdnum import luhn

from structures.models import MembreStructure, Structure, TypeStructure
from tests.comptes.factories import UserFactory


def siret_valide(n):
    """A 14-digit SIRET whose Luhn key is right, built from a sequence number."""
    base = f"9{n:012d}"
    return base + luhn.calc_check_digit(base)


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
