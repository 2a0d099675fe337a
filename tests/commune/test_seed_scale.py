import hashlib
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from axes.enums import Statut
from axes.models import Engagement, Jalon, Preuve, ScoreSnapshot, Signature
from axes.selectors import scores_des_communes
from axes.services import snapshot_valeurs
from commune import echelle
from commune.models import EPCI, Commune, EluReferent
from marches.models import ClauseSociale, Marche, SuiviHeures, Titulaire
from structures.models import Soutien, Structure
from tests.commune.factories import CommuneFactory
from tests.comptes.factories import UserFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

PETIT = ("--communes", "300", "--structures", "40", "--marches", "600")


def semer(*options):
    sortie = StringIO()
    call_command("seed_scale", *PETIT, *options, stdout=sortie)
    return sortie.getvalue()


def empreinte():
    """A digest of everything generated, by natural keys: primary keys and the
    timestamps of the run are left out."""
    requetes = (
        Commune.objects.order_by("code_insee").values_list(
            "code_insee", "nom", "slug", "population", "siret_mairie", "departement__code",
            "epci__siren",
        ),
        EPCI.objects.order_by("siren").values_list("siren", "nom", "nature"),
        Structure.objects.order_by("siret").values_list(
            "siret", "nom", "enseigne", "type__code", "commune__code_insee", "etp_insertion",
            "taux_sorties_positives", "verifiee", "publiee",
        ),
        Structure.secteurs.through.objects.order_by("structure__siret", "secteur__slug")
        .values_list("structure__siret", "secteur__slug"),
        Structure.zones_communes.through.objects.order_by("structure__siret", "commune__code_insee")
        .values_list("structure__siret", "commune__code_insee"),
        Marche.objects.order_by("acheteur_siret", "id_decp").values_list(
            "acheteur_siret", "id_decp", "objet", "code_cpv", "procedure", "montant",
            "date_notification", "clause_sociale", "critere_social", "marche_reserve",
        ),
        Titulaire.objects.order_by("marche__id_decp", "identifiant").values_list(
            "marche__id_decp", "identifiant", "denomination", "structure__siret"
        ),
        ClauseSociale.objects.order_by("marche__id_decp", "base_legale").values_list(
            "marche__id_decp", "base_legale", "heures_prevues"
        ),
        SuiviHeures.objects.order_by("clause__marche__id_decp", "periode_debut").values_list(
            "clause__marche__id_decp", "periode_debut", "heures_realisees"
        ),
        Signature.objects.order_by("commune__code_insee").values_list(
            "commune__code_insee", "date_signature", "deliberation_numero"
        ),
        Engagement.objects.order_by("commune__code_insee", "action__code").values_list(
            "commune__code_insee", "action__code", "statut", "avancement", "date_cible",
            "pilote_nom", "justification", "updated_at",
        ),
        Engagement.history.order_by("commune__code_insee", "action__code", "history_date")
        .values_list("commune__code_insee", "action__code", "history_date", "statut"),
        Preuve.objects.order_by("url").values_list("url", "titre", "date", "publique"),
        Jalon.objects.order_by("engagement__commune__code_insee", "date", "titre").values_list(
            "engagement__commune__code_insee", "date", "titre", "atteint"
        ),
        ScoreSnapshot.objects.order_by("commune__code_insee", "date").values_list(
            "commune__code_insee", "date", "avancement", "taux_engagement", "par_axe"
        ),
        EluReferent.objects.order_by("commune__code_insee").values_list(
            "commune__code_insee", "nom", "depuis"
        ),
        Soutien.objects.order_by("commune__code_insee", "type").values_list(
            "commune__code_insee", "structure__siret", "type", "montant", "annee"
        ),
    )  # fmt: skip
    digest = hashlib.sha256()
    for requete in requetes:
        for ligne in requete:
            digest.update(repr(ligne).encode())
    return digest.hexdigest()


def test_counts_follow_the_options_and_every_departement_has_communes():
    sortie = semer()

    assert Commune.objects.count() == 300
    assert Structure.objects.count() == 40
    assert Marche.objects.count() == 600
    assert Commune.objects.values("departement").distinct().count() == 101
    assert Signature.objects.count() == 90  # 30 %
    assert Engagement.objects.count() == 90 * 15
    assert not Commune.objects.filter(epci__isnull=True).exists()
    assert "Données générées (graine 1)" in sortie
    assert "Marchés : 600 marchés publics" in sortie


