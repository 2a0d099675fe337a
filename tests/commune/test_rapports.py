from io import StringIO

import pytest
from celery.exceptions import Retry
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.urls import reverse
from pypdf import PdfReader

from axes.models import Referentiel
from commune.enums import StatutRapport
from commune.models import Rapport
from commune.tasks import construire_rapport
from tests.axes.factories import EngagementFactory, PreuveFactory, SignatureFactory
from tests.roles import ATTENDU_EDITION, ROLES, verifier_reponse

pytestmark = pytest.mark.django_db


def texte_du_pdf(rapport):
    with rapport.fichier.open("rb") as fichier:
        return "\n".join(page.extract_text() for page in PdfReader(fichier).pages)


def nouveau_rapport(commune, **champs):
    return Rapport.objects.create(
        commune=commune, referentiel=Referentiel.objects.guide(), **champs
    )


def test_task_builds_a_pdf_with_the_commune_the_score_and_every_axis(matrice, guide):
    commune = matrice.commune
    engagement = EngagementFactory(commune=commune, statut="réalisé")
    PreuveFactory(engagement=engagement, titre="Délibération publique")
    PreuveFactory(engagement=engagement, titre="Note confidentielle", publique=False)
    rapport = nouveau_rapport(commune)
    construire_rapport.apply(args=[rapport.pk])
    rapport.refresh_from_db()
    assert rapport.statut == StatutRapport.PRET
    assert rapport.pages >= 5 and rapport.taille > 1000 and len(rapport.sha256) == 64
    texte = texte_du_pdf(rapport)
    assert "Rennes" in texte
    assert "6,7" in texte  # 1.1 done: axis 1 at 33.3 %, overall 6.7 %
    for axe in guide.axes.all():
        assert axe.titre in texte
    assert "Délibération publique" in texte
    assert "Note confidentielle" not in texte


def test_a_second_delivery_of_the_same_report_does_nothing(matrice, guide):
    rapport = nouveau_rapport(matrice.commune)
    construire_rapport.apply(args=[rapport.pk])
    rapport.refresh_from_db()
    premier = (rapport.fichier.name, rapport.sha256, rapport.finished_at, rapport.tentatives)
    construire_rapport.apply(args=[rapport.pk])
    rapport.refresh_from_db()
    assert (
        rapport.fichier.name,
        rapport.sha256,
        rapport.finished_at,
        rapport.tentatives,
    ) == premier


def test_a_report_claimed_by_another_worker_is_left_alone(matrice, guide):
    rapport = nouveau_rapport(matrice.commune, statut=StatutRapport.EN_COURS)
    construire_rapport.apply(args=[rapport.pk])
    rapport.refresh_from_db()
    assert rapport.statut == StatutRapport.EN_COURS
    assert not rapport.fichier


def test_an_unexpected_failure_records_echec_and_a_readable_message(matrice, guide, monkeypatch):
    def panne(contexte):
        raise ValueError("gabarit cassé")

    monkeypatch.setattr("commune.rapports.dessiner_pdf", panne)
    rapport = nouveau_rapport(matrice.commune)
    construire_rapport.apply(args=[rapport.pk])
    rapport.refresh_from_db()
    assert rapport.statut == StatutRapport.ECHEC
    assert "erreur inattendue" in rapport.erreur
    assert "gabarit" not in rapport.erreur  # no internals shown to members


def test_transient_failures_are_retried_then_recorded_as_echec(matrice, guide, monkeypatch):
    appels = []

    def panne(contexte):
        appels.append(1)
        raise OperationalError("connexion perdue")

    monkeypatch.setattr("commune.rapports.dessiner_pdf", panne)
    rapport = nouveau_rapport(matrice.commune)
    # Each delivery as the worker would make it, with its retry number.
    for essai in (0, 1):
        with pytest.raises(Retry):
            construire_rapport.apply(args=[rapport.pk], retries=essai)
        rapport.refresh_from_db()
        assert rapport.statut == StatutRapport.EN_ATTENTE  # ready to be claimed again
    construire_rapport.apply(args=[rapport.pk], retries=2)
    rapport.refresh_from_db()
    assert len(appels) == 3
    assert rapport.tentatives == 3
    assert rapport.statut == StatutRapport.ECHEC
    assert "plusieurs tentatives" in rapport.erreur


@pytest.mark.parametrize("role", ROLES)
def test_asking_for_a_report_follows_the_role_matrix(client, matrice, role, guide):
    matrice.connecter(client, role)
    url = reverse("espace:rapports:demander", args=[matrice.commune.code_insee])
    reponse = client.post(url)
    verifier_reponse(reponse, ATTENDU_EDITION[role])
    assert Rapport.objects.count() == (1 if ATTENDU_EDITION[role] == "ok" else 0)


