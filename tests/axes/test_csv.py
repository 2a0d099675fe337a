"""The CSV export and import of a commune's engagements: one format, both ways."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from axes import csv_io
from axes.csv_io import COLONNES, engagements_analyser, engagements_importer
from axes.enums import Statut
from axes.models import Engagement, Preuve, ScoreSnapshot
from commune.enums import Role
from tests.axes.factories import EngagementFactory, PreuveFactory, action_du_guide
from tests.commune.factories import CommuneFactory, MembreCommuneFactory
from tests.comptes.factories import UserFactory
from tests.roles import ATTENDU_EDITION, ROLES, verifier_reponse

pytestmark = pytest.mark.django_db

ENTETE = ";".join(COLONNES)


def fichier(*lignes, entete=ENTETE, separateur=";", bom=False):
    """A CSV file as uploaded: rows are lists of cells, or raw strings taken as they are."""
    texte = [entete.replace(";", separateur)]
    for ligne in lignes:
        texte.append(ligne if isinstance(ligne, str) else separateur.join(ligne))
    contenu = "\r\n".join(texte) + "\r\n"
    return ("\ufeff" if bom else "").encode() + contenu.encode()


def ligne(code, statut, avancement="", date_cible="", pilote="", justification=""):
    return [code, "", statut, avancement, date_cible, pilote, "", "", justification, ""]


def url_import(commune):
    return reverse("espace:csv:import", args=[commune.code_insee])


def url_confirmer(commune):
    return reverse("espace:csv:import_confirmer", args=[commune.code_insee])


def url_export(commune):
    return reverse("espace:csv:export", args=[commune.code_insee])


def envoyer(client, commune, contenu, nom="engagements.csv"):
    return client.post(url_import(commune), {"fichier": SimpleUploadedFile(nom, contenu)})


def analyser(commune, guide, contenu):
    return engagements_analyser(commune=commune, referentiel=guide, contenu=contenu)


def erreurs(commune, guide, contenu):
    return analyser(commune, guide, contenu).erreurs


def nombre_historique():
    return Engagement.history.count()


@pytest.fixture
def commune(db):
    return CommuneFactory(code_insee="35238", nom="Rennes")


@pytest.fixture
def editeur(commune):
    return MembreCommuneFactory(commune=commune, role=Role.EDITEUR).user


@pytest.fixture
def client_editeur(client, editeur):
    client.force_login(editeur)
    return client


def remplir(commune):
    """A commune with every kind of engagement, including text a spreadsheet could mangle."""
    pilote = UserFactory(first_name="Camille", last_name="Durand", email="camille@exemple.test")
    realise = EngagementFactory(
        commune=commune,
        action=action_du_guide("1.1"),
        statut=Statut.REALISE,
        date_cible=None,
        pilote=pilote,
        description="Première ligne\r\ndeuxième ligne ; avec « guillemets » et, virgule",
    )
    PreuveFactory.create_batch(2, engagement=realise)
    EngagementFactory(
        commune=commune,
        action=action_du_guide("1.2"),
        statut=Statut.EN_COURS,
        avancement=40,
        pilote_nom="Service des achats",
        description="=SOMME(A1:A2)",
        note_interne="- à relancer en juin",
    )
    EngagementFactory(commune=commune, action=action_du_guide("2.1"), statut=Statut.ENGAGE)
    EngagementFactory(
        commune=commune,
        action=action_du_guide("3.3"),
        statut=Statut.NON_CONCERNE,
        date_cible=None,
        justification="Aucune friche sur le territoire.",
    )


# Export


def test_export_lists_the_15_actions_in_code_order_with_bom_and_semicolons(
    client_editeur, commune, guide
):
    remplir(commune)

    reponse = client_editeur.get(url_export(commune))

    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    aujourdhui = timezone.localdate().isoformat()
    assert reponse["Content-Disposition"] == (
        f'attachment; filename="engagements-35238-{aujourdhui}.csv"'
    )
    assert reponse.content.startswith(b"\xef\xbb\xbf")
    texte = reponse.content.decode("utf-8-sig")
    assert texte.splitlines()[0] == ENTETE
    lignes = analyser(commune, guide, reponse.content).lignes
    assert [ligne.code_action for ligne in lignes] == [
        f"{axe}.{action}" for axe in range(1, 6) for action in range(1, 4)
    ]
    assert "1.3;" in texte and ";non renseigné;" in texte
    # The member pilot by display name, never by email.
    assert "Camille Durand" in texte
    assert "camille@exemple.test" not in texte
    assert ";réalisé;;;Camille Durand;" in texte
    assert texte.count(";0\r\n") == 14  # nombre_preuves of the actions without evidence
    assert ";2\r\n" in texte


def test_export_neutralises_cells_a_spreadsheet_would_run_as_formulas(client_editeur, commune):
    remplir(commune)

    texte = client_editeur.get(url_export(commune)).content.decode("utf-8-sig")

    assert ";'=SOMME(A1:A2);'- à relancer en juin;" in texte


def test_export_is_open_to_every_member_and_staff_only(client, matrice):
    url = url_export(matrice.commune)
    attendu = {
        "anonyme": "connexion",
        "exterieur": 404,
        "membre_autre_commune": 404,
        "lecteur": 200,
        "editeur": 200,
        "admin": 200,
        "staff": 200,
    }
    for role in ROLES:
        client.logout()
        reponse = matrice.connecter(client, role).get(url)
        verifier_reponse(reponse, attendu[role])


def test_export_runs_a_constant_number_of_queries_whatever_the_evidence(
    client_editeur, commune, django_assert_num_queries
):
    url = url_export(commune)
    client_editeur.get(url)  # the session is created on the first request
    # session, user, commune, role, guide, engagements with their evidence count, actions
    with django_assert_num_queries(7):
        client_editeur.get(url)
    remplir(commune)
    for engagement in Engagement.objects.filter(commune=commune):
        PreuveFactory.create_batch(5, engagement=engagement)
    with django_assert_num_queries(7):
        reponse = client_editeur.get(url)
    assert ";7\r\n" in reponse.content.decode("utf-8-sig")


# Round trip


def test_export_then_import_of_the_same_file_changes_nothing(client_editeur, commune, guide):
    remplir(commune)
    exporte = client_editeur.get(url_export(commune)).content
    historique = nombre_historique()

    reponse = envoyer(client_editeur, commune, exporte)

    assert reponse.status_code == 200
    analyse = reponse.context["analyse"]
    assert analyse.valide
    assert analyse.modifiees == []
    assert analyse.nombre_inchangees == 15
    assert reponse.context["jeton"] is None
    assert "Confirmer l'import" not in reponse.content.decode()
    assert engagements_importer(commune=commune, referentiel=guide, analyse=analyse, by=None) == 0
    assert nombre_historique() == historique
    assert Engagement.objects.filter(commune=commune).count() == 4
    assert Engagement.objects.get(action__code="1.1", commune=commune).pilote is not None


def test_round_trip_survives_a_spreadsheet_that_trims_and_rewrites_line_breaks(
    client_editeur, commune, guide
):
    remplir(commune)
    exporte = client_editeur.get(url_export(commune)).content.decode("utf-8-sig")
    retouche = exporte.replace("Première ligne\r\n", "Première ligne\n").replace(
        ";Service des achats;", ";  Service des achats ;"
    )

    analyse = analyser(commune, guide, retouche.encode())

    assert analyse.valide
    assert analyse.modifiees == []


# Import: preview, then confirmation


def test_upload_shows_each_change_and_writes_nothing(client_editeur, commune):
    EngagementFactory(
        commune=commune, action=action_du_guide("1.2"), statut=Statut.ENGAGE, description=""
    )
    historique = nombre_historique()
    contenu = fichier(
        ligne("1.2", "en cours", avancement="35", date_cible="2027-06-30"),
        ligne("2.1", "engagé", date_cible="15/09/2027", pilote="Léa Martin"),
        ligne("1.3", "non renseigné"),
    )

    reponse = envoyer(client_editeur, commune, contenu)

    page = reponse.content.decode()
    assert reponse.status_code == 200
    analyse = reponse.context["analyse"]
    assert [ligne.code_action for ligne in analyse.modifiees] == ["1.2", "2.1"]
    assert analyse.nombre_inchangees == 1
    assert "2 actions modifiées, 1 inchangée" in page
    changements = {
        (c.champ, c.avant_affiche, c.apres_affiche) for c in analyse.modifiees[0].changements
    }
    assert changements == {("statut", "engagé", "en cours"), ("avancement", "", "35\u00a0%")}
    assert "15/09/2027" in page and "Léa Martin" in page
    assert "Confirmer l'import" in page
    assert "<caption>Changements que l'import fera</caption>" in page
    assert nombre_historique() == historique
    assert Engagement.objects.filter(commune=commune).count() == 1


def test_confirm_writes_every_row_with_history_snapshot_and_message(
    client_editeur, commune, editeur
):
    PreuveFactory(engagement__commune=commune, engagement__action=action_du_guide("1.1"))
    contenu = fichier(
        ligne("1.1", "réalisé"),
        ligne("1.2", "en cours", avancement="35"),
        ligne("5.3", "non concerné", justification="Compétence de l'intercommunalité."),
        ligne("4.1", "non renseigné"),
    )
    jeton = envoyer(client_editeur, commune, contenu).context["jeton"]
    historique = nombre_historique()

    reponse = client_editeur.post(url_confirmer(commune), {"jeton": jeton})

    assert reponse.status_code == 302
    assert [str(m) for m in get_messages(reponse.wsgi_request)] == [
        "Import terminé : 3 actions modifiées."
    ]
    statuts = dict(Engagement.objects.filter(commune=commune).values_list("action__code", "statut"))
    assert statuts == {"1.1": "réalisé", "1.2": "en cours", "5.3": "non concerné"}
    assert nombre_historique() == historique + 3
    auteurs = Engagement.history.filter(commune=commune, history_change_reason="Import CSV")
    assert {h.history_user for h in auteurs} == {editeur}
    assert ScoreSnapshot.objects.filter(commune=commune).exists()


def test_confirm_redirects_to_the_engagements_list(client_editeur, commune):
    jeton = envoyer(client_editeur, commune, fichier(ligne("1.2", "en cours", "10"))).context[
        "jeton"
    ]

    reponse = client_editeur.post(url_confirmer(commune), {"jeton": jeton})

    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("espace:engagements:liste", args=[commune.code_insee])


def test_a_preview_is_confirmed_once(client_editeur, commune):
    jeton = envoyer(client_editeur, commune, fichier(ligne("1.2", "en cours", "10"))).context[
        "jeton"
    ]
    client_editeur.post(url_confirmer(commune), {"jeton": jeton})
    historique = nombre_historique()

    reponse = client_editeur.post(url_confirmer(commune), {"jeton": jeton}, follow=True)

    assert "Cet aperçu a expiré ou a déjà été confirmé" in reponse.content.decode()
    assert nombre_historique() == historique


def test_confirm_with_a_made_up_token_writes_nothing(client_editeur, commune):
    reponse = client_editeur.post(url_confirmer(commune), {"jeton": "invente"})

    assert reponse.status_code == 302
    assert reponse["Location"] == url_import(commune)
    assert not Engagement.objects.exists()


def test_three_good_rows_and_one_bad_row_show_the_line_and_write_nothing_even_if_confirmed(
    client_editeur, commune
):
    contenu = fichier(
        ligne("1.1", "engagé", date_cible="2027-01-31"),
        ligne("1.2", "en cours", avancement="20"),
        ligne("9.9", "engagé", date_cible="2027-01-31"),
        ligne("2.1", "non renseigné", pilote="Léa Martin"),
    )

    reponse = envoyer(client_editeur, commune, contenu)

    page = reponse.content.decode()
    assert "Ligne 4 : code d&#x27;action « 9.9 » inconnu" in page
    assert 'role="alert"' in page
    assert "1 erreur : rien ne peut être importé" in page
    assert reponse.context["jeton"] is None
    assert "Confirmer l'import" not in page
    session = client_editeur.session
    assert not [cle for cle in session.keys() if cle.startswith("engagements_csv:")]  # noqa: SIM118
    client_editeur.post(url_confirmer(commune), {"jeton": ""})
    assert not Engagement.objects.exists()


def test_confirm_checks_again_for_evidence_deleted_since_the_preview(client_editeur, commune):
    preuve = PreuveFactory(engagement__commune=commune, engagement__action=action_du_guide("1.1"))
    jeton = envoyer(
        client_editeur,
        commune,
        fichier(ligne("1.1", "réalisé"), ligne("1.2", "en cours", avancement="50")),
    ).context["jeton"]
    assert jeton
    Preuve.objects.filter(pk=preuve.pk).delete()
    historique = nombre_historique()

    reponse = client_editeur.post(url_confirmer(commune), {"jeton": jeton})

    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "ajoutez d&#x27;abord une preuve depuis la page de l&#x27;action" in page
    assert "ont changé depuis l'aperçu précédent" in page
    assert nombre_historique() == historique
    assert not Engagement.objects.filter(action__code="1.2").exists()


def test_confirm_shows_a_new_preview_when_the_engagements_changed_meanwhile(
    client_editeur, commune
):
    engagement = EngagementFactory(commune=commune, action=action_du_guide("1.2"))
    jeton = envoyer(client_editeur, commune, fichier(ligne("1.2", "en cours", "10"))).context[
        "jeton"
    ]
    engagement.statut = Statut.EN_COURS
    engagement.avancement = 80
    engagement.save()

    reponse = client_editeur.post(url_confirmer(commune), {"jeton": jeton})

    assert reponse.status_code == 200
    nouveau = reponse.context["jeton"]
    assert nouveau and nouveau != jeton
    engagement.refresh_from_db()
    assert engagement.avancement == 80
    client_editeur.post(url_confirmer(commune), {"jeton": nouveau})
    engagement.refresh_from_db()
    assert engagement.avancement == 10


def test_importer_writes_all_rows_or_none(commune, guide, monkeypatch):
    analyse = analyser(
        commune,
        guide,
        fichier(ligne("1.2", "en cours", "10"), ligne("2.1", "engagé", date_cible="2027-01-01")),
    )
    assert analyse.valide

    def panne(**kwargs):
        raise RuntimeError("panne au milieu de l'import")

    monkeypatch.setattr(csv_io, "snapshot_enregistrer", panne)
    with pytest.raises(RuntimeError):
        engagements_importer(commune=commune, referentiel=guide, analyse=analyse, by=None)

    assert not Engagement.objects.exists()
    assert nombre_historique() == 0


# Pilot


def test_pilot_unchanged_keeps_the_member_and_a_new_name_replaces_it(commune, guide):
    membre = UserFactory(first_name="Camille", last_name="Durand")
    for code in ("1.1", "1.2"):
        EngagementFactory(
            commune=commune, action=action_du_guide(code), pilote=membre, description=""
        )
    analyse = analyser(
        commune,
        guide,
        fichier(
            ligne("1.1", "engagé", date_cible="2027-06-30", pilote="Camille Durand"),
            ligne("1.2", "engagé", date_cible="2027-06-30", pilote="Léa Martin"),
        ),
    )

    assert engagements_importer(commune=commune, referentiel=guide, analyse=analyse, by=None) == 1

    garde = Engagement.objects.get(commune=commune, action__code="1.1")
    assert (garde.pilote, garde.pilote_nom) == (membre, "")
    remplace = Engagement.objects.get(commune=commune, action__code="1.2")
    assert (remplace.pilote, remplace.pilote_nom) == (None, "Léa Martin")


# Reading the file


@pytest.mark.parametrize("separateur", [";", ","])
@pytest.mark.parametrize("bom", [True, False])
def test_semicolon_and_comma_files_with_or_without_bom_are_read(commune, guide, separateur, bom):
    contenu = fichier(
        ligne("1.2", "en cours", avancement="35 %"),
        ligne("2.1", "engagé", date_cible="2027-06-30"),
        separateur=separateur,
        bom=bom,
    )

    analyse = analyser(commune, guide, contenu)

    assert analyse.erreurs == []
    assert [ligne.valeurs["statut"] for ligne in analyse.lignes] == ["en cours", "engagé"]
    assert analyse.lignes[0].valeurs["avancement"] == 35


def test_quoted_cells_keep_separators_and_line_breaks(commune, guide):
    contenu = fichier(
        '1.2;;en cours;10;;;"Une; deux,\r\ntrois ""citées""";;;',
        ligne("1.3", "en cours", avancement="20"),
    )

    analyse = analyser(commune, guide, contenu)

    assert analyse.erreurs == []
    assert analyse.lignes[0].valeurs["description"] == 'Une; deux,\ntrois "citées"'
    # Line numbers are the spreadsheet's rows, even after a cell on two lines.
    assert analyse.lignes[1].numero == 3


