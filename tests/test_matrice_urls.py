"""The role matrix can never fall behind the URLs.

The URLconf is walked; every view that writes (a class-based view with a `post`, `put`,
`patch` or `delete` it allows, a DRF view's allowed methods, a function view whose
`require_http_methods` lets a write through) must either name, in MATRICE, the test that
runs it against every role, or be exempted, in EXEMPTIONS, with the reason why no
membership decides who may use it. A function view that declares no method accepts every
one: it must declare them (require_safe, require_POST, require_http_methods).

What is checked of a MATRICE entry: the test exists, runs over the roles (parametrized by
`role`, or looping over the ROLES), and its module names the URL (its short name in
quotes, its full name, or the given mark: the API tests address their writes by a key).
A new view that writes fails here until its matrix is written.
"""

import importlib
import inspect
import re

from django.urls import URLPattern, URLResolver, get_resolver

ECRITURES = {"post", "put", "patch", "delete"}

API_ROLES = "tests/api/test_roles.py::test_commune_writes_follow_the_role_matrix"
API_SUIVIS = "tests/api/test_roles.py::test_follow_up_writes_are_for_the_buyer_and_the_holders"
ENGAGEMENTS = (
    "tests/axes/test_engagement_views.py::test_role_matrix_of_every_view_that_changes_data"
)
MARCHES = "tests/marches/test_roles.py::test_role_matrix_of_every_view_that_changes_data"
MEMBRES = "tests/commune/test_membres.py::"
MEMBRES_STRUCTURE = "tests/structures/test_membres.py::"
SOUTIENS = "tests/structures/test_soutiens.py::"

# URL name → the role-matrix test that covers it, or (that test, what its module writes
# to reach the URL) when the URL's short name does not appear there.
MATRICE = {
    # Engagements, evidence, milestones, CSV, opinions (axes).
    "espace:engagements:action": ENGAGEMENTS,
    "espace:engagements:preuve_ajouter": ENGAGEMENTS,
    "espace:engagements:preuve_supprimer": ENGAGEMENTS,
    "espace:engagements:jalon_ajouter": ENGAGEMENTS,
    "espace:engagements:jalon_modifier": ENGAGEMENTS,
    "espace:engagements:jalon_supprimer": ENGAGEMENTS,
    "espace:csv:import": "tests/axes/test_csv.py::test_upload_post_follows_the_editing_role_matrix",
    "espace:csv:import_confirmer": "tests/axes/test_csv.py::"
    "test_confirm_post_follows_the_editing_role_matrix",
    "espace:avis:moderer": "tests/axes/test_avis.py::test_approve_role_matrix",
    # Members, signature, référent, requests to join, reports (commune).
    "espace:membres:inviter": MEMBRES + "test_invite_role_matrix",
    "espace:membres:role": MEMBRES + "test_change_role_matrix",
    "espace:membres:retirer": MEMBRES + "test_remove_member_role_matrix",
    "espace:membres:quitter": "tests/commune/test_roles_complements.py::"
    "test_leaving_the_commune_role_matrix",
    "espace:membres:invitation_annuler": "tests/commune/test_invitations_annulees.py::"
    "test_only_the_communes_admins_cancel_an_invitation",
    "espace:membres:signature": "tests/commune/test_signature_referent.py::"
    "test_signature_role_matrix",
    "espace:membres:referent": "tests/commune/test_signature_referent.py::"
    "test_referent_role_matrix",
    "espace:membres:referent_retirer": "tests/commune/test_signature_referent.py::"
    "test_referent_removal_role_matrix",
    "espace:membres:demande_accepter": "tests/commune/test_demandes.py::test_only_staff_decide",
    "espace:membres:demande_refuser": "tests/commune/test_demandes.py::test_only_staff_decide",
    "espace:rapports:demander": "tests/commune/test_rapports.py::"
    "test_asking_for_a_report_follows_the_role_matrix",
    "espace:rapports:publier": "tests/commune/test_roles_complements.py::"
    "test_publishing_a_report_role_matrix",
    # Contracts (marches).
    "espace:marches:creer": MARCHES,
    "espace:marches:modifier": MARCHES,
    "espace:marches:supprimer": MARCHES,
    "espace:marches:clause_creer": MARCHES,
    "espace:marches:clause_modifier": MARCHES,
    "espace:marches:clause_supprimer": MARCHES,
    "espace:marches:suivi_ajouter": MARCHES,
    "espace:marches:suivi_modifier": MARCHES,
    "espace:marches:suivi_supprimer": MARCHES,
    "espace:marches_staff:import_ecrire": "tests/marches/test_roles.py::"
    "test_decp_upload_page_is_staff_only_others_get_404",
    # Structures: profile, members, claims, supports.
    "espace:structures_espace:profil": "tests/structures/test_profil.py::"
    "test_saving_the_profile_role_matrix",
    "espace:structures_espace:inviter": MEMBRES_STRUCTURE + "test_invite_role_matrix",
    "espace:structures_espace:administrateur": MEMBRES_STRUCTURE + "test_make_admin_role_matrix",
    "espace:structures_espace:retirer": MEMBRES_STRUCTURE + "test_remove_member_role_matrix",
    "espace:structures_espace:quitter": MEMBRES_STRUCTURE + "test_leave_role_matrix",
    "espace:structures_espace:invitation_annuler": (
        "tests/structures/test_invitations_annulees.py::"
        "test_only_the_structures_admins_cancel_an_invitation"
    ),
    "espace:structures_espace:demande_accepter": (
        "tests/structures/test_revendication.py::test_deciding_a_claim_role_matrix",
        "demande_",
    ),
    "espace:structures_espace:demande_refuser": (
        "tests/structures/test_revendication.py::test_deciding_a_claim_role_matrix",
        "demande_",
    ),
    "espace:structures_espace:staff_accepter": "tests/structures/test_revendication.py::"
    "test_only_staff_decide_from_the_staff_page",
    "espace:structures_espace:staff_refuser": "tests/structures/test_roles_complements.py::"
    "test_only_staff_refuse_from_the_staff_page",
    "espace:soutiens:ajouter": SOUTIENS + "test_adding_role_matrix",
    "espace:soutiens:modifier": SOUTIENS + "test_editing_role_matrix",
    "espace:soutiens:supprimer": SOUTIENS + "test_deleting_role_matrix",
    # The API: its writes are keyed in tests/api/test_roles.py.
    "api:engagement": (API_ROLES, '"engagement"'),
    "api:preuves": (API_ROLES, '"preuve+"'),
    "api:preuve": (API_ROLES, '"preuve-"'),
    "api:jalons": (API_ROLES, '"jalon+"'),
    "api:jalon": (API_ROLES, '"jalon~"'),
    "api:soutiens_commune": (API_ROLES, '"soutien+"'),
    "api:soutien": (API_ROLES, '"soutien~"'),
    "api:marches_commune": (API_ROLES, '"marche+"'),
    "api:marche": (API_ROLES, '"marche~"'),
    "api:clauses": (API_ROLES, '"clause+"'),
    "api:clause": (API_ROLES, '"clause~"'),
    "api:rapports": (API_ROLES, '"rapport+"'),
    "api:suivis": (API_SUIVIS, '"suivi+"'),
    "api:suivi": (API_SUIVIS, '"suivi~"'),
    "api:structure": (
        "tests/api/test_structures.py::test_profile_changes_are_for_the_structure_members",
        "{LISTE}{SIRET}/",
    ),
}

