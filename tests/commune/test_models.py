import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction

from axes.enums import Statut
from commune.models import Commune, Departement, Region
from tests.axes.factories import EngagementFactory, PreuveFactory
from tests.commune.factories import CommuneFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db


def test_101_departements_in_18_regions():
    assert Departement.objects.count() == 101
    assert Region.objects.count() == 18
    assert Departement.objects.get(code="2A").region.nom == "Corse"
    assert Departement.objects.get(code="35").region.nom == "Bretagne"
    assert Departement.objects.get(code="976").region.code == "06"


def test_insee_code_is_unique():
    CommuneFactory(code_insee="35238")
    with pytest.raises(IntegrityError), transaction.atomic():
        Commune.objects.create(code_insee="35238", nom="Doublon", departement_id=1)


@pytest.mark.parametrize("code", ["3523", "352388", "ABCDE", "2C001"])
def test_database_refuses_a_malformed_insee_code(code):
    # PostgreSQL refuses a 6-character code on its length before the check.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Commune.objects.create(
            code_insee=code, nom="Mauvais code", departement=Departement.objects.get(code="35")
        )


def test_corsican_insee_code_is_accepted():
    commune = Commune.objects.create(
        code_insee="2A004", nom="Ajaccio", departement=Departement.objects.get(code="2A")
    )
    assert commune.slug == "ajaccio"


def test_database_refuses_a_malformed_siret():
    with pytest.raises(IntegrityError), transaction.atomic():
        StructureFactory(siret="1234")


def test_structure_form_validation_rejects_a_wrong_siret_checksum():
    structure = StructureFactory.build(siret="12345678901234")
    with pytest.raises(ValidationError) as erreur:
        structure.full_clean(exclude=["type"])
    assert "clé de contrôle" in str(erreur.value)


def test_non_concerne_without_justification_is_refused_by_the_database(guide):
    with pytest.raises(IntegrityError), transaction.atomic():
        EngagementFactory(statut=Statut.NON_CONCERNE, justification="")


def test_engagement_clean_explains_each_missing_field(guide):
    engagement = EngagementFactory.build(
        commune=CommuneFactory(), statut=Statut.EN_COURS, avancement=None
    )
    with pytest.raises(ValidationError) as erreur:
        engagement.clean()
    assert "avancement" in erreur.value.message_dict


def test_evidence_is_a_link_or_a_file_never_both_nor_neither(guide):
    with pytest.raises(IntegrityError), transaction.atomic():
        PreuveFactory(url="")


def test_engagement_changes_are_kept_in_history(guide):
    engagement = EngagementFactory(statut=Statut.ENGAGE)
    engagement.statut = Statut.EN_COURS
    engagement.avancement = 20
    engagement.save()
    assert [h.statut for h in engagement.history.order_by("history_date")] == [
        Statut.ENGAGE,
        Statut.EN_COURS,
    ]
