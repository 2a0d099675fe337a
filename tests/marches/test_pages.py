"""The public page of a commune's contracts, the member list, the CSV exports, the
holders' page: what they show, accessibility hooks, and query counts that do not
grow with the data."""

import csv
import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from marches.export import COLONNES
from marches.models import Marche, Titulaire
from tests.marches.factories import (
    ClauseSocialeFactory,
    MarcheFactory,
    SuiviHeuresFactory,
    TitulaireFactory,
)

pytestmark = pytest.mark.django_db


def url_publique(commune, **parametres):
    adresse = reverse("commune:marches_public:liste", args=[commune.code_insee])
    if parametres:
        adresse += "?" + "&".join(f"{cle}={valeur}" for cle, valeur in parametres.items())
    return adresse


def creer_marches(commune, nombre, **valeurs):
    """`nombre` contracts in two queries, each with one holder."""
    marches = Marche.objects.bulk_create(
        [
            Marche(
                id_decp=f"Q{numero:05d}",
                acheteur_siret="21350238800019",
                commune=commune,
                objet=f"Marché n° {numero}",
                code_cpv="77310000-6",
                procedure="Procédure adaptée",
                montant=Decimal(40000 + numero),
                date_notification=datetime.date(2025 + numero % 2, 5, 12),
                duree_mois=12,
                clause_sociale=numero % 3 == 0,
                **valeurs,
            )
            for numero in range(nombre)
        ]
    )
    Titulaire.objects.bulk_create(
        [Titulaire(marche=marche, identifiant="90000000009010") for marche in marches]
    )
    return marches


# The public page --------------------------------------------------------------------


def test_public_page_shows_published_contracts_and_indicators(client, contrat):
    commune = contrat.marche.commune
    MarcheFactory(commune=commune, objet="Marché retiré de la page", publie=False)
    page = client.get(url_publique(commune)).content.decode()
    assert contrat.marche.objet in page
    assert "Marché retiré de la page" not in page
    assert 'role="progressbar"' in page
    assert 'aria-valuenow="100.0"' in page
    assert "Cible atteinte" in page
    assert '<rect class="graphique__barre" x="0" y="0" width="100.00" height="4"/>' in page
    assert "<caption>Marchés par considération sociale" in page
    assert "Clauses sociales par base légale" in page
    # Strict CSP: nothing inline.
    assert not re.search(r"\sstyle=", page)
    assert "<script" not in page


def test_public_page_filters_by_year(client, matrice):
    MarcheFactory(commune=matrice.commune, objet="Ancien marché", date_notification="2025-03-01")
    MarcheFactory(commune=matrice.commune, objet="Marché récent", clause_sociale=True)
    page = client.get(url_publique(matrice.commune, annee=2025)).content.decode()
    assert "Ancien marché" in page and "Marché récent" not in page
    assert "Indicateurs 2025" in page
    assert '<option value="2026">2026</option>' in page
    # An unknown year is ignored, not an error.
    assert client.get(url_publique(matrice.commune, annee="abc")).status_code == 200


def test_public_page_of_a_commune_without_contracts(client, matrice):
    page = client.get(url_publique(matrice.commune)).content.decode()
    assert "Aucun marché publié" in page
    assert "pas de part à calculer" in page
    assert 'role="progressbar"' not in page


def test_public_page_says_unknown_considerations_and_gives_no_verdict(client, matrice):
    """36 DECP v1 contracts: their considerations are unknown, not "none"."""
    for _ in range(36):
        MarcheFactory(commune=matrice.commune, inconnues=True, date_notification="2022-03-01")
    page = client.get(url_publique(matrice.commune)).content.decode()
    assert "Les considérations sociales de ces 36 marchés ne sont pas renseignées" in page
    assert "pas de part à calculer, ni de comparaison avec la cible" in page
    assert "Cible atteinte" not in page and "Cible non atteinte" not in page
    assert "✓" not in page and "✗" not in page
    assert 'role="progressbar"' not in page
    assert "Pas de considération sociale" not in page
    assert "Non renseignées" in page
    assert "— sans objet" in page