def test_a_file_with_only_the_required_columns_leaves_the_others_as_they_are(commune, guide):
    EngagementFactory(
        commune=commune, action=action_du_guide("1.2"), description="Gardée", avancement=None
    )

    analyse = analyser(commune, guide, fichier("1.2;engagé", entete="code_action;statut"))

    assert analyse.valide
    assert analyse.modifiees == []


def test_both_date_formats_are_read(commune, guide):
    analyse = analyser(
        commune,
        guide,
        fichier(
            ligne("1.1", "engagé", date_cible="2027-06-30"),
            ligne("1.2", "engagé", date_cible="30/06/2027"),
            ligne("1.3", "engagé", date_cible="1/7/2027"),
        ),
    )

    assert [ligne.valeurs["date_cible"] for ligne in analyse.lignes] == [
        datetime.date(2027, 6, 30),
        datetime.date(2027, 6, 30),
        datetime.date(2027, 7, 1),
    ]


def test_status_is_read_whatever_its_case(commune, guide):
    analyse = analyser(commune, guide, fichier(ligne("1.3", "Non Concerné", justification="x")))

    assert analyse.valide
    assert analyse.lignes[0].valeurs["statut"] == Statut.NON_CONCERNE


# Every error, with its line number and reason


TOUS_LES_STATUTS = "« non renseigné », « engagé », « en cours », « réalisé », « non concerné »"


