"""commune_fusionner and donnees_restantes: what a merger moves to the new commune, what it
leaves on the merged one (a twin already there) and how staff find it."""

import datetime
from collections import Counter

import pytest
from django.urls import reverse

from axes.models import Avis, Engagement, Preuve, ScoreSnapshot, Signature, StatutAvis
from commune.enums import TypeRattachement
from commune.fusion import (
    RAISON_FUSION,
    commune_fusionner,
    donnees_restantes,
    filtre_donnees_restantes,
)
from commune.models import (
    CodePostal,
    Commune,
    CommuneRattachee,
    DemandeAdhesion,
    EluReferent,
    InvitationCommune,
    MembreCommune,
    Rapport,
)
from marches.models import Marche
from structures.enums import TypeSoutien
from structures.models import Soutien, Structure
from tests.axes.factories import (
    EngagementFactory,
    PreuveFactory,
    SignatureFactory,
    action_du_guide,
)
from tests.commune.factories import (
    CommuneFactory,
    EluReferentFactory,
    MembreCommuneFactory,
    departement,
)
from tests.comptes.factories import UserFactory
from tests.marches.factories import MarcheFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def faute():
    return CommuneFactory(code_insee="85307", nom="La Faute-sur-Mer", departement=departement("85"))


@pytest.fixture
def aiguillon():
    return CommuneFactory(
        code_insee="85001", nom="L'Aiguillon-la-Presqu'île", departement=departement("85")
    )


def soutien(commune, structure):
    return Soutien.objects.create(
        commune=commune, structure=structure, type=TypeSoutien.SUBVENTION, annee=2025
    )


# --- What moves -----------------------------------------------------------------------------


def test_rows_of_every_relation_move_to_the_new_commune(faute, aiguillon, guide):
    signature = SignatureFactory(commune=faute)
    engagement = EngagementFactory(commune=faute)
    preuve = PreuveFactory(engagement=engagement)
    membre = MembreCommuneFactory(commune=faute)
    elu = EluReferentFactory(commune=faute)
    implantee = StructureFactory(commune=faute)
    aide = soutien(faute, implantee)
    marche = MarcheFactory(commune=faute)
    invitation = InvitationCommune.objects.create(email="elu@exemple.test", commune=faute)
    demande = DemandeAdhesion.objects.create(user=UserFactory(), commune=faute)
    avis = Avis.objects.create(
        commune=faute,
        action=action_du_guide("1.1"),
        message="Bravo.",
        consentement=True,
        statut=StatutAvis.APPROUVE,
    )
    rapport_pdf = Rapport.objects.create(commune=faute, referentiel=guide)

    rapport = commune_fusionner(ancienne=faute, commune=aiguillon)

    lignes = (signature, engagement, membre, elu, implantee, aide, marche, invitation, demande)
    for ligne in (*lignes, avis):
        ligne.refresh_from_db()
        assert ligne.commune_id == aiguillon.pk, ligne
    # A report tells what the merged commune was: it stays its own.
    rapport_pdf.refresh_from_db()
    assert rapport_pdf.commune_id == faute.pk
    assert Preuve.objects.get(pk=preuve.pk).engagement_id == engagement.pk
    assert rapport.restes == []
    assert rapport.deplaces == Counter(
        {
            "signatures": 1,
            "engagements": 1,
            "membres des communes": 1,
            "élus référents ESS/IAE": 1,
            "structures": 1,
            "soutiens": 1,
            "marchés publics": 1,
            "invitations aux communes": 1,
            "demandes d'adhésion aux communes": 1,
            "avis d'habitants": 1,
        }
    )
    assert donnees_restantes(faute) == Counter()


