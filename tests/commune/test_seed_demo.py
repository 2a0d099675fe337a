from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from stdnum.fr import siret as stdnum_siret

from axes.enums import Statut
from axes.models import Engagement, Jalon, Preuve, ScoreSnapshot, Signature
from commune import demo_data
from commune.enums import Role
from commune.models import EPCI, Commune, EluReferent, MembreCommune
from comptes.models import User
from marches.models import ClauseSociale, Marche, SuiviHeures, Titulaire
from structures.models import MembreStructure, Soutien, Structure

MODELES = (
    EPCI,
    Commune,
    User,
    MembreCommune,
    EluReferent,
    Signature,
    Engagement,
    Preuve,
    Jalon,
    ScoreSnapshot,
    Structure,
    MembreStructure,
    Soutien,
    Marche,
    Titulaire,
    ClauseSociale,
    SuiviHeures,
)


pytestmark = pytest.mark.django_db


def semer():
    sortie = StringIO()
    call_command("seed_demo", "--force", stdout=sortie)
    return sortie.getvalue()


def comptages():
    tables = {modele.__name__: modele.objects.count() for modele in MODELES}
    historiques = {
        f"historique {modele.__name__}": modele.history.count()
        for modele in MODELES
        if hasattr(modele, "history")
    }
    return tables | historiques


def test_a_second_run_changes_nothing():
    semer()
    avant = comptages()

    semer()

    assert comptages() == avant
    assert avant["Commune"] == 9
    assert avant["Structure"] == 10
    assert avant["Marche"] == 30
    assert avant["Signature"] == 5


def test_demo_accounts_can_sign_in_with_the_printed_password():
    sortie = semer()

    for compte in demo_data.COMPTES:
        assert compte["email"] in sortie
        assert authenticate(username=compte["email"], password="demo-commune-engagee")
    assert "demo-commune-engagee" in sortie
    assert "http://127.0.0.1:8000/" in sortie
    rennes = Commune.objects.get(code_insee="35238")
    assert MembreCommune.objects.get(user__email="elu@demo.test", commune=rennes).role == Role.ADMIN
    assert (
        MembreCommune.objects.get(user__email="agent@demo.test", commune=rennes).role
        == Role.EDITEUR
    )
    assert MembreStructure.objects.get(user__email="siae@demo.test").est_admin
    staff = User.objects.get(email="staff@demo.test")
    assert staff.is_staff and staff.is_superuser


def test_rennes_shows_every_status_and_every_realise_has_evidence():
    semer()

    rennes = Engagement.objects.filter(commune__code_insee="35238")
    assert rennes.count() == 15
    assert set(rennes.values_list("statut", flat=True)) == set(Statut.values)
    realises = Engagement.objects.filter(statut=Statut.REALISE).avec_nombre_preuves()
    assert realises.exists()
    assert all(engagement.nombre_preuves for engagement in realises)
    for engagement in Engagement.objects.all():
        engagement.clean()


def test_sirets_are_valid_and_contracts_match_the_mairie():
    semer()

    for commune in Commune.objects.all():
        assert stdnum_siret.is_valid(commune.siret_mairie)
    assert Commune.objects.get(code_insee="35238").siret_mairie == "21350238800019"
    assert all(stdnum_siret.is_valid(s) for s in Structure.objects.values_list("siret", flat=True))
    assert Structure.objects.filter(verifiee=False).count() == 1
    assert not Marche.objects.exclude(montant__gte=40_000).exists()
    for marche in Marche.objects.select_related("commune"):
        assert marche.acheteur_siret == marche.commune.siret_mairie
    assert Titulaire.objects.filter(structure__isnull=False).exists()
    sociaux = Marche.objects.avec_consideration_sociale().count()
    assert 0.3 <= sociaux / Marche.objects.count() <= 0.5


def test_snapshots_exist_for_every_signed_commune():
    semer()

    for signature in Signature.objects.all():
        assert ScoreSnapshot.objects.filter(commune=signature.commune).count() >= 2
    dernier = ScoreSnapshot.objects.filter(commune__code_insee="35238").latest("date")
    assert set(dernier.par_axe) == {"1", "2", "3", "4", "5"}


def test_refuses_to_run_without_force_when_debug_is_false(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())

    assert not User.objects.exists()