def test_public_page_counts_the_share_over_known_considerations(client, matrice):
    MarcheFactory(commune=matrice.commune, clause_sociale=True)
    MarcheFactory(commune=matrice.commune)
    for _ in range(3):
        MarcheFactory(commune=matrice.commune, inconnues=True)
    page = client.get(url_publique(matrice.commune)).content.decode()
    assert "(1 sur 2 dont les considérations sociales sont renseignées)" in page
    assert 'aria-valuenow="50.0"' in page and "Cible atteinte" in page
    assert "3 marchés aux considérations sociales non renseignées" in page
    assert "Non renseignées (non comptées)" in page


def test_an_undated_contract_is_listed_last_and_counted_in_no_year(client, matrice):
    MarcheFactory(commune=matrice.commune, sans_date=True, objet="Marché sans date")
    MarcheFactory(commune=matrice.commune, objet="Marché daté", date_notification="2024-02-01")
    page = client.get(url_publique(matrice.commune)).content.decode()
    assert page.index("Marché daté") < page.index("Marché sans date")
    assert '<th scope="row">2024</th>' in page
    assert '<th scope="row">Date inconnue</th>' in page
    assert page.index('<th scope="row">2024</th>') < page.index("Date inconnue</th>")
    assert "<td>inconnue</td>" in page

    entete, *lignes = lire_csv(
        client.get(reverse("commune:marches_public:export", args=[matrice.commune.code_insee]))
    )
    dates = {
        ligne[entete.index("objet")]: ligne[entete.index("dateNotification")] for ligne in lignes
    }
    assert dates == {"Marché daté": "2024-02-01", "Marché sans date": ""}


def test_public_filter_without_consideration_keeps_known_no_only(client, matrice):
    MarcheFactory(commune=matrice.commune, objet="Marché sans clause")
    MarcheFactory(commune=matrice.commune, objet="Marché des DECP v1", inconnues=True)
    page = client.get(url_publique(matrice.commune, consideration="sans")).content.decode()
    assert "Marché sans clause" in page and "Marché des DECP v1" not in page
    page = client.get(url_publique(matrice.commune, consideration="inconnues")).content.decode()
    assert "Marché sans clause" not in page and "Marché des DECP v1" in page


def test_public_page_of_an_unknown_commune_is_404(client, db):
    assert client.get("/communes/99999/marches/").status_code == 404


def test_public_page_is_paginated(client, matrice):
    creer_marches(matrice.commune, 30)
    page = client.get(url_publique(matrice.commune)).content.decode()
    assert "Page 1 sur 2" in page
    assert "page=2" in page


@pytest.mark.parametrize("nombre", [0, 1, 500])
def test_public_page_queries_do_not_grow(client, matrice, django_assert_num_queries, nombre):
    creer_marches(matrice.commune, nombre)
    # commune, years of the filter, 5 of the indicators, count, page, holders.
    attendu = 8 if nombre == 0 else 10
    with django_assert_num_queries(attendu):
        reponse = client.get(url_publique(matrice.commune))
    assert reponse.status_code == 200
    # Anonymous visitors then share the page kept whole, until the commune changes.
    with django_assert_num_queries(0):
        assert client.get(url_publique(matrice.commune)).content == reponse.content


def test_public_page_kept_whole_shows_a_new_contract_at_once(client, matrice):
    adresse = url_publique(matrice.commune)
    assert "Rénovation de la halle" not in client.get(adresse).content.decode()
    MarcheFactory(commune=matrice.commune, objet="Rénovation de la halle")
    assert "Rénovation de la halle" in client.get(adresse).content.decode()


# Member pages -------------------------------------------------------------------------