def test_the_score_history_stays_with_the_merged_commune_and_the_new_one_is_rescored(
    faute, aiguillon, guide, django_capture_on_commit_callbacks
):
    avant = datetime.date(2025, 6, 1)
    ancien = ScoreSnapshot.objects.create(
        commune=faute,
        referentiel=guide,
        date=avant,
        avancement=40,
        taux_engagement=60,
        par_axe=[],
        courant=True,
    )
    EngagementFactory(commune=faute, action=action_du_guide("1.1"))

    with django_capture_on_commit_callbacks(execute=True):
        rapport = commune_fusionner(ancienne=faute, commune=aiguillon)

    ancien.refresh_from_db()
    assert ancien.commune_id == faute.pk
    assert rapport.restes == []
    assert "scores" not in " ".join(rapport.deplaces)
    # The engagement that moved gives the new commune a current score of its own.
    assert ScoreSnapshot.objects.filter(commune=aiguillon, courant=True).exists()
    assert not ScoreSnapshot.objects.filter(commune=aiguillon, date=avant).exists()


def test_the_merged_commune_is_marked_with_its_date_and_a_history_reason(faute, aiguillon):
    commune_fusionner(ancienne=faute, commune=aiguillon, date=datetime.date(2022, 1, 1))

    faute.refresh_from_db()
    assert (faute.fusionnee_dans_id, faute.fusionnee_le) == (
        aiguillon.pk,
        datetime.date(2022, 1, 1),
    )
    assert not faute.est_actuelle
    assert faute.history.first().history_change_reason == RAISON_FUSION
    assert faute.actuelle() == aiguillon
    assert list(Commune.objects.actuelles()) == [aiguillon]


def test_a_merger_without_anything_attached_says_so(faute, aiguillon):
    rapport = commune_fusionner(ancienne=faute, commune=aiguillon)

    assert rapport.resume() == (
        "La Faute-sur-Mer (85307) fusionnée dans L'Aiguillon-la-Presqu'île (85001) : "
        "rien à déplacer"
    )


def test_intervention_zones_move_and_a_structure_serving_both_keeps_one_zone(faute, aiguillon):
    seulement_faute = StructureFactory()
    seulement_faute.zones_communes.add(faute)
    les_deux = StructureFactory()
    les_deux.zones_communes.add(faute, aiguillon)
    ailleurs = CommuneFactory(code_insee="85194", departement=departement("85"))
    avec_une_autre = StructureFactory()
    avec_une_autre.zones_communes.add(faute, ailleurs)

    rapport = commune_fusionner(ancienne=faute, commune=aiguillon)

    assert list(seulement_faute.zones_communes.all()) == [aiguillon]
    assert list(les_deux.zones_communes.all()) == [aiguillon]
    assert set(avec_une_autre.zones_communes.all()) == {aiguillon, ailleurs}
    assert not Structure.objects.filter(zones_communes=faute).exists()
    assert Structure.zones_communes.through.objects.filter(commune=aiguillon).count() == 3
    # The structure that already served both is not counted as moved.
    assert rapport.deplaces["structures (zones)"] == 2
    assert rapport.restes == []


def test_the_new_commune_kept_scorecard_shows_what_moved_at_once(faute, aiguillon, client, guide):
    assert "a signé le guide" not in client.get(aiguillon.get_absolute_url()).content.decode()
    SignatureFactory(commune=faute)

    commune_fusionner(ancienne=faute, commune=aiguillon)

    assert (
        "a signé le guide le 2 mars 2026"
        in client.get(aiguillon.get_absolute_url()).content.decode()
    )


# --- What cannot move -----------------------------------------------------------------------