@pytest.mark.parametrize(
    ("lignes", "attendu"),
    [
        pytest.param(
            [ligne("7.4", "engagé", date_cible="2027-01-01")],
            "Ligne 2 : code d'action « 7.4 » inconnu : les actions du guide sont 1.1, 1.2",
            id="code inconnu",
        ),
        pytest.param(
            [ligne("", "engagé", date_cible="2027-01-01")],
            "Ligne 2 : code d'action manquant.",
            id="code manquant",
        ),
        pytest.param(
            [ligne("1.2", "en cours", "10"), ligne("1.2", "en cours", "20")],
            "Ligne 3 : code d'action 1.2 en double (déjà présent ligne 2).",
            id="code en double",
        ),
        pytest.param(
            [ligne("1.2", "terminé")],
            f"Ligne 2 : statut « terminé » inconnu : valeurs possibles {TOUS_LES_STATUTS}.",
            id="statut inconnu",
        ),
        pytest.param(
            [ligne("1.2", "")],
            f"Ligne 2 : statut manquant : valeurs possibles {TOUS_LES_STATUTS}.",
            id="statut manquant",
        ),
        pytest.param(
            [ligne("1.2", "en cours", avancement="101")],
            "Ligne 2 : avancement « 101 » invalide : un nombre entier de 0 à 100 est attendu.",
            id="avancement au-dessus de 100",
        ),
        pytest.param(
            [ligne("1.2", "en cours", avancement="-5")],
            "Ligne 2 : avancement « -5 » invalide",
            id="avancement négatif",
        ),
        pytest.param(
            [ligne("1.2", "en cours", avancement="12,5")],
            "Ligne 2 : avancement « 12,5 » invalide",
            id="avancement décimal",
        ),
        pytest.param(
            [ligne("1.2", "en cours", avancement="beaucoup")],
            "Ligne 2 : avancement « beaucoup » invalide",
            id="avancement non numérique",
        ),
        pytest.param(
            [ligne("1.2", "en cours")],
            "Ligne 2 : avancement manquant : une action « en cours » demande un avancement",
            id="avancement manquant en cours",
        ),
        pytest.param(
            [ligne("1.2", "engagé", date_cible="31/02/2027")],
            "Ligne 2 : date cible « 31/02/2027 » invalide : attendue au format AAAA-MM-JJ "
            "ou JJ/MM/AAAA.",
            id="date impossible",
        ),
        pytest.param(
            [ligne("1.2", "engagé", date_cible="fin 2027")],
            "Ligne 2 : date cible « fin 2027 » invalide",
            id="date illisible",
        ),
        pytest.param(
            [ligne("1.2", "engagé")],
            "Ligne 2 : date cible manquante : une action « engagé » demande une date cible",
            id="date manquante engagé",
        ),
        pytest.param(
            [ligne("1.2", "non concerné", justification="  ")],
            "Ligne 2 : justification manquante : une action « non concerné » demande",
            id="justification manquante",
        ),
        pytest.param(
            [ligne("1.2", "réalisé")],
            "Ligne 2 : l'action 1.2 n'a encore aucune preuve et ne peut pas être « réalisé » : "
            "ajoutez d'abord une preuve depuis la page de l'action.",
            id="réalisé sans preuve",
        ),
        pytest.param(
            ["1.2;;en cours;10;;"],
            "Ligne 2 : 6 colonnes au lieu des 10 de l'en-tête.",
            id="nombre de colonnes",
        ),
        pytest.param(
            [ligne("1.2", "engagé", date_cible="2027-01-01", pilote="x" * 201)],
            "Ligne 2 : nom du pilote trop long : 200 caractères au plus.",
            id="pilote trop long",
        ),
    ],
)
def test_each_bad_row_is_reported_with_its_line_and_reason(commune, guide, lignes, attendu):
    analyse = analyser(commune, guide, fichier(*lignes))

    assert not analyse.valide
    assert any(erreur.startswith(attendu) for erreur in analyse.erreurs), analyse.erreurs