@pytest.mark.parametrize("nombre", [0, 1, 500])
def test_member_list_queries_do_not_grow(client, matrice, django_assert_num_queries, nombre):
    creer_marches(matrice.commune, nombre, publie=False)
    client.force_login(matrice.users["editeur"])
    # session, user, commune, role, years, count, page, 4 of the indicators.
    attendu = 10 if nombre == 0 else 11
    with django_assert_num_queries(attendu):
        reponse = client.get(reverse("espace:marches:liste", args=[matrice.commune.code_insee]))
    assert reponse.status_code == 200
    if nombre:
        assert "Non publié" in reponse.content.decode()


@pytest.mark.parametrize("nombre", [1, 20])
def test_contract_and_clause_pages_queries_do_not_grow(
    client, contrat, django_assert_num_queries, nombre
):
    for numero in range(1, nombre):
        TitulaireFactory(
            marche=contrat.marche, identifiant=f"FR{numero:011d}", type_identifiant="TVA"
        )
        ClauseSocialeFactory(marche=contrat.marche)
    for numero in range(nombre):
        SuiviHeuresFactory(
            clause=contrat.clause,
            periode_debut=datetime.date(2020 + numero, 1, 1),
            periode_fin=datetime.date(2020 + numero, 1, 31),
        )
    client.force_login(contrat.membre_titulaire)
    marche = contrat.marche
    # session, user, contract, role, holder's staff, holders, clauses, history.
    with django_assert_num_queries(8):
        detail = client.get(
            reverse("espace:marches:detail", args=[marche.commune.code_insee, marche.pk])
        )
    assert detail.status_code == 200
    # session, user, contract, role, holder's staff, clause, periods, 2 histories.
    with django_assert_num_queries(9):
        clause = client.get(
            reverse(
                "espace:marches:clause",
                args=[marche.commune.code_insee, marche.pk, contrat.clause.pk],
            )
        )
    assert clause.status_code == 200


def test_holders_page_lists_the_contracts_of_my_structures(client, contrat, matrice):
    MarcheFactory(commune=matrice.commune, objet="Marché d'une autre entreprise")
    client.force_login(contrat.membre_titulaire)
    page = client.get(reverse("espace:marches_staff:titulaire")).content.decode()
    assert contrat.marche.objet in page
    assert "Marché d&#x27;une autre entreprise" not in page
    client.force_login(contrat.membre_autre_structure)
    page = client.get(reverse("espace:marches_staff:titulaire")).content.decode()
    assert contrat.marche.objet not in page and "Aucune de vos structures" in page


# CSV exports --------------------------------------------------------------------------


def lire_csv(reponse):
    contenu = b"".join(reponse.streaming_content).decode("utf-8")
    assert contenu.startswith("\ufeff")
    return list(csv.reader(io.StringIO(contenu[1:]), delimiter=";"))


def test_public_export_has_the_decp_columns_and_published_contracts_only(client, contrat):
    commune = contrat.marche.commune
    TitulaireFactory(marche=contrat.marche, type_identifiant="TVA", identifiant="FR40303265045")
    contrat.marche.critere_environnemental = True
    contrat.marche.objet = "=HYPERLINK(1)"
    contrat.marche.save()
    MarcheFactory(commune=commune, publie=False)
    reponse = client.get(reverse("commune:marches_public:export", args=[commune.code_insee]))
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in reponse["Content-Disposition"]
    lignes = lire_csv(reponse)
    assert tuple(lignes[0]) == COLONNES
    assert lignes[0] == [
        "id",
        "acheteur.id",
        "nature",
        "objet",
        "codeCPV",
        "procedure",
        "lieuExecution.code",
        "lieuExecution.typeCode",
        "dureeMois",
        "dateNotification",
        "datePublicationDonnees",
        "montant",
        "formePrix",
        "titulaires",
        "considerationsSociales",
        "considerationsEnvironnementales",
    ]
    assert len(lignes) == 2
    ligne = dict(zip(lignes[0], lignes[1], strict=True))
    assert ligne["id"] == contrat.marche.id_decp
    assert ligne["objet"] == "'=HYPERLINK(1)"
    assert ligne["montant"] == "85000.00"
    assert ligne["dateNotification"] == "2026-05-12"
    assert ligne["titulaires"] == f"{contrat.titulaire.identifiant}|FR40303265045"
    assert ligne["considerationsSociales"] == "Clause sociale"
    assert ligne["considerationsEnvironnementales"] == "Critère environnemental"