# Views that write but that no membership governs: who may use them, and where that is
# tested instead.
EXEMPTIONS = {
    "commune:avis:deposer": "Formulaire public d'avis : ouvert à tous, limité en débit et "
    "modéré ensuite (tests/axes/test_avis.py).",
    "espace:membres:invitation": "Lien d'invitation : le jeton signé décide, pas une adhésion "
    "(tests/commune/test_invitations.py).",
    "espace:structures_espace:invitation": "Lien d'invitation : le jeton signé décide, pas une "
    "adhésion (tests/structures/test_membres.py).",
    "espace:membres:rejoindre": "Demande d'adhésion : toute personne connectée la dépose, le "
    "staff décide (tests/commune/test_demandes.py).",
    "espace:structures_espace:creer": "Création d'une structure : toute personne connectée, qui "
    "en devient administratrice (tests/structures/test_creation.py).",
    "espace:structures_espace:revendiquer": "Revendication d'une structure : toute personne "
    "connectée la dépose, ses administrateurs ou le staff décident "
    "(tests/structures/test_revendication.py).",
    "espace:marches_staff:import": "Import DECP : réservé au staff, 404 pour tous les autres "
    "(tests/marches/test_roles.py::test_decp_upload_page_is_staff_only_others_get_404).",
}
# Whole namespaces that no membership governs.
EXEMPTIONS_ESPACES = {
    "admin:": "Site d'administration : réservé au staff par Django, avec ses propres "
    "permissions (tests/test_admin.py).",
    "comptes:": "Le compte de la personne elle-même (connexion, mot de passe, jetons) : aucune "
    "commune ni structure en jeu (tests/comptes/).",
}