def test_every_bad_row_is_reported_at_once(commune, guide):
    contenu = fichier(
        ligne("1.1", "fini"),
        ligne("1.2", "en cours", avancement="200"),
        ligne("1.3", "engagé"),
        "",
        ligne("2.1", "réalisé"),
    )

    lignes_en_erreur = [
        re.match(r"Ligne (\d+)", e).group(1) for e in erreurs(commune, guide, contenu)
    ]

    assert lignes_en_erreur == ["2", "3", "4", "6"]


@pytest.mark.parametrize(
    ("contenu", "attendu"),
    [
        pytest.param(b"", "Le fichier est vide.", id="vide"),
        pytest.param("\ufeff\r\n".encode(), "Le fichier est vide.", id="BOM seul"),
        pytest.param(
            fichier(), "Le fichier ne contient aucune ligne d'engagement", id="en-tête seul"
        ),
        pytest.param(
            fichier(ligne("1.2", "engagé", pilote="Hélène")).decode().encode("latin-1"),
            "Le fichier n'est pas encodé en UTF-8",
            id="pas UTF-8",
        ),
        pytest.param(
            fichier("1.2;engagé", entete="code_action;avancement"),
            "Colonne obligatoire absente : statut.",
            id="colonne obligatoire absente",
        ),
        pytest.param(
            fichier("1.2;engagé;2027-01-01", entete="code_action;statut;date cible"),
            "Colonne inconnue « date cible » : les colonnes possibles sont code_action,",
            id="colonne inconnue",
        ),
        pytest.param(
            fichier("1.2;engagé;engagé", entete="code_action;statut;statut"),
            "Colonne « statut » présente plusieurs fois.",
            id="colonne en double",
        ),
        pytest.param(
            fichier(*[ligne("1.2", "en cours", "10")] * 201),
            "Le fichier compte 201 lignes d'engagement : 200 au plus",
            id="plus de 200 lignes",
        ),
    ],
)
def test_each_bad_file_is_reported(commune, guide, contenu, attendu):
    analyse = analyser(commune, guide, contenu)

    assert not analyse.valide
    assert analyse.lignes == []
    assert analyse.erreurs[0].startswith(attendu), analyse.erreurs


