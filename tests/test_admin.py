import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.widgets import (
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    ForeignKeyRawIdWidget,
    ManyToManyRawIdWidget,
)
from django.contrib.messages import get_messages
from django.core import checks
from django.db import connection
from django.forms import ModelChoiceField
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from axes.enums import TypeReferentiel
from axes.models import Action, Avis, Axe, Engagement, Preuve, Referentiel, ScoreSnapshot
from commune.enums import Role, StatutDemande, TypeRattachement
from commune.models import (
    EPCI,
    CodePostal,
    Commune,
    CommuneRattachee,
    DemandeAdhesion,
    Departement,
    InvitationCommune,
    MembreCommune,
    Rapport,
    Region,
)
from comptes.models import EchecConnexion, JetonAcces, User
from marches.models import ClauseSociale, Marche, SuiviHeures
from structures.enums import FamilleStructure, TypeSoutien
from structures.models import (
    DemandeRattachement,
    GroupeSecteur,
    InvitationStructure,
    MembreStructure,
    Reseau,
    Secteur,
    Soutien,
    Structure,
    TypePrestation,
    TypeStructure,
)
from tests.axes.factories import EngagementFactory, JalonFactory, PreuveFactory, SignatureFactory
from tests.commune.factories import CommuneFactory, EluReferentFactory, MembreCommuneFactory
from tests.comptes.factories import UserFactory
from tests.marches.factories import ClauseSocialeFactory, TitulaireFactory
from tests.structures.factories import MembreStructureFactory, StructureFactory

APPS = ["comptes", "commune", "axes", "structures", "marches"]
# Tables with thousands of rows in production: never a <select> listing them all.
GRANDES_TABLES = {User, Commune, EPCI, Structure, Marche, ClauseSociale, Engagement}
COMPACTS = (
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    ForeignKeyRawIdWidget,
    ManyToManyRawIdWidget,
)


def modeles_des_apps():
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if not model.__name__.startswith("Historical"):
                yield model


def admins_enregistres():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in APPS
    ]


def creer_departement():
    """Ille-et-Vilaine, whether or not the data migrations loaded it."""
    region, _ = Region.objects.get_or_create(code="53", defaults={"nom": "Bretagne"})
    departement, _ = Departement.objects.get_or_create(
        code="35", defaults={"nom": "Ille-et-Vilaine", "region": region}
    )
    return departement


