import hashlib
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from stdnum.fr import siret as stdnum_siret

from axes.enums import Statut
from axes.models import Engagement, Jalon, Preuve, ScoreSnapshot, Signature
from axes.selectors import scores_des_communes
from axes.services import snapshot_valeurs
from commune import echelle
from commune.models import EPCI, Commune, EluReferent
from commune.territoires import territoires_importer
from marches.decp import _References
from marches.models import ClauseSociale, Marche, SuiviHeures, Titulaire
from structures.models import Soutien, Structure
from tests.axes.factories import SignatureFactory
from tests.comptes.factories import UserFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

# An excerpt of the real découpage (see its README): a few hundred communes.
EXTRAIT = Path(__file__).resolve().parent.parent / "fixtures" / "decoupage"
PETIT = ("--communes", "200", "--structures", "40", "--marches", "600")


@pytest.fixture
def dossier_territoires():
    return EXTRAIT


@pytest.fixture
def semer(dossier_territoires):
    def semer(*options):
        sortie = StringIO()
        call_command(
            "seed_scale", *PETIT, "--territoires", str(dossier_territoires), *options,
            stdout=sortie,
        )  # fmt: skip
        return sortie.getvalue()

    return semer


def communes_du_fichier(dossier):
    communes = json.loads((dossier / "communes.json").read_text(encoding="utf-8"))
    return sorted(c["code"] for c in communes if c["type"] == "commune-actuelle")


