"""The profile editor: who may edit, what is saved, the figures' dates, the history,
the errors beside their fields, the completion indicator."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from commune.models import Departement
from structures import services
from structures.completion import completion
from structures.models import Reseau, Secteur, Structure, TypePrestation, TypeStructure
from tests.commune.factories import CommuneFactory, EPCIFactory
from tests.roles import verifier_reponse
from tests.structures.conftest import ATTENDU_MEMBRE, ROLES, SIRET, photographie, texte

pytestmark = pytest.mark.django_db

URL = reverse("espace:structures_espace:profil", args=[SIRET])


@pytest.fixture
def communes():
    metropole = EPCIFactory(siren="243500139", nom="Rennes Métropole")
    return {
        "rennes": CommuneFactory(code_insee="35238", nom="Rennes", epci=metropole),
        "bruz": CommuneFactory(code_insee="35047", nom="Bruz", epci=metropole),
    }


def formulaire(structure, **changes):
    """What the editor posts when nothing is touched, then `changes`."""
    valeurs = {
        "nom": structure.nom,
        "enseigne": structure.enseigne,
        "type": structure.type_id,
        "forme_juridique": structure.forme_juridique,
        "description": structure.description,
        "adresse": structure.adresse,
        "code_postal": structure.code_postal,
        "commune": structure.commune.code_insee if structure.commune else "",
        "email": structure.email,
        "telephone": structure.telephone,
        "site_web": structure.site_web,
        "secteurs": [s.pk for s in structure.secteurs.all()],
        "types_prestation": [t.pk for t in structure.types_prestation.all()],
        "reseaux": [r.pk for r in structure.reseaux.all()],
        "zones_communes": " ".join(c.code_insee for c in structure.zones_communes.all()),
        "zones_epci": " ".join(e.siren for e in structure.zones_epci.all()),
        "zones_departements": " ".join(d.code for d in structure.zones_departements.all()),
        "etp_insertion": structure.etp_insertion or "",
        "personnes_accompagnees": structure.personnes_accompagnees or "",
        "taux_sorties_positives": structure.taux_sorties_positives or "",
        "fin_conventionnement": structure.fin_conventionnement or "",
    }
    for case in ("email_public", "telephone_public", "site_web_public", "publiee"):
        if getattr(structure, case):
            valeurs[case] = "on"
    if not structure.verifiee:
        valeurs["siret"] = structure.siret
    valeurs.update(changes)
    return {nom: valeur for nom, valeur in valeurs.items() if valeur is not None}


# Who may edit ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_editor_page_role_matrix(client, matrice_structure, role):
    verifier_reponse(matrice_structure.connecter(client, role).get(URL), ATTENDU_MEMBRE[role])


@pytest.mark.parametrize("role", ROLES)
def test_saving_the_profile_role_matrix(client, matrice_structure, role):
    structure = matrice_structure.structure
    donnees = formulaire(structure, description="Nouvelle description de l'activité.")
    avant = photographie()
    reponse = matrice_structure.connecter(client, role).post(URL, donnees)
    attendu = ATTENDU_MEMBRE[role]
    verifier_reponse(reponse, attendu)
    structure.refresh_from_db()
    if attendu == "ok":
        assert reponse.status_code == 302
        assert structure.description == "Nouvelle description de l'activité."
        assert structure.history.latest().history_user == matrice_structure.users[role]
    else:
        assert structure.description != "Nouvelle description de l'activité."
        assert photographie() == avant


def test_a_member_of_another_structure_gets_404_on_the_editor(client, matrice_structure):
    client = matrice_structure.connecter(client, "membre_autre_structure")
    assert client.get(URL).status_code == 404


# What is saved -------------------------------------------------------------------------


def test_the_whole_profile_is_saved_as_one_history_record(client, matrice_structure, communes):
    structure = matrice_structure.structure
    maraichage = Secteur.objects.get(slug="maraichage")
    espaces_verts = Secteur.objects.get(slug="entretien-espaces-verts")
    prestation = TypePrestation.objects.get(code="PREST")
    reseau = Reseau.objects.get(slug="cocagne")
    avant = structure.history.count()
    client = matrice_structure.connecter(client, "membre")
    reponse = client.post(
        URL,
        formulaire(
            structure,
            nom="Jardins solidaires",
            enseigne="Les Jardins",
            type=TypeStructure.objects.get(code="EI").pk,
            forme_juridique="SCOP",
            adresse="12 chemin des Prairies",
            code_postal="35200",
            commune="Rennes (35)",
            email="contact@jardins.test",
            email_public="on",
            telephone="02 99 00 00 00",
            site_web="jardins.test",
            site_web_public="on",
            secteurs=[maraichage.pk, espaces_verts.pk],
            types_prestation=[prestation.pk],
            reseaux=[reseau.pk],
            zones_communes="35047, 35238",
            zones_epci="243500139",
            zones_departements="35",
            fin_conventionnement="2028-12-31",
        ),
    )
    assert reponse.status_code == 302, texte(reponse)
    structure = Structure.objects.get(pk=structure.pk)
    assert (structure.nom, structure.enseigne, structure.type.code) == (
        "Jardins solidaires",
        "Les Jardins",
        "EI",
    )
    assert structure.commune == communes["rennes"]
    assert structure.site_web == "https://jardins.test"
    assert set(structure.secteurs.all()) == {maraichage, espaces_verts}
    assert list(structure.types_prestation.all()) == [prestation]
    assert list(structure.reseaux.all()) == [reseau]
    assert set(structure.zones_communes.all()) == set(communes.values())
    assert [e.siren for e in structure.zones_epci.all()] == ["243500139"]
    assert [d.code for d in structure.zones_departements.all()] == ["35"]
    assert structure.fin_conventionnement == datetime.date(2028, 12, 31)
    # One record for the whole form, relations included, by the member who saved.
    assert structure.history.count() == avant + 1
    derniere = structure.history.latest()
    assert derniere.history_user == matrice_structure.users["membre"]
    assert {s.secteur_id for s in derniere.secteurs.all()} == {maraichage.pk, espaces_verts.pk}
    assert {c.commune_id for c in derniere.zones_communes.all()} == {
        c.pk for c in communes.values()
    }


def test_saving_without_change_writes_no_history(client, matrice_structure):
    structure = matrice_structure.structure
    avant = photographie()
    reponse = matrice_structure.connecter(client, "membre").post(
        URL, formulaire(structure), follow=True
    )
    assert "Aucune modification" in texte(reponse)
    assert photographie() == avant


def test_a_changed_figure_gets_today_as_its_date_and_the_others_keep_theirs(
    client, matrice_structure
):
    structure = matrice_structure.structure
    ancienne = datetime.date(2025, 6, 30)
    Structure.objects.filter(pk=structure.pk).update(
        etp_insertion=Decimal("24.5"),
        etp_insertion_maj=ancienne,
        personnes_accompagnees=52,
        personnes_accompagnees_maj=ancienne,
        taux_sorties_positives=Decimal("61.0"),
        taux_sorties_positives_maj=ancienne,
    )
    structure.refresh_from_db()
    client = matrice_structure.connecter(client, "membre")
    client.post(URL, formulaire(structure, personnes_accompagnees="60", etp_insertion="24,5"))
    structure.refresh_from_db()
    assert structure.personnes_accompagnees == 60
    assert structure.personnes_accompagnees_maj == timezone.localdate()
    assert structure.etp_insertion_maj == ancienne  # the same figure, typed the French way
    assert structure.taux_sorties_positives_maj == ancienne
    # A figure cleared loses its date.
    client.post(URL, formulaire(structure, taux_sorties_positives=""))
    structure.refresh_from_db()
    assert structure.taux_sorties_positives is None
    assert structure.taux_sorties_positives_maj is None


def test_the_siret_is_editable_while_unverified_only(client, matrice_structure):
    structure = matrice_structure.structure
    client = matrice_structure.connecter(client, "admin")
    assert 'name="siret"' not in texte(client.get(URL))
    # A verified structure's SIRET does not change, even when posted.
    client.post(URL, {**formulaire(structure), "siret": "93500004200017"})
    structure.refresh_from_db()
    assert structure.siret == SIRET

    Structure.objects.filter(pk=structure.pk).update(verifiee=False)
    structure.refresh_from_db()
    assert 'name="siret"' in texte(client.get(URL))
    reponse = client.post(URL, formulaire(structure, siret="935 000 042 00017"))
    assert reponse["Location"] == reverse(
        "espace:structures_espace:profil", args=["93500004200017"]
    )
    structure.refresh_from_db()
    assert structure.siret == "93500004200017"


def test_the_service_refuses_to_change_a_verified_siret(matrice_structure):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refus:
        services.profil_enregistrer(
            structure=matrice_structure.structure,
            valeurs={"siret": "93500004200017"},
            relations={},
            by=matrice_structure.users["admin"],
        )
    assert "ne se modifie plus" in str(refus.value)


def test_the_editor_starts_from_the_saved_profile(client, matrice_structure, communes):
    structure = matrice_structure.structure
    maraichage = Secteur.objects.get(slug="maraichage")
    prestation = TypePrestation.objects.get(code="PREST")
    reseau = Reseau.objects.get(slug="cocagne")
    structure.secteurs.add(maraichage)
    structure.types_prestation.add(prestation)
    structure.reseaux.add(reseau)
    structure.zones_communes.add(communes["bruz"])
    structure.commune = communes["rennes"]
    structure.save()
    contenu = texte(matrice_structure.connecter(client, "membre").get(URL))
    for nom, objet in (("secteurs", maraichage), ("types_prestation", prestation)):
        assert re.search(rf'name="{nom}" value="{objet.pk}"[^>]*checked', contenu)
    assert re.search(rf'name="reseaux" value="{reseau.pk}"[^>]*checked', contenu)
    assert re.search(r'name="zones_communes"[^>]*>\s*35047</textarea>', contenu)
    assert 'value="Rennes (35238)"' in contenu


# Errors, in French, beside their fields -----------------------------------------------------


def test_unknown_zone_codes_are_listed_beside_their_field(client, matrice_structure, communes):
    structure = matrice_structure.structure
    avant = photographie()
    reponse = matrice_structure.connecter(client, "membre").post(
        URL,
        formulaire(
            structure,
            zones_communes="35238 99999 35999",
            zones_epci="123456789",
            zones_departements="35 99",
        ),
    )
    contenu = texte(reponse)
    assert reponse.status_code == 200
    assert "Codes INSEE inconnus : 99999, 35999. Corrigez ou retirez ces codes." in contenu
    assert "SIREN d'EPCI inconnu : 123456789." in contenu
    assert "Département inconnu : 99." in contenu
    assert 'id="id_zones_communes_error"' in contenu
    assert 'aria-describedby="id_zones_communes_helptext id_zones_communes_error"' in contenu
    assert 'role="alert"' in contenu
    assert photographie() == avant


def test_malformed_codes_are_named(client, matrice_structure):
    reponse = matrice_structure.connecter(client, "membre").post(
        URL, formulaire(matrice_structure.structure, zones_communes="352 abcde")
    )
    assert "ceux-ci n'en sont pas : 352, ABCDE." in texte(reponse)


@pytest.mark.parametrize(
    ("champ", "valeur", "message"),
    [
        ("code_postal", "3520", "Un code postal compte 5 chiffres."),
        ("telephone", "abc", "Indiquez un numéro de téléphone"),
        ("email", "pas-une-adresse", "Saisissez une adresse e-mail valide."),
        ("taux_sorties_positives", "120", "inférieure ou égale à 100"),
        ("etp_insertion", "-1", "supérieure ou égale à 0"),
        ("commune", "Atlantide", "Aucune commune ne s'appelle « Atlantide »"),
        ("nom", "", "Ce champ est obligatoire."),
    ],
)
def test_a_wrong_value_is_refused_beside_its_field(
    client, matrice_structure, champ, valeur, message
):
    avant = photographie()
    reponse = matrice_structure.connecter(client, "membre").post(
        URL, formulaire(matrice_structure.structure, **{champ: valeur})
    )
    contenu = texte(reponse)
    assert reponse.status_code == 200
    assert message in contenu
    assert f'id="id_{champ}_error"' in contenu
    assert photographie() == avant


# The page ---------------------------------------------------------------------------


def test_sectors_are_checkboxes_grouped_by_sector_group_in_fieldsets(client, matrice_structure):
    contenu = texte(matrice_structure.connecter(client, "membre").get(URL))
    assert '<fieldset class="secteurs__groupe">' in contenu
    assert "<legend>Espaces verts & extérieurs</legend>" in contenu or (
        "<legend>Espaces verts &amp; extérieurs</legend>" in contenu
    )
    assert 'type="checkbox" name="secteurs"' in contenu


def test_the_editor_shows_the_completion_and_what_is_missing(client, matrice_structure):
    contenu = texte(matrice_structure.connecter(client, "membre").get(URL))
    assert 'role="progressbar"' in contenu
    assert "un logo" in contenu and "au moins un secteur d'activité" in contenu


def test_the_editor_query_count_does_not_grow_with_the_profile(
    client, matrice_structure, communes, django_assert_num_queries
):
    client = matrice_structure.connecter(client, "membre")

    def compter():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as requetes:
            assert client.get(URL).status_code == 200
        return len(requetes)

    vide = compter()
    structure = matrice_structure.structure
    structure.secteurs.set(Secteur.objects.all()[:10])
    structure.zones_communes.set(communes.values())
    structure.reseaux.set(Reseau.objects.all())
    assert compter() == vide


# Completion -------------------------------------------------------------------------------


def test_completion_of_a_full_profile_is_100(matrice_structure, communes):
    structure = matrice_structure.structure
    structure.adresse, structure.code_postal = "1 rue de la Paix", "35000"
    structure.commune = communes["rennes"]
    structure.email, structure.email_public = "contact@exemple.test", True
    structure.logo = "logos/x.png"
    structure.etp_insertion, structure.personnes_accompagnees = Decimal("3"), 10
    structure.taux_sorties_positives = Decimal("50")
    structure.fin_conventionnement = datetime.date(2028, 1, 1)
    structure.save()
    structure.secteurs.set(Secteur.objects.all()[:1])
    structure.types_prestation.set(TypePrestation.objects.all()[:1])
    structure.zones_departements.set(Departement.objects.filter(code="35"))
    resultat = completion(structure)
    assert resultat.pourcentage == 100 and resultat.complete


def test_completion_says_what_is_missing(matrice_structure):
    resultat = completion(matrice_structure.structure)
    assert 0 < resultat.pourcentage < 100
    assert "la date de fin du conventionnement" in resultat.manquants


def test_the_conventionnement_counts_only_for_siae(matrice_structure):
    structure = matrice_structure.structure
    structure.type = TypeStructure.objects.get(code="EA")
    assert "la date de fin du conventionnement" not in completion(structure).manquants


def test_the_dashboard_shows_completion_and_the_history_with_names(client, matrice_structure):
    client = matrice_structure.connecter(client, "membre")
    client.post(URL, formulaire(matrice_structure.structure, description="Maraîchage bio."))
    contenu = texte(client.get(reverse("espace:structures_espace:tableau_de_bord", args=[SIRET])))
    assert 'role="progressbar"' in contenu
    assert matrice_structure.users["membre"].nom_affiche in contenu
    assert "Description" in contenu


def test_the_dashboard_query_count_does_not_grow_with_history(
    client, matrice_structure, django_assert_num_queries
):
    client = matrice_structure.connecter(client, "admin")
    url = reverse("espace:structures_espace:tableau_de_bord", args=[SIRET])
    structure = matrice_structure.structure
    # Session, user, structure, membership, profile with 6 relations, pending claims,
    # history, 6 relation snapshots.
    with django_assert_num_queries(18):
        client.get(url)
    for n in range(12):
        client.post(URL, formulaire(structure, description=f"Version {n}"))
        structure.refresh_from_db()
    with django_assert_num_queries(18):
        client.get(url)