def creer_un_de_chaque(n):
    """One more row in every table the admin shows, with or without the reference data."""
    region, _ = Region.objects.get_or_create(code=f"9{n}", defaults={"nom": f"Région {n}"})
    departement, _ = Departement.objects.get_or_create(
        code=f"9{n}", defaults={"nom": f"Département {n}", "region": region}
    )
    referentiel, _ = Referentiel.objects.get_or_create(
        code=f"referentiel-{n}",
        version="2025",
        defaults={"type": TypeReferentiel.GUIDE, "titre": f"Guide {n}", "source": "Coorace"},
    )
    axe, _ = Axe.objects.get_or_create(referentiel=referentiel, numero=1, defaults={"titre": "A"})
    action, _ = Action.objects.get_or_create(
        referentiel=referentiel, code="1.1", defaults={"axe": axe, "titre": "Clauses sociales"}
    )
    type_structure, _ = TypeStructure.objects.get_or_create(
        code=f"T{n}", defaults={"nom": f"Type {n}", "famille": FamilleStructure.IAE}
    )
    TypePrestation.objects.create(code=f"P{n}", nom=f"Prestation {n}")
    groupe = GroupeSecteur.objects.create(slug=f"groupe-{n}", nom=f"Groupe {n}")
    secteur = Secteur.objects.create(groupe=groupe, slug=f"secteur-{n}", nom=f"Secteur {n}")
    reseau = Reseau.objects.create(slug=f"reseau-{n}", nom=f"Réseau {n}")

    membre = MembreCommuneFactory(commune=CommuneFactory(departement=departement))
    commune, user = membre.commune, membre.user
    InvitationCommune.objects.create(
        commune=commune, email=f"invite{n}@exemple.test", invited_by=user
    )
    DemandeAdhesion.objects.create(user=UserFactory(), commune=commune, message="Bonjour")
    EluReferentFactory(commune=commune)
    CommuneRattachee.objects.create(
        commune=commune, code=f"3590{n}", nom=f"Déléguée {n}", type=TypeRattachement.DELEGUEE
    )
    CodePostal.objects.create(commune=commune, code=f"3500{n}")
    Rapport.objects.create(commune=commune, referentiel=referentiel, requested_by=user)
    SignatureFactory(commune=commune, referentiel=referentiel)
    engagement = EngagementFactory(commune=commune, action=action, pilote=user)
    PreuveFactory(engagement=engagement)
    JalonFactory(engagement=engagement)
    Avis.objects.create(commune=commune, action=action, message="Un avis", consentement=True)
    ScoreSnapshot.objects.create(
        commune=commune,
        referentiel=referentiel,
        date=datetime.date(2026, 1, n),
        avancement=Decimal("12.5"),
        taux_engagement=Decimal("40"),
    )

    structure = StructureFactory(type=type_structure, commune=commune)
    structure.secteurs.add(secteur)
    structure.reseaux.add(reseau)
    structure.zones_communes.add(commune)
    structure.zones_epci.add(commune.epci)
    structure.zones_departements.add(departement)
    MembreStructureFactory(structure=structure)
    DemandeRattachement.objects.create(user=UserFactory(), structure=structure)
    InvitationStructure.objects.create(
        structure=structure, email=f"siae{n}@exemple.test", invited_by=user
    )
    Soutien.objects.create(
        commune=commune, structure=structure, type=TypeSoutien.SUBVENTION, montant=5000, annee=2025
    )

    JetonAcces.creer(user=user, nom=f"Jeton {n}")
    EchecConnexion.objects.create(ip="203.0.113.9", identifiant=f"devin{n}@exemple.test")

    clause = ClauseSocialeFactory(marche__commune=commune, marche__epci=commune.epci)
    TitulaireFactory(marche=clause.marche, structure=structure)
    SuiviHeures.objects.create(
        clause=clause,
        periode_debut=datetime.date(2026, 1, 1),
        periode_fin=datetime.date(2026, 3, 31),
        heures_realisees=Decimal("120.5"),
        personnes_embauchees=2,
        contrats_signes=2,
    )


def url_admin(model, vue, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{vue}", args=args)


def test_every_model_is_registered_except_history():
    manquants = [m.__name__ for m in modeles_des_apps() if m not in admin.site._registry]
    assert manquants == []


def test_admin_configuration_passes_system_checks():
    erreurs = checks.run_checks(tags=[checks.Tags.admin])
    assert erreurs == []


@pytest.mark.django_db
def test_every_changelist_and_add_form_answers_200(admin_client, admin_user, rf):
    requete = rf.get("/admin/")
    requete.user = admin_user
    for model, model_admin in admins_enregistres():
        # Some objects are never added by staff (an access token is shown once, to its owner).
        vues = ["changelist", "add"] if model_admin.has_add_permission(requete) else ["changelist"]
        for vue in vues:
            response = admin_client.get(url_admin(model, vue))
            assert response.status_code == 200, (model.__name__, vue)


@pytest.mark.django_db
def test_every_admin_page_renders_with_data(admin_client):
    creer_un_de_chaque(1)
    for model, _ in admins_enregistres():
        assert admin_client.get(url_admin(model, "changelist")).status_code == 200, model
        objet = model.objects.first()
        assert objet is not None, model.__name__
        assert admin_client.get(url_admin(model, "change", objet.pk)).status_code == 200, model
        assert admin_client.get(url_admin(model, "history", objet.pk)).status_code == 200, model
        assert admin_client.get(url_admin(model, "delete", objet.pk)).status_code == 200, model


@pytest.mark.django_db
def test_one_historical_version_renders(admin_client):
    commune = CommuneFactory(departement=creer_departement())
    version = commune.history.latest()

    response = admin_client.get(url_admin(Commune, "simple_history", commune.pk, version.pk))

    assert response.status_code == 200


@pytest.mark.django_db
def test_changelist_queries_do_not_grow_with_rows(admin_client):
    creer_un_de_chaque(1)
    admin_client.get(reverse("admin:index"))  # session and user warm-up

    def requetes(model):
        with CaptureQueriesContext(connection) as contexte:
            assert admin_client.get(url_admin(model, "changelist")).status_code == 200
        return len(contexte)

    avec_une_ligne = {model: requetes(model) for model, _ in admins_enregistres()}
    for n in (2, 3):
        creer_un_de_chaque(n)
    avec_trois_lignes = {model: requetes(model) for model, _ in admins_enregistres()}
    assert avec_trois_lignes == avec_une_ligne


@pytest.mark.django_db
def test_no_form_lists_a_big_table_in_a_select(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    selects = []
    for model, model_admin in admins_enregistres():
        formulaires = [(model, model_admin.get_form(request), None)]
        for inline in model_admin.get_inline_instances(request):
            formset = inline.get_formset(request)
            # The key to the parent is replaced by a hidden field when the formset is built.
            formulaires.append((inline.model, formset.form, formset.fk.name))
        for modele, formulaire, cle_parent in formulaires:
            for nom, champ in formulaire.base_fields.items():
                if nom == cle_parent or not isinstance(champ, ModelChoiceField):
                    continue
                widget = getattr(champ.widget, "widget", champ.widget)
                if champ.queryset.model in GRANDES_TABLES and not isinstance(widget, COMPACTS):
                    selects.append(f"{modele.__name__}.{nom}")
    assert selects == [], selects


@pytest.mark.django_db
def test_commune_autocomplete_serves_structure_zones(admin_client):
    departement = creer_departement()
    commune = CommuneFactory(nom="Saint-Malo", code_insee="35288", departement=departement)
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "structures",
            "model_name": "structure",
            "field_name": "zones_communes",
            "term": "35288",
        },
    )
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(commune.pk)]