def _methodes(vue):
    """The HTTP methods a view accepts, lower case; None for a function view that declares
    none (and so accepts them all)."""
    classe = getattr(vue, "view_class", None) or getattr(vue, "cls", None)
    if classe is not None:
        if actions := getattr(vue, "actions", None):  # a DRF viewset
            return set(actions)
        permises = set(getattr(classe, "http_method_names", ()))
        return {m for m in permises if hasattr(classe, m)}
    fonction = vue
    while fonction is not None:
        try:
            libres = inspect.getclosurevars(fonction).nonlocals
        except TypeError:
            libres = {}
        if "request_method_list" in libres:  # django.views.decorators.http
            return {m.lower() for m in libres["request_method_list"]}
        fonction = getattr(fonction, "__wrapped__", None)
    return None


def _motifs(resolveur, prefixe="", espaces=()):
    for motif in resolveur.url_patterns:
        if isinstance(motif, URLResolver):
            espace = (motif.namespace,) if motif.namespace else ()
            yield from _motifs(motif, prefixe + str(motif.pattern), espaces + espace)
        elif isinstance(motif, URLPattern):
            nom = ":".join((*espaces, motif.name or f"<sans nom: {prefixe}{motif.pattern}>"))
            yield nom, motif.callback


def _vues():
    return {nom: _methodes(vue) for nom, vue in _motifs(get_resolver())}


def _exemptee(nom):
    return nom in EXEMPTIONS or nom.startswith(tuple(EXEMPTIONS_ESPACES))


def _test(entree):
    """The test function a MATRICE entry names, its module's source, and the mark to find."""
    noeud, repere = entree if isinstance(entree, tuple) else (entree, None)
    chemin, fonction = noeud.split("::")
    module = importlib.import_module(chemin.removesuffix(".py").replace("/", "."))
    return getattr(module, fonction, None), inspect.getsource(module), repere


def _sur_les_roles(fonction):
    for marque in getattr(fonction, "pytestmark", ()):
        if marque.name == "parametrize":
            noms = marque.args[0]
            noms = re.split(r"\s*,\s*", noms) if isinstance(noms, str) else list(noms)
            if "role" in noms:
                return True
    return bool(re.search(r"for role in \w*ROLES", inspect.getsource(fonction)))


def test_every_view_that_writes_has_a_role_matrix_or_a_stated_exemption():
    vues = _vues()
    ecrivent = {nom for nom, methodes in vues.items() if methodes and methodes & ECRITURES}
    manquantes = sorted(nom for nom in ecrivent if nom not in MATRICE and not _exemptee(nom))
    assert manquantes == [], (
        "Ces vues écrivent sans matrice de rôles : ajoutez le test et son entrée dans MATRICE "
        f"(ou une exemption motivée) : {manquantes}"
    )


def test_every_function_view_declares_its_methods():
    muettes = sorted(
        nom for nom, methodes in _vues().items() if methodes is None and not _exemptee(nom)
    )
    assert muettes == [], f"Ces vues acceptent toutes les méthodes : déclarez-les : {muettes}"


def test_matrix_and_exemptions_name_only_views_that_exist_and_write():
    vues = _vues()
    ecrivent = {nom for nom, methodes in vues.items() if methodes and methodes & ECRITURES}
    assert sorted(set(MATRICE) - ecrivent) == []
    assert sorted(set(EXEMPTIONS) - ecrivent) == []
    assert set(MATRICE).isdisjoint(EXEMPTIONS)
    assert all(raison.strip() for raison in (*EXEMPTIONS.values(), *EXEMPTIONS_ESPACES.values()))


def test_each_matrix_entry_is_a_test_over_the_roles_that_reaches_its_url():
    problemes = []
    for nom, entree in MATRICE.items():
        fonction, source, repere = _test(entree)
        if fonction is None:
            problemes.append(f"{nom} : test introuvable ({entree})")
            continue
        if not _sur_les_roles(fonction):
            problemes.append(f"{nom} : {fonction.__name__} ne parcourt pas les rôles")
        reperes = [repere] if repere else [nom, f'"{nom.rsplit(":", 1)[1]}"']
        if not any(r in source for r in reperes):
            problemes.append(f"{nom} : {reperes} absent de {fonction.__module__}")
    assert problemes == []


def test_the_walk_sees_a_write_that_only_a_decorator_declares():
    """The detector itself: a require_POST view under login_required is a write, a
    require_safe view is not."""
    assert _vues()["espace:membres:inviter"] == {"post"}
    assert _methodes(_motif("espace:membres:liste")) == {"get", "head"}
    assert "patch" in _vues()["api:engagement"]


def _motif(nom):
    return dict(_motifs(get_resolver()))[nom]