def test_member_asks_for_a_report_and_downloads_it(
    client, matrice, guide, django_capture_on_commit_callbacks
):
    client.force_login(matrice.users["editeur"])
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(reverse("espace:rapports:demander", args=["35238"]))
    rapport = Rapport.objects.get()
    assert reponse["Location"] == reverse("espace:rapports:detail", args=["35238", rapport.pk])
    etat = client.get(reverse("espace:rapports:etat", args=["35238", rapport.pk])).json()
    assert etat["statut"] == "prêt" and etat["termine"] and etat["telechargement"]
    telechargement = client.get(etat["telechargement"])
    assert telechargement["Content-Type"] == "application/pdf"
    assert b"".join(telechargement.streaming_content).startswith(b"%PDF-")


def test_only_admins_publish_and_the_public_sees_published_reports_only(client, matrice, guide):
    rapport = nouveau_rapport(matrice.commune)
    construire_rapport.apply(args=[rapport.pk])
    public = reverse("rapports_publics:telecharger", args=["35238", rapport.pk])
    assert client.get(public).status_code == 404
    url = reverse("espace:rapports:publier", args=["35238", rapport.pk])
    client.force_login(matrice.users["editeur"])
    assert client.post(url, {"publie": "oui"}).status_code == 403
    client.force_login(matrice.users["admin"])
    client.post(url, {"publie": "oui"})
    rapport.refresh_from_db()
    assert rapport.publie and rapport.published_at
    client.logout()
    reponse = client.get(public)
    assert reponse.status_code == 200
    reponse.close()


def test_a_report_that_is_not_ready_cannot_be_published(client, matrice, guide):
    rapport = nouveau_rapport(matrice.commune)
    client.force_login(matrice.users["admin"])
    client.post(reverse("espace:rapports:publier", args=["35238", rapport.pk]), {"publie": "oui"})
    rapport.refresh_from_db()
    assert not rapport.publie


def test_build_reports_queues_every_signatory_or_the_given_communes(matrice, guide):
    SignatureFactory(commune=matrice.commune, referentiel=guide)
    sortie = StringIO()
    call_command("build_reports", "--all", stdout=sortie)
    assert "1 rapport(s) mis en file." in sortie.getvalue()
    call_command("build_reports", "35047", stdout=sortie)
    assert Rapport.objects.filter(commune=matrice.autre_commune).count() == 1
    with pytest.raises(CommandError, match="99999"):
        call_command("build_reports", "99999")
    with pytest.raises(CommandError):
        call_command("build_reports")


def test_the_second_report_lists_what_changed_since_the_first(matrice, guide):
    premier = nouveau_rapport(matrice.commune)
    construire_rapport.apply(args=[premier.pk])
    EngagementFactory(commune=matrice.commune)
    second = nouveau_rapport(matrice.commune)
    construire_rapport.apply(args=[second.pk])
    second.refresh_from_db()
    texte = texte_du_pdf(second)
    assert "Actions dont le statut a changé" in texte
    assert "engagé" in texte


def test_the_report_says_unknown_considerations_and_gives_no_share_without_known_ones(
    matrice, guide
):
    from tests.marches.factories import MarcheFactory

    commune = matrice.commune
    for _ in range(3):
        MarcheFactory(commune=commune, inconnues=True)
    rapport = nouveau_rapport(commune)
    construire_rapport.apply(args=[rapport.pk])
    rapport.refresh_from_db()
    texte = " ".join(texte_du_pdf(rapport).split())
    assert "Les considérations sociales des 3 marchés de la commune ne sont pas renseignées" in (
        texte
    )
    assert "0 marché sur 3" not in texte and "considération sociale, soit" not in texte


def test_the_report_counts_the_share_over_known_considerations(matrice, guide):
    from tests.marches.factories import MarcheFactory

    commune = matrice.commune
    MarcheFactory(commune=commune, clause_sociale=True)
    MarcheFactory(commune=commune)
    MarcheFactory(commune=commune, inconnues=True)
    rapport = nouveau_rapport(commune)
    construire_rapport.apply(args=[rapport.pk])
    rapport.refresh_from_db()
    texte = " ".join(texte_du_pdf(rapport).split())
    assert "1 marché sur 2 comporte au moins une considération sociale, soit 50,0" in texte
    assert "1 marché aux considérations sociales non renseignées" in texte