def formset_vide(prefixe, total=0):
    return {
        f"{prefixe}-TOTAL_FORMS": total,
        f"{prefixe}-INITIAL_FORMS": 0,
        f"{prefixe}-MIN_NUM_FORMS": 0,
        f"{prefixe}-MAX_NUM_FORMS": 1000,
    }


@pytest.fixture
def referentiel(db):
    return Referentiel.objects.create(
        code="referentiel-de-test",
        version="1",
        type=TypeReferentiel.GUIDE,
        titre="Référentiel de test",
        source="Coorace",
    )


def test_action_added_on_its_axis_page_takes_the_axis_referential(admin_client, referentiel):
    axe = Axe.objects.create(referentiel=referentiel, numero=1, titre="Commande publique")
    donnees = {
        "referentiel": referentiel.pk,
        "numero": 1,
        "titre": "Commande publique",
        "resume": "",
        **formset_vide("actions", total=1),
        "actions-0-code": "1.1",
        "actions-0-titre": "Clauses sociales",
        "actions-0-poids": 2,
        "actions-0-ordre": 1,
    }

    response = admin_client.post(url_admin(Axe, "change", axe.pk), donnees)

    assert response.status_code == 302
    action = Action.objects.get(axe=axe)
    assert (action.referentiel, action.code, action.poids) == (referentiel, "1.1", 2)


def test_evidence_added_on_an_engagement_page_records_who_added_it(
    admin_client, admin_user, referentiel
):
    axe = Axe.objects.create(referentiel=referentiel, numero=1, titre="Commande publique")
    action = Action.objects.create(axe=axe, code="1.1", titre="Clauses sociales")
    departement = creer_departement()
    commune = CommuneFactory(departement=departement)
    donnees = {
        "commune": commune.pk,
        "action": action.pk,
        "statut": "non renseigné",
        **formset_vide("preuves", total=1),
        "preuves-0-titre": "Délibération",
        "preuves-0-nature": "délibération",
        "preuves-0-url": "https://exemple.test/deliberation.pdf",
        "preuves-0-date": "2026-04-01",
        "preuves-0-publique": "on",
        **formset_vide("jalons"),
    }

    response = admin_client.post(url_admin(Engagement, "add"), donnees)

    assert response.status_code == 302
    preuve = Preuve.objects.get(engagement__commune=commune)
    assert preuve.created_by == admin_user


def lancer_action(client, model, action, objets):
    return client.post(
        url_admin(model, "changelist"),
        {"action": action, "_selected_action": [o.pk for o in objets]},
        follow=True,
    )