def test_codes_and_identifiers_are_valid_consistent_and_unique():
    semer()

    communes = list(Commune.objects.select_related("departement"))
    assert all(c.code_insee.startswith(c.departement.code) for c in communes)
    assert {c.code_insee[:3] for c in communes if c.departement.code == "974"} == {"974"}
    assert len({c.slug for c in communes}) == len(communes)
    sirets = [c.siret_mairie for c in communes]
    assert len(set(sirets)) == len(sirets)
    assert all(stdnum_siret.is_valid(s) for s in sirets)
    assert all(stdnum_siren.is_valid(s) for s in EPCI.objects.values_list("siren", flat=True))
    for structure in Structure.objects.all():
        structure.full_clean()
    # Contracts name their buyer as the DECP do: the mairie's SIRET, or the EPCI's SIREN.
    for marche in Marche.objects.select_related("commune", "epci"):
        if marche.commune:
            assert marche.acheteur_siret == marche.commune.siret_mairie
        else:
            assert marche.acheteur_siret[:9] == marche.epci.siren
    sociaux = Marche.objects.avec_consideration_sociale().count()
    assert 0.18 <= sociaux / 600 <= 0.32
    assert Titulaire.objects.filter(structure__isnull=False).exists()
    assert ClauseSociale.objects.filter(heures_prevues__isnull=False).exists()
    assert SuiviHeures.objects.exists()


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    empreintes = []
    for graine in ("1", "1", "2"):
        with transaction.atomic():
            semer("--seed", graine)
            empreintes.append(empreinte())
            transaction.set_rollback(True)

    assert empreintes[0] == empreintes[1]
    assert empreintes[0] != empreintes[2]


@pytest.mark.parametrize("existant", [CommuneFactory, StructureFactory, UserFactory])
def test_refuses_a_database_that_is_not_empty_and_writes_nothing(existant):
    existant()
    communes = Commune.objects.count()

    with pytest.raises(CommandError, match="--force"):
        semer()

    assert Commune.objects.count() == communes
    assert not Marche.objects.exists()
    assert not Signature.objects.exists()


def test_force_adds_to_what_is_there_without_taking_its_keys():
    semer()

    semer("--force")

    assert Commune.objects.count() == 600
    assert Structure.objects.count() == 80
    assert EPCI.objects.values("siren").distinct().count() == EPCI.objects.count()
    assert Commune.objects.values("slug").distinct().count() == 600
    assert Commune.objects.values("siret_mairie").distinct().count() == 600


def test_a_failure_writes_nothing(monkeypatch):
    def panne(self):
        raise RuntimeError("panne")

    monkeypatch.setattr(echelle.Generateur, "generer_engagements", panne)

    with pytest.raises(RuntimeError):
        semer()

    assert not Commune.objects.exists()
    assert not Marche.objects.exists()


def test_refuses_a_share_that_is_not_one():
    with pytest.raises(CommandError, match="entre 0 et 1"):
        semer("--part-engagees", "1.5")


def test_engagements_follow_the_rules_of_their_status():
    semer()

    engagements = list(Engagement.objects.avec_nombre_preuves())
    assert {e.statut for e in engagements} == set(Statut.values)
    for engagement in engagements:
        engagement.clean()  # en cours has a progress, engagé a target date…
        if engagement.statut == Statut.REALISE:
            assert engagement.nombre_preuves >= 1
        if engagement.statut == Statut.NON_CONCERNE:
            assert engagement.justification
    assert not Preuve.objects.filter(url="").exists()
    # The history ends where the engagement stands.
    for engagement in engagements[:100]:
        dernier = engagement.history.order_by("-history_date").first()
        assert (dernier.statut, dernier.avancement) == (engagement.statut, engagement.avancement)
    assert Engagement.history.filter(history_type="~").exists()


def test_the_latest_snapshot_of_every_engaged_commune_is_its_current_score(guide):
    semer()

    engagees = list(Signature.objects.values_list("commune_id", flat=True))
    scores = scores_des_communes(engagees, guide)
    for commune_id, score in scores.items():
        instantanes = ScoreSnapshot.objects.filter(commune_id=commune_id, referentiel=guide)
        dernier = instantanes.latest("date")
        valeurs = snapshot_valeurs(score)
        assert dernier.avancement == valeurs["avancement"]
        assert dernier.taux_engagement == valeurs["taux_engagement"]
        assert dernier.par_axe == valeurs["par_axe"]
        # The latest is marked current, the only one: the directory sorts on it.
        assert list(instantanes.filter(courant=True)) == [dernier]
    assert ScoreSnapshot.objects.filter(commune_id=engagees[0]).count() >= 1
    assert ScoreSnapshot.objects.count() > len(engagees)  # an evolution to show


def test_public_pages_of_a_generated_commune_answer(client):
    semer()
    cache.clear()
    commune = Commune.objects.filter(signatures__isnull=False).order_by("-population").first()
    structure = Structure.objects.published().first()

    adresses = [
        reverse("commune:liste"),
        reverse("commune:liste") + "?tri=-score",
        reverse("commune:liste") + "?score=0-25&region=53",
        reverse("commune:scorecard", args=[commune.code_insee]),
        reverse("commune:action", args=[commune.code_insee, "1.1"]),
        reverse("commune:departement", args=[commune.departement.code]),
        f"/communes/{commune.code_insee}/marches/",
        "/structures/",
        structure.get_absolute_url(),
    ]
    for adresse in adresses:
        assert client.get(adresse).status_code == 200, adresse