def test_a_bad_file_is_reported_on_the_preview_page(client_editeur, commune):
    reponse = envoyer(client_editeur, commune, "code;statut\n1.2;engagé\n".encode("utf-16"))

    page = reponse.content.decode()
    assert "Le fichier n&#x27;est pas encodé en UTF-8" in page
    assert "Envoyer le fichier corrigé" in page
    assert "Confirmer l'import" not in page


def test_an_empty_upload_is_refused_by_the_form(client_editeur, commune):
    reponse = envoyer(client_editeur, commune, b"")

    assert reponse.status_code == 200
    assert reponse.templates[0].name == "axes/csv/import.html"
    assert reponse.context["form"].errors["fichier"]


def test_a_file_over_1_mb_is_refused_before_it_is_read(client_editeur, commune, monkeypatch):
    def lecture_interdite(**kwargs):
        raise AssertionError("le fichier n'aurait pas dû être lu")

    monkeypatch.setattr("axes.views_csv.engagements_analyser", lecture_interdite)
    contenu = fichier(ligne("1.2", "en cours", "10")) + b" " * (1024 * 1024)

    reponse = envoyer(client_editeur, commune, contenu)

    assert "Le fichier dépasse 1 Mo" in reponse.content.decode()


# Who may import


def test_upload_form_is_for_editors_and_admins(client, matrice):
    url = url_import(matrice.commune)
    attendu = {**ATTENDU_EDITION, "editeur": 200, "admin": 200}
    for role in ROLES:
        client.logout()
        reponse = matrice.connecter(client, role).get(url)
        verifier_reponse(reponse, attendu[role])
        if attendu[role] == 200:
            assert 'enctype="multipart/form-data"' in reponse.content.decode()


