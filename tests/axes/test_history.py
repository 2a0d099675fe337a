"""The history timeline of an action: who changed what, merged by sitting, public or not."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from axes.enums import Statut
from axes.history import (
    PLATEFORME,
    Changement,
    Evenement,
    fusionner,
    historique,
)
from axes.models import Engagement, Preuve
from tests.axes.factories import EngagementFactory, JalonFactory, PreuveFactory, action_du_guide
from tests.comptes.factories import UserFactory

pytestmark = pytest.mark.django_db

MIDI = datetime.datetime(2026, 5, 4, 12, 0, tzinfo=datetime.UTC)


def evenement(minutes, auteur_id=1, objet=("engagement", 1), nature="~", changements=()):
    return Evenement(
        date=MIDI + datetime.timedelta(minutes=minutes),
        auteur_id=auteur_id,
        auteur=f"Personne {auteur_id}" if auteur_id else PLATEFORME,
        objet=objet,
        nature=nature,
        resume="Action modifiée",
        changements=tuple(changements),
    )


def statut(avant, apres):
    return Changement("Statut", avant, apres)


# --- Merging, pure --------------------------------------------------------------------


def test_same_person_within_an_hour_makes_one_entry():
    entrees = fusionner(
        [
            evenement(0, changements=[statut("Engagé", "En cours")]),
            evenement(20, objet=("preuve", 7), nature="+"),
            evenement(60, objet=("jalon", 3), nature="+"),
        ]
    )
    assert len(entrees) == 1
    assert len(entrees[0].evenements) == 3
    assert entrees[0].debut == MIDI and entrees[0].fin == MIDI + datetime.timedelta(hours=1)


def test_beyond_an_hour_of_the_first_change_starts_a_new_entry():
    entrees = fusionner(
        [
            evenement(0, changements=[statut("Engagé", "En cours")]),
            evenement(45, objet=("preuve", 7), nature="+"),
            evenement(61, changements=[statut("En cours", "Réalisé")]),
        ]
    )
    # Newest first.
    assert [len(e.evenements) for e in entrees] == [1, 2]
    assert entrees[0].evenements[0].changements == (statut("En cours", "Réalisé"),)


def test_another_person_in_between_splits_the_entries():
    entrees = fusionner(
        [
            evenement(0, auteur_id=1, changements=[statut("Engagé", "En cours")]),
            evenement(5, auteur_id=2, objet=("preuve", 7), nature="+"),
            evenement(10, auteur_id=1, changements=[statut("En cours", "Réalisé")]),
        ]
    )
    assert [e.auteur for e in entrees] == ["Personne 1", "Personne 2", "Personne 1"]


def test_successive_edits_of_one_object_add_up_within_an_entry():
    entrees = fusionner(
        [
            evenement(0, changements=[statut("Engagé", "En cours")]),
            evenement(
                5, changements=[statut("En cours", "Réalisé"), Changement("Pilote", "—", "A")]
            ),
        ]
    )
    (entree,) = entrees
    (seul,) = entree.evenements
    assert seul.changements == (statut("Engagé", "Réalisé"), Changement("Pilote", "—", "A"))


def test_edits_that_cancel_out_leave_nothing():
    entrees = fusionner(
        [
            evenement(0, changements=[statut("Engagé", "En cours")]),
            evenement(5, changements=[statut("En cours", "Engagé")]),
        ]
    )
    assert entrees == []


def test_platform_changes_are_merged_like_a_person():
    entrees = fusionner(
        [
            evenement(0, auteur_id=None, changements=[statut("Engagé", "En cours")]),
            evenement(30, auteur_id=None, objet=("preuve", 7), nature="+"),
        ]
    )
    assert len(entrees) == 1
    assert entrees[0].auteur == PLATEFORME


# --- From the database ----------------------------------------------------------------


def modifier(instance, user, **valeurs):
    for nom, valeur in valeurs.items():
        setattr(instance, nom, valeur)
    instance._history_user = user
    instance.save()


def decaler(modele, heures):
    """Moves the last recorded change of a model `heures` later."""
    record = modele.history.order_by("-history_id").first()
    modele.history.filter(history_id=record.history_id).update(
        history_date=record.history_date + datetime.timedelta(hours=heures)
    )


def lignes(entree):
    return [
        f"{c.libelle} : {c.avant} → {c.apres}" for e in entree.evenements for c in e.changements
    ]


def test_timeline_shows_who_when_and_old_to_new(guide):
    elue = UserFactory(first_name="Nadia", last_name="Roux", email="nadia@mairie.test")
    engagement = EngagementFactory(action=action_du_guide("1.2"))
    modifier(engagement, elue, statut=Statut.EN_COURS, avancement=40)
    (recent, creation) = historique(engagement, public=False)
    assert recent.auteur == "Nadia Roux"
    assert lignes(recent) == ["Statut : Engagé → En cours", "Avancement (%) : — → 40\u00a0%"]
    assert creation.auteur == PLATEFORME
    assert creation.evenements[0].resume == "Suivi de l'action ouvert"
    assert "Date cible : — → 30 juin 2027" in lignes(creation)


def test_pilot_changes_show_names_never_emails(guide):
    elue = UserFactory(first_name="Nadia", last_name="Roux", email="nadia@mairie.test")
    engagement = EngagementFactory(action=action_du_guide("1.2"))
    modifier(engagement, UserFactory(), pilote=elue)
    (recent, _creation) = historique(engagement, public=False)
    assert lignes(recent) == ["Pilote : — → Nadia Roux"]


def test_same_person_edits_within_an_hour_merge_and_split_beyond(guide):
    elue, autre = UserFactory(), UserFactory()
    engagement = EngagementFactory(action=action_du_guide("1.2"))
    modifier(engagement, elue, statut=Statut.EN_COURS, avancement=10)
    preuve = PreuveFactory.build(engagement=engagement, titre="Convention")
    modifier(preuve, elue)
    modifier(preuve, elue, titre="Convention signée")
    modifier(engagement, elue, avancement=20)
    entrees = historique(engagement, public=False)
    # The factory's creations have no user: the platform. Then one sitting of `elue`.
    assert [e.auteur for e in entrees] == [elue.nom_affiche, PLATEFORME]
    assert lignes(entrees[0]) == [
        "Statut : Engagé → En cours",
        "Avancement (%) : — → 20\u00a0%",
        "Titre : Convention → Convention signée",
    ]

    decaler(Engagement, 2)
    entrees = historique(engagement, public=False)
    assert [e.auteur for e in entrees] == [elue.nom_affiche, elue.nom_affiche, PLATEFORME]
    assert lignes(entrees[0]) == ["Avancement (%) : 10\u00a0% → 20\u00a0%"]

    # Minutes after the latest entry of `elue`, but another person: a new entry.
    modifier(engagement, autre, avancement=30)
    decaler(Engagement, 2)
    entrees = historique(engagement, public=False)
    assert [e.auteur for e in entrees][:2] == [autre.nom_affiche, elue.nom_affiche]
    assert lignes(entrees[0]) == ["Avancement (%) : 20\u00a0% → 30\u00a0%"]


def test_evidence_and_milestones_appear_with_their_title(guide):
    engagement = EngagementFactory(action=action_du_guide("1.2"))
    preuve = PreuveFactory(engagement=engagement, titre="Délibération", publique=False)
    JalonFactory(engagement=engagement, titre="Comité de pilotage")
    preuve.delete()
    (entree,) = historique(engagement, public=False)
    resumes = [e.resume for e in entree.evenements]
    assert "Preuve ajoutée : « Délibération » (réservée aux membres)" in resumes
    assert "Preuve supprimée : « Délibération » (réservée aux membres)" in resumes
    assert "Jalon ajouté : « Comité de pilotage » pour le 1 septembre 2026" in resumes


def test_public_timeline_drops_the_internal_note_and_members_only_evidence(guide):
    elue = UserFactory()
    engagement = EngagementFactory(action=action_du_guide("1.2"))
    PreuveFactory(engagement=engagement, titre="Compte rendu interne", publique=False)
    PreuveFactory(engagement=engagement, titre="Délibération publique")
    modifier(engagement, elue, note_interne="Budget serré")
    modifier(engagement, elue, note_interne="Budget serré", description="Nouvelle description")
    prive = historique(engagement, public=False)
    public = historique(engagement, public=True)
    tout_prive = repr(prive)
    tout_public = repr(public)
    assert "Budget serré" in tout_prive and "Compte rendu interne" in tout_prive
    assert "Budget serré" not in tout_public
    assert "Note interne" not in tout_public
    assert "Compte rendu interne" not in tout_public
    assert "Délibération publique" in tout_public
    assert "Nouvelle description" in tout_public


def test_public_timeline_skips_an_edit_of_the_internal_note_alone(guide):
    engagement = EngagementFactory(action=action_du_guide("1.2"))
    modifier(engagement, UserFactory(), note_interne="Rien de public")
    assert len(historique(engagement, public=False)) == 2
    assert len(historique(engagement, public=True)) == 1


def test_evidence_made_private_later_disappears_from_the_public_timeline(guide):
    engagement = EngagementFactory(action=action_du_guide("1.2"))
    preuve = PreuveFactory(engagement=engagement, titre="Devenue privée")
    modifier(preuve, None, publique=False)
    assert "Devenue privée" not in repr(historique(engagement, public=True))


def test_no_engagement_no_history_and_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert historique(None, public=True) == []


def test_loading_takes_three_queries_whatever_the_number_of_records(
    guide, django_assert_num_queries
):
    engagement = EngagementFactory(action=action_du_guide("1.2"), pilote=UserFactory())
    for i in range(5):
        preuve = PreuveFactory(engagement=engagement)
        modifier(preuve, UserFactory(), titre=f"Preuve {i}")
        JalonFactory(engagement=engagement)
        modifier(engagement, UserFactory(), avancement=i * 10, pilote=UserFactory())
    with django_assert_num_queries(3):
        entrees = historique(engagement, public=False)
    assert len(entrees) > 5


# --- Recorded through the pages -------------------------------------------------------


def test_page_timeline_names_the_member_who_saved(client, guide, matrice):
    engagement = EngagementFactory(commune=matrice.commune, action=action_du_guide("1.2"))
    editeur = matrice.users["editeur"]
    client.force_login(editeur)
    adresse = reverse("espace:engagements:action", args=[matrice.commune.code_insee, "1.2"])
    client.post(adresse, {"statut": "en cours", "avancement": "25"})
    assert engagement.history.first().history_user == editeur
    contenu = client.get(adresse).content.decode()
    assert f"{editeur.nom_affiche}, <time" in contenu
    assert "Statut : Engagé → En cours" in contenu
    assert editeur.email not in contenu
    assert timezone.localdate().strftime("%Y-%m-%d") in contenu


def test_evidence_added_through_the_page_is_credited_to_its_author(client, guide, matrice):
    editeur = matrice.users["editeur"]
    client.force_login(editeur)
    client.post(
        reverse("espace:engagements:preuve_ajouter", args=[matrice.commune.code_insee, "1.2"]),
        {
            "preuve-titre": "Convention",
            "preuve-nature": "convention",
            "preuve-date": "2026-05-04",
            "preuve-url": "https://mairie.test/convention",
        },
    )
    assert Preuve.history.get().history_user == editeur
    assert Engagement.history.get().history_user == editeur
    assert not Preuve.objects.get().publique