def test_rows_whose_twin_the_new_commune_holds_stay_and_are_reported(faute, aiguillon, guide):
    SignatureFactory(commune=aiguillon)
    EluReferentFactory(commune=aiguillon, nom="Élue d'Aiguillon")
    EngagementFactory(commune=aiguillon, action=action_du_guide("1.1"))
    membre = MembreCommuneFactory(commune=aiguillon)
    signature = SignatureFactory(commune=faute)
    elu = EluReferentFactory(commune=faute, nom="Élu de La Faute")
    jumeau = EngagementFactory(commune=faute, action=action_du_guide("1.1"))
    preuve = PreuveFactory(engagement=jumeau)
    sans_jumeau = EngagementFactory(commune=faute, action=action_du_guide("2.1"))
    meme_personne = MembreCommuneFactory(commune=faute, user=membre.user)

    rapport = commune_fusionner(ancienne=faute, commune=aiguillon)

    assert Signature.objects.get(pk=signature.pk).commune_id == faute.pk
    assert EluReferent.objects.get(pk=elu.pk).commune_id == faute.pk
    assert Engagement.objects.get(pk=jumeau.pk).commune_id == faute.pk
    assert Preuve.objects.get(pk=preuve.pk).engagement.commune_id == faute.pk
    assert MembreCommune.objects.get(pk=meme_personne.pk).commune_id == faute.pk
    assert Engagement.objects.get(pk=sans_jumeau.pk).commune_id == aiguillon.pk
    aiguillon.refresh_from_db()
    assert aiguillon.elu_referent.nom == "Élue d'Aiguillon"
    assert rapport.deplaces == Counter({"engagements": 1})
    assert len(rapport.restes) == 4
    # Each row left behind is named as the merged commune's, the one staff must look at.
    assert all("La Faute-sur-Mer (85307)" in reste for reste in rapport.restes), rapport.restes
    assert (
        "élu référent ESS/IAE « Élu de La Faute (La Faute-sur-Mer (85307)) » : "
        "L'Aiguillon-la-Presqu'île a déjà le sien" in rapport.restes
    )
    assert "4 à reprendre par l'équipe" in rapport.resume()
    faute.refresh_from_db()
    assert faute.fusionnee_dans_id == aiguillon.pk


def test_donnees_restantes_counts_what_staff_still_have_to_resolve(faute, aiguillon, guide):
    SignatureFactory(commune=aiguillon)
    EngagementFactory(commune=aiguillon, action=action_du_guide("1.1"))
    EngagementFactory(commune=aiguillon, action=action_du_guide("2.1"))
    SignatureFactory(commune=faute)
    EngagementFactory(commune=faute, action=action_du_guide("1.1"))
    EngagementFactory(commune=faute, action=action_du_guide("2.1"))
    EngagementFactory(commune=faute, action=action_du_guide("3.1"))
    StructureFactory(commune=faute)

    commune_fusionner(ancienne=faute, commune=aiguillon)

    assert donnees_restantes(faute) == Counter({"signatures": 1, "engagements": 2})
    assert donnees_restantes(aiguillon)["engagements"] == 3
    assert donnees_restantes(aiguillon)["structures"] == 1


def test_filtre_donnees_restantes_finds_merged_communes_with_rows_left(faute, aiguillon, guide):
    propre = CommuneFactory(code_insee="85060", departement=departement("85"))
    SignatureFactory(commune=aiguillon)
    SignatureFactory(commune=faute)
    MarcheFactory(commune=propre)
    commune_fusionner(ancienne=faute, commune=aiguillon)
    commune_fusionner(ancienne=propre, commune=aiguillon)
    vide = CommuneFactory(code_insee="85194", departement=departement("85"))

    fusionnees = Commune.objects.filter(fusionnee_dans__isnull=False)
    a_reprendre = fusionnees.filter(filtre_donnees_restantes())

    assert list(a_reprendre) == [faute]
    assert set(Commune.objects.filter(filtre_donnees_restantes())) == {faute, aiguillon}
    assert vide not in Commune.objects.filter(filtre_donnees_restantes())


# --- What follows the merged commune --------------------------------------------------------


def test_communes_merged_earlier_into_the_merged_one_follow_it(faute, aiguillon):
    plus_ancienne = CommuneFactory(code_insee="85999", departement=departement("85"))
    commune_fusionner(ancienne=plus_ancienne, commune=faute)

    commune_fusionner(ancienne=faute, commune=aiguillon)

    plus_ancienne.refresh_from_db()
    assert plus_ancienne.fusionnee_dans_id == aiguillon.pk
    assert Commune.actuelle_pour_le_code("85999") == aiguillon


def test_merging_into_a_merged_commune_goes_to_the_commune_it_became(faute, aiguillon):
    commune_fusionner(ancienne=faute, commune=aiguillon)
    autre = CommuneFactory(code_insee="85194", departement=departement("85"))
    EngagementFactory(commune=autre)

    rapport = commune_fusionner(ancienne=autre, commune=faute)

    autre.refresh_from_db()
    assert autre.fusionnee_dans_id == aiguillon.pk
    assert rapport.commune == aiguillon
    assert aiguillon.engagements.count() == 1