def test_member_export_includes_unpublished_contracts(client, matrice):
    MarcheFactory(commune=matrice.commune, publie=False)
    MarcheFactory(commune=matrice.commune)
    client.force_login(matrice.users["lecteur"])
    reponse = client.get(reverse("espace:marches:export", args=[matrice.commune.code_insee]))
    assert reponse["Cache-Control"] == "private, no-store"
    lignes = lire_csv(reponse)
    assert len(lignes) == 3
    assert lignes[1][14] == "Pas de considération sociale"


@pytest.mark.parametrize("nombre", [1, 500])
def test_export_queries_do_not_grow(client, matrice, django_assert_num_queries, nombre):
    creer_marches(matrice.commune, nombre)
    with django_assert_num_queries(3):
        reponse = client.get(
            reverse("commune:marches_public:export", args=[matrice.commune.code_insee])
        )
        lignes = lire_csv(reponse)
    assert len(lignes) == nombre + 1


def test_every_member_page_renders_without_inline_style(client, contrat, matrice):
    """Strict CSP: no style attribute, no inline script, on any page of the module."""
    suivi = SuiviHeuresFactory(clause=contrat.clause)
    marche, clause = contrat.marche, contrat.clause
    code = marche.commune.code_insee
    client.force_login(matrice.users["editeur"])
    adresses = [
        reverse("espace:marches:liste", args=[code]),
        reverse("espace:marches:creer", args=[code]),
        reverse("espace:marches:detail", args=[code, marche.pk]),
        reverse("espace:marches:modifier", args=[code, marche.pk]),
        reverse("espace:marches:supprimer", args=[code, marche.pk]),
        reverse("espace:marches:clause_creer", args=[code, marche.pk]),
        reverse("espace:marches:clause", args=[code, marche.pk, clause.pk]),
        reverse("espace:marches:clause_modifier", args=[code, marche.pk, clause.pk]),
        reverse("espace:marches:clause_supprimer", args=[code, marche.pk, clause.pk]),
        reverse("espace:marches:suivi_modifier", args=[code, marche.pk, clause.pk, suivi.pk]),
        reverse("espace:marches:suivi_supprimer", args=[code, marche.pk, clause.pk, suivi.pk]),
        reverse("espace:marches_staff:titulaire"),
    ]
    for adresse in adresses:
        reponse = client.get(adresse)
        assert reponse.status_code == 200, adresse
        page = reponse.content.decode()
        assert not re.search(r"\sstyle=", page), adresse
        assert "<script" not in page, adresse
    client.force_login(matrice.users["staff"])
    page = client.get(reverse("espace:marches_staff:import")).content.decode()
    assert not re.search(r"\sstyle=", page)


def test_a_real_decp_v1_file_never_says_no_social_consideration(client, db):
    """A commune's contract in a real PES file of 2019 (tests/fixtures/decp/README.md, where
    it is published twice): DECP v1 gives no considerations, so the page says unknown."""
    from commune import cache as cache_public
    from marches.decp import decp_importer
    from tests.commune.factories import CommuneFactory

    commune = CommuneFactory(code_insee="67218", siren="216702183")
    fichier = Path(__file__).resolve().parent.parent / "fixtures/decp/v1_pes_2019-04-05.json"
    with fichier.open("rb") as contenu:
        decp_importer(fichier=contenu, ecrire=True)
    cache_public.invalider_communes(commune.pk)
    assert Marche.objects.filter(commune=commune, sociales_connues=False).count() == 1
    page = client.get(url_publique(commune)).content.decode()
    assert "Les considérations sociales de ce marché ne sont pas renseignées" in page
    assert "Pas de considération sociale" not in page and "Aucune</span>" not in page
    assert "Cible non atteinte" not in page and "non atteinte" not in page