def empreinte():
    """A digest of everything generated, by natural keys: primary keys and the
    timestamps of the run are left out."""
    requetes = (
        Commune.objects.order_by("code_insee").values_list(
            "code_insee", "nom", "slug", "population", "siren", "departement__code",
            "epci__siren",
        ),
        EPCI.objects.order_by("siren").values_list("siren", "nom", "nature", "population"),
        Structure.objects.order_by("siret").values_list(
            "siret", "nom", "enseigne", "type__code", "commune__code_insee", "etp_insertion",
            "taux_sorties_positives", "verifiee", "publiee",
        ),
        Structure.secteurs.through.objects.order_by("structure__siret", "secteur__slug")
        .values_list("structure__siret", "secteur__slug"),
        Structure.zones_communes.through.objects.order_by("structure__siret", "commune__code_insee")
        .values_list("structure__siret", "commune__code_insee"),
        Marche.objects.order_by("acheteur_siret", "id_decp").values_list(
            "acheteur_siret", "id_decp", "commune__code_insee", "epci__siren", "objet",
            "code_cpv", "procedure", "montant",
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
        # Real names are not unique: neither are their slugs, nor the evidence's URLs.
        Preuve.objects.order_by("engagement__commune__code_insee", "url").values_list(
            "engagement__commune__code_insee", "url", "titre", "date", "publique"
        ),
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


def test_loads_the_real_territories_and_draws_on_a_sample_of_communes(dossier_territoires, semer):
    sortie = semer()

    codes = communes_du_fichier(dossier_territoires)
    assert list(Commune.objects.order_by("code_insee").values_list("code_insee", flat=True)) == (
        codes
    )
    assert Structure.objects.count() == 40
    assert Marche.objects.count() == 600
    retenues = min(200, len(codes))
    assert Signature.objects.count() == round(0.3 * retenues)
    assert Engagement.objects.count() == Signature.objects.count() * 15
    touchees = (
        set(Structure.objects.values_list("commune", flat=True))
        | set(Marche.objects.exclude(commune=None).values_list("commune", flat=True))
        | set(Signature.objects.values_list("commune", flat=True))
    )
    assert len(touchees) <= retenues
    assert "Territoires : chargés du découpage administratif" in sortie
    assert f"{retenues} communes retenues" in sortie
    assert "Données générées (graine 1)" in sortie
    assert "Marchés : 600 marchés publics" in sortie


def test_without_communes_every_current_commune_may_be_drawn(dossier_territoires, semer):
    call_command(
        "seed_scale", "--structures", "0", "--marches", "0", "--part-engagees", "0.5",
        "--territoires", str(dossier_territoires), stdout=StringIO(),
    )  # fmt: skip

    assert Signature.objects.count() == round(0.5 * len(communes_du_fichier(dossier_territoires)))


def test_buyers_are_real_sirens_that_a_decp_import_matches(semer):
    semer()

    references = _References()
    par_commune = par_epci = 0
    for marche in Marche.objects.select_related("commune", "epci"):
        assert stdnum_siret.is_valid(marche.acheteur_siret), marche.acheteur_siret
        if marche.commune:
            assert marche.acheteur_siret[:9] == marche.commune.siren
            par_commune += 1
        else:
            assert marche.acheteur_siret[:9] == marche.epci.siren
            assert (
                marche.lieu_code
                == marche.epci.communes.order_by("-population").first().departement.code
            )
            par_epci += 1
        assert references.trouver(marche.acheteur_siret) == (marche.commune_id, marche.epci_id)
    assert par_commune > par_epci > 0
    # Structures and companies have SIRENs of their own.
    sirens_publics = set(Commune.objects.values_list("siren", flat=True)) | set(
        EPCI.objects.values_list("siren", flat=True)
    )
    for structure in Structure.objects.select_related("commune"):
        structure.full_clean()
        assert structure.siret[:9] not in sirens_publics
        assert structure.commune.codes_postaux.filter(code=structure.code_postal).exists()
    for titulaire in Titulaire.objects.filter(type_identifiant="SIRET"):
        assert stdnum_siret.is_valid(titulaire.identifiant)
        assert titulaire.identifiant[:9] not in sirens_publics
    sociaux = Marche.objects.avec_consideration_sociale().count()
    assert 0.18 <= sociaux / 600 <= 0.32
    assert Titulaire.objects.filter(structure__isnull=False).exists()
    assert ClauseSociale.objects.filter(heures_prevues__isnull=False).exists()
    assert SuiviHeures.objects.exists()


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(semer):
    empreintes = []
    for graine in ("1", "1", "2"):
        with transaction.atomic():
            semer("--seed", graine)
            empreintes.append(empreinte())
            transaction.set_rollback(True)

    assert empreintes[0] == empreintes[1]
    assert empreintes[0] != empreintes[2]


@pytest.mark.parametrize("existant", [StructureFactory, UserFactory, SignatureFactory])
def test_refuses_a_database_that_is_not_empty_and_writes_nothing(existant, semer):
    existant()
    communes = Commune.objects.count()

    with pytest.raises(CommandError, match="--force"):
        semer()

    assert Commune.objects.count() == communes
    assert not Marche.objects.exists()
    assert not Engagement.objects.exists()


def test_territories_already_there_are_used_as_they_are(dossier_territoires, semer):
    territoires_importer(dossier=dossier_territoires)
    avant = list(Commune.objects.order_by("pk").values_list("pk", "code_insee", "updated_at"))
    epci = EPCI.objects.count()

    sortie = semer()

    assert "Territoires : ceux de la base, gardés tels quels" in sortie
    assert list(Commune.objects.order_by("pk").values_list("pk", "code_insee", "updated_at")) == (
        avant
    )
    assert EPCI.objects.count() == epci
    assert Marche.objects.count() == 600


def test_force_adds_to_what_is_there_without_taking_its_keys(dossier_territoires, semer):
    semer()
    signatures = Signature.objects.count()

    semer("--force")

    assert Commune.objects.count() == len(communes_du_fichier(dossier_territoires))
    assert Structure.objects.count() == 80
    assert Marche.objects.count() == 1200
    # Other communes sign: those that did are left out.
    assert Signature.objects.count() == 2 * signatures
    assert Signature.objects.values("commune").distinct().count() == 2 * signatures


def test_a_failure_writes_nothing(monkeypatch, semer):
    def panne(self):
        raise RuntimeError("panne")

    monkeypatch.setattr(echelle.Generateur, "generer_engagements", panne)

    with pytest.raises(RuntimeError):
        semer()

    assert not Commune.objects.exists()
    assert not Marche.objects.exists()


def test_refuses_a_share_that_is_not_one(semer):
    with pytest.raises(CommandError, match="entre 0 et 1"):
        semer("--part-engagees", "1.5")


def test_a_missing_folder_of_territories_is_said(tmp_path):
    with pytest.raises(CommandError, match="introuvable"):
        call_command("seed_scale", "--territoires", str(tmp_path), stdout=StringIO())


def test_engagements_follow_the_rules_of_their_status(semer):
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


def test_the_latest_snapshot_of_every_engaged_commune_is_its_current_score(guide, semer):
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


def test_public_pages_of_a_generated_commune_answer(client, semer):
    semer()
    cache.clear()
    commune = Commune.objects.filter(signatures__isnull=False).order_by("-population").first()
    structure = Structure.objects.published().first()

    adresses = [
        reverse("commune:liste"),
        reverse("commune:liste") + "?tri=-score",
        reverse("commune:liste") + f"?score=0-25&region={commune.departement.region.code}",
        reverse("commune:scorecard", args=[commune.code_insee]),
        reverse("commune:action", args=[commune.code_insee, "1.1"]),
        reverse("commune:departement", args=[commune.departement.code]),
        f"/communes/{commune.code_insee}/marches/",
        "/structures/",
        structure.get_absolute_url(),
    ]
    for adresse in adresses:
        assert client.get(adresse).status_code == 200, adresse