def test_a_commune_cannot_merge_into_itself(faute, aiguillon):
    commune_fusionner(ancienne=faute, commune=aiguillon)

    with pytest.raises(ValueError, match="ne peut pas fusionner dans elle-même"):
        commune_fusionner(ancienne=aiguillon, commune=faute)

    aiguillon.refresh_from_db()
    assert aiguillon.est_actuelle


def test_postcodes_follow_and_a_shared_postcode_is_not_doubled(faute, aiguillon):
    CodePostal.objects.create(code="85460", commune=aiguillon)
    CodePostal.objects.create(code="85460", commune=faute)
    CodePostal.objects.create(code="85461", commune=faute)

    commune_fusionner(ancienne=faute, commune=aiguillon)

    assert sorted(aiguillon.codes_postaux.values_list("code", flat=True)) == ["85460", "85461"]
    assert not faute.codes_postaux.exists()
    assert list(Commune.objects.recherche("85461")) == [aiguillon]


def test_communes_deleguees_and_arrondissements_follow(faute, aiguillon):
    CommuneRattachee.objects.create(
        code="85999", nom="Ancienne déléguée", type=TypeRattachement.DELEGUEE, commune=faute
    )

    rapport = commune_fusionner(ancienne=faute, commune=aiguillon)

    assert CommuneRattachee.objects.get(code="85999").commune == aiguillon
    assert Commune.actuelle_pour_le_code("85999") == aiguillon
    # Names follow quietly: nothing for staff to resolve.
    assert rapport.restes == []
    assert donnees_restantes(faute) == Counter()


def test_a_contract_keeps_its_buyer_siret_when_it_moves(faute, aiguillon):
    marche = MarcheFactory(commune=faute, acheteur_siret="21850307500017")

    commune_fusionner(ancienne=faute, commune=aiguillon)

    marche.refresh_from_db()
    assert (marche.commune_id, marche.acheteur_siret) == (aiguillon.pk, "21850307500017")
    assert Marche.objects.filter(commune=aiguillon).count() == 1


# --- The admin: what staff have to resolve --------------------------------------------------


@pytest.fixture
def fusions(faute, aiguillon, guide):
    """La Faute-sur-Mer merged with a signature left behind; Les Sables merged cleanly."""
    SignatureFactory(commune=aiguillon)
    SignatureFactory(commune=faute)
    propre = CommuneFactory(code_insee="85194", nom="Sables", departement=departement("85"))
    MarcheFactory(commune=propre)
    commune_fusionner(ancienne=faute, commune=aiguillon)
    commune_fusionner(ancienne=propre, commune=aiguillon)
    return faute, propre, aiguillon


def communes_listees(admin_client, fusion):
    reponse = admin_client.get(reverse("admin:commune_commune_changelist"), {"fusion": fusion})
    assert reponse.status_code == 200
    return set(reponse.context["cl"].result_list)


def test_admin_filter_lists_merged_communes_with_data_to_resolve(admin_client, fusions):
    faute, propre, aiguillon = fusions

    assert communes_listees(admin_client, "a_reprendre") == {faute}
    assert communes_listees(admin_client, "fusionnees") == {faute, propre}
    assert communes_listees(admin_client, "actuelles") == {aiguillon}


def test_admin_change_page_says_what_stayed_on_the_merged_commune(admin_client, fusions):
    faute, propre, _ = fusions

    contenu = admin_client.get(
        reverse("admin:commune_commune_change", args=[faute.pk])
    ).content.decode()
    propre_contenu = admin_client.get(
        reverse("admin:commune_commune_change", args=[propre.pk])
    ).content.decode()

    assert "1 signatures : L&#x27;Aiguillon-la-Presqu&#x27;île (85001) en a déjà" in contenu
    assert "Aucune : tout a rejoint la commune actuelle." in propre_contenu