def test_upload_post_follows_the_editing_role_matrix(client, matrice):
    contenu = fichier(ligne("1.2", "en cours", "10"))
    for role in ROLES:
        client.logout()
        reponse = envoyer(matrice.connecter(client, role), matrice.commune, contenu)
        verifier_reponse(reponse, ATTENDU_EDITION[role])
        en_attente = [
            cle
            for cle in client.session.keys()  # noqa: SIM118
            if cle.startswith("engagements_csv:")
        ]
        assert bool(en_attente) == (ATTENDU_EDITION[role] == "ok"), role
    assert not Engagement.objects.exists()


def test_confirm_post_follows_the_editing_role_matrix(client, matrice, guide):
    commune = matrice.commune
    for role in ROLES:
        client.logout()
        matrice.connecter(client, role)
        avancement = str(ROLES.index(role) * 10)
        analyse = analyser(commune, guide, fichier(ligne("1.2", "en cours", avancement)))
        # A pending preview as the upload would have left it, even for roles that
        # could never have uploaded: the role is what refuses the confirmation.
        session = client.session
        session[f"engagements_csv:{commune.code_insee}:jeton-{role}"] = {
            "contenu": analyse.contenu,
            "empreinte": analyse.empreinte,
        }
        session.save()
        historique = nombre_historique()

        reponse = client.post(url_confirmer(commune), {"jeton": f"jeton-{role}"})

        verifier_reponse(reponse, ATTENDU_EDITION[role])
        engagement = Engagement.objects.filter(commune=commune, action__code="1.2").first()
        if ATTENDU_EDITION[role] == "ok":
            assert reponse.status_code == 302
            assert engagement.avancement == int(avancement)
            assert nombre_historique() == historique + 1
        else:
            assert nombre_historique() == historique
            assert engagement is None or engagement.avancement != int(avancement)


def test_an_editor_cannot_confirm_a_preview_of_another_commune(client, matrice, guide):
    autre = matrice.autre_commune
    membre = MembreCommuneFactory(commune=autre, role=Role.EDITEUR).user
    MembreCommuneFactory(commune=matrice.commune, role=Role.EDITEUR, user=membre)
    client.force_login(membre)
    jeton = envoyer(client, autre, fichier(ligne("1.2", "en cours", "10"))).context["jeton"]

    reponse = client.post(url_confirmer(matrice.commune), {"jeton": jeton})

    assert reponse.status_code == 302
    assert not Engagement.objects.exists()