def messages_de(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def demande_adhesion(db):
    departement = creer_departement()
    commune = CommuneFactory(departement=departement)
    return DemandeAdhesion.objects.create(user=UserFactory(), commune=commune)


def test_accepting_a_join_request_makes_a_reader_member(admin_client, admin_user, demande_adhesion):
    response = lancer_action(admin_client, DemandeAdhesion, "accepter", [demande_adhesion])

    assert response.status_code == 200
    demande_adhesion.refresh_from_db()
    assert demande_adhesion.statut == StatutDemande.ACCEPTEE
    assert demande_adhesion.decided_by == admin_user
    assert demande_adhesion.decided_at is not None
    membre = MembreCommune.objects.get(user=demande_adhesion.user, commune=demande_adhesion.commune)
    assert membre.role == Role.LECTEUR
    assert messages_de(response) == ["1 demande acceptée."]


def test_accepting_an_already_decided_request_changes_nothing(admin_client, demande_adhesion):
    lancer_action(admin_client, DemandeAdhesion, "accepter", [demande_adhesion])
    demande_adhesion.refresh_from_db()
    decision = (
        demande_adhesion.statut,
        demande_adhesion.decided_by_id,
        demande_adhesion.decided_at,
    )

    response = lancer_action(admin_client, DemandeAdhesion, "accepter", [demande_adhesion])

    demande_adhesion.refresh_from_db()
    assert (
        demande_adhesion.statut,
        demande_adhesion.decided_by_id,
        demande_adhesion.decided_at,
    ) == decision
    assert MembreCommune.objects.filter(user=demande_adhesion.user).count() == 1
    assert messages_de(response) == ["0 demande acceptée, 1 ignorée (déjà traitée)."]


def test_accepting_a_refused_request_neither_accepts_nor_adds_member(
    admin_client, demande_adhesion
):
    lancer_action(admin_client, DemandeAdhesion, "refuser", [demande_adhesion])
    lancer_action(admin_client, DemandeAdhesion, "accepter", [demande_adhesion])

    demande_adhesion.refresh_from_db()
    assert demande_adhesion.statut == StatutDemande.REFUSEE
    assert not MembreCommune.objects.filter(user=demande_adhesion.user).exists()


def test_accepting_a_request_keeps_the_role_of_an_existing_member(admin_client, demande_adhesion):
    MembreCommune.objects.create(
        user=demande_adhesion.user, commune=demande_adhesion.commune, role=Role.ADMIN
    )

    lancer_action(admin_client, DemandeAdhesion, "accepter", [demande_adhesion])

    membre = MembreCommune.objects.get(user=demande_adhesion.user)
    assert membre.role == Role.ADMIN


@pytest.fixture
def structure(db):
    type_structure, _ = TypeStructure.objects.get_or_create(
        code="ACI",
        defaults={"nom": "Atelier et chantier d'insertion", "famille": FamilleStructure.IAE},
    )
    return StructureFactory(type=type_structure, verifiee=False)


def test_first_accepted_claim_makes_an_admin_and_the_next_a_member(
    admin_client, admin_user, structure
):
    premiere = DemandeRattachement.objects.create(user=UserFactory(), structure=structure)
    seconde = DemandeRattachement.objects.create(user=UserFactory(), structure=structure)

    response = lancer_action(admin_client, DemandeRattachement, "accepter", [premiere, seconde])

    assert messages_de(response) == ["2 demandes acceptées."]
    membres = dict(MembreStructure.objects.values_list("user", "est_admin"))
    assert membres == {premiere.user_id: True, seconde.user_id: False}
    premiere.refresh_from_db()
    assert premiere.statut == StatutDemande.ACCEPTEE
    assert premiere.decided_by == admin_user


def test_refusing_a_claim_adds_no_member(admin_client, admin_user, structure):
    demande = DemandeRattachement.objects.create(user=UserFactory(), structure=structure)

    lancer_action(admin_client, DemandeRattachement, "refuser", [demande])

    demande.refresh_from_db()
    assert demande.statut == StatutDemande.REFUSEE
    assert demande.decided_by == admin_user
    assert not MembreStructure.objects.exists()


def test_marking_structures_verified_records_it_in_history(admin_client, admin_user, structure):
    response = lancer_action(admin_client, Structure, "marquer_verifiee", [structure])

    structure.refresh_from_db()
    assert structure.verifiee
    assert structure.history.latest().history_user == admin_user
    assert messages_de(response) == ["1 structure marquée comme vérifiée."]
