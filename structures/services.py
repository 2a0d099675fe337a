"""Writes on structures that touch several rows or models: keyword-only `<thing>_<verb>`."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from commune import perms as perms_commune
from commune.concurrence import version_verifier
from commune.enums import StatutDemande
from commune.services import (
    DUREE_INVITATION,
    compte_invite,
    invitation_lire,
    invitation_marquer_annulee,
    jeton_signer,
)

from . import emails, perms
from .models import (
    DemandeRattachement,
    InvitationStructure,
    MembreStructure,
    Soutien,
    Structure,
)

# Claims ---------------------------------------------------------------------------------

DEJA_MEMBRE = "Vous êtes déjà membre de {structure}."
DEJA_DEMANDEE = (
    "Vous avez déjà une demande en attente pour {structure} : vous serez prévenu(e) par "
    "e-mail de la décision."
)


def admins_de(structure):
    """The accounts of the structure's administrators."""
    return list(
        get_user_model().objects.filter(
            membres_structure__structure=structure, membres_structure__est_admin=True
        )
    )


@transaction.atomic
def demande_rattachement_creer(*, user, structure, message=""):
    """`user` claims `structure`: its admins decide, or platform staff while it has none.
    The admins are told by email. One pending claim per person and structure."""
    if MembreStructure.objects.filter(user=user, structure=structure).exists():
        raise ValidationError(DEJA_MEMBRE.format(structure=structure), code="membre")
    try:
        with transaction.atomic():
            demande = DemandeRattachement.objects.create(
                user=user, structure=structure, message=message
            )
    except IntegrityError as erreur:  # the database keeps one pending claim per pair
        raise ValidationError(
            DEJA_DEMANDEE.format(structure=structure), code="deja_demandee"
        ) from erreur
    if admins := admins_de(structure):
        emails.envoyer_demande_aux_admins(demande=demande, admins=admins)
    return demande


@transaction.atomic
def demandes_rattachement_accepter(*, demandes, decided_by):
    """Accepts the pending claims among `demandes`; each claimant joins the structure
    and is told so by email.

    The first member of a structure without an administrator becomes its administrator.
    Claims already decided are left untouched; someone already a member keeps their
    rights. Returns the number of claims accepted.
    """
    # Locking the rows makes two people clicking at once accept a claim once.
    en_attente = (
        demandes.select_for_update(of=("self",))
        .filter(statut=StatutDemande.EN_ATTENTE)
        .select_related("user", "structure")
        .order_by("created_at", "pk")
    )
    acceptees = 0
    for demande in en_attente:
        # The structure's row serialises two claims accepted at the same moment: only
        # the first one finds the structure without an administrator.
        Structure.objects.select_for_update().filter(pk=demande.structure_id).first()
        a_un_admin = MembreStructure.objects.filter(
            structure_id=demande.structure_id, est_admin=True
        ).exists()
        membre, _ = MembreStructure.objects.get_or_create(
            user_id=demande.user_id,
            structure_id=demande.structure_id,
            defaults={"est_admin": not a_un_admin},
        )
        demande.statut = StatutDemande.ACCEPTEE
        demande.decided_by = decided_by
        demande.decided_at = timezone.now()
        demande.save(update_fields=["statut", "decided_by", "decided_at"])
        emails.envoyer_demande_acceptee(demande=demande, membre=membre)
        acceptees += 1
    return acceptees


@transaction.atomic
def demandes_rattachement_refuser(*, demandes, decided_by):
    """Refuses the pending claims among `demandes` and tells each claimant, politely,
    by email. Returns how many were refused."""
    en_attente = list(
        demandes.select_for_update(of=("self",))
        .filter(statut=StatutDemande.EN_ATTENTE)
        .select_related("user", "structure")
    )
    DemandeRattachement.objects.filter(pk__in=[d.pk for d in en_attente]).update(
        statut=StatutDemande.REFUSEE, decided_by=decided_by, decided_at=timezone.now()
    )
    for demande in en_attente:
        emails.envoyer_demande_refusee(demande=demande)
    return len(en_attente)


def demande_rattachement_decider(*, demande, accepter, by):
    """One claim, decided by someone who may (perms.can_decide_claims). Returns whether
    it was still pending."""
    if not perms.can_decide_claims(by, demande.structure):
        raise PermissionDenied("Vous ne pouvez pas décider de cette demande.")
    decider = demandes_rattachement_accepter if accepter else demandes_rattachement_refuser
    return decider(demandes=DemandeRattachement.objects.filter(pk=demande.pk), decided_by=by) > 0


# Creation and verification ---------------------------------------------------------------

SIRET_DEJA_CONNU = (
    "Une fiche existe déjà pour ce SIRET : retrouvez-la par la recherche ci-dessus et "
    "demandez à y être rattaché(e)."
)


@transaction.atomic
def structure_creer(*, user, siret, type, nom, commune, enseigne=""):
    """Creates a structure that the directory lacks; `user` becomes its administrator.

    It stays hidden from the public (not verified) until platform staff verify it.
    """
    erreur_siret = ValidationError({"siret": ValidationError(SIRET_DEJA_CONNU, code="connu")})
    if Structure.objects.filter(siret=siret).exists():
        raise erreur_siret
    structure = Structure(
        siret=siret, type=type, nom=nom, enseigne=enseigne, commune=commune, verifiee=False
    )
    structure._history_user = user
    try:
        with transaction.atomic():
            structure.save()
    except IntegrityError as erreur:  # created at the same moment by someone else
        raise erreur_siret from erreur
    membre = MembreStructure(user=user, structure=structure, est_admin=True)
    membre._history_user = user
    membre.save()
    return structure


@transaction.atomic
def structures_verifier(*, structures):
    """Marks `structures` as verified; returns how many were not verified before."""
    a_verifier = list(structures.filter(verifiee=False))
    for structure in a_verifier:
        structure.verifiee = True
        # save(), not update(): the history records who verified the structure.
        structure.save(update_fields=["verifiee", "updated_at"])
    return len(a_verifier)


# Members and invitations ------------------------------------------------------------------

SEL_INVITATION = "structures.invitation"

LIEU = "la structure"


def invitation_jeton(invitation):
    return jeton_signer(invitation, sel=SEL_INVITATION)


def invitation_depuis_jeton(jeton):
    return invitation_lire(
        jeton,
        sel=SEL_INVITATION,
        invitations=InvitationStructure.objects.select_related("structure", "invited_by"),
        lieu=LIEU,
    )


@transaction.atomic
def invitation_creer(*, structure, email, est_admin, invited_by):
    """Invites `email` to join `structure`, as an administrator or not, and emails a
    signed link valid 7 days.

    An address already invited and not yet accepted is invited again on the same row
    (freshly dated link). An address that is already a member's is refused
    (ValidationError on `email`). Returns (invitation, created).
    """
    if not perms.can_manage_members(invited_by, structure):
        raise PermissionDenied("Seuls les administrateurs de la structure invitent des membres.")
    email = email.strip().lower()
    if MembreStructure.objects.filter(structure=structure, user__email__iexact=email).exists():
        raise ValidationError(
            {
                "email": ValidationError(
                    f"{email} est déjà membre de {structure}.", code="deja_membre"
                )
            }
        )
    # A cancelled invitation is never reused: that would bring its old links back to life.
    invitation = (
        InvitationStructure.objects.select_for_update()
        .filter(
            structure=structure,
            email__iexact=email,
            accepted_at__isnull=True,
            cancelled_at__isnull=True,
        )
        .order_by("-created_at")
        .first()
    )
    creee = invitation is None
    if creee:
        invitation = InvitationStructure.objects.create(
            structure=structure, email=email, est_admin=est_admin, invited_by=invited_by
        )
    else:
        invitation.est_admin = est_admin
        invitation.invited_by = invited_by
        invitation.created_at = timezone.now()  # auto_now_add only applies on creation
        invitation.save(update_fields=["est_admin", "invited_by", "created_at"])
    emails.envoyer_invitation(
        invitation=invitation,
        jeton=invitation_jeton(invitation),
        expire_le=timezone.now() + DUREE_INVITATION,
    )
    return invitation, creee


@transaction.atomic
def invitation_accepter(*, invitation, user=None, prenom="", nom="", mot_de_passe=None):
    """Joins the invitation's structure; an invitation serves once.

    With `user`, that account joins, and it must be the invited address's. Without, an
    account is created for the invited address (whoever already has one must sign in
    instead). An admin stays admin: an invitation never demotes. Returns the membership.
    """
    invitation = (
        InvitationStructure.objects.select_for_update(of=("self",))
        .select_related("structure")
        .get(pk=invitation.pk)
    )
    user = compte_invite(
        invitation=invitation,
        user=user,
        prenom=prenom,
        nom=nom,
        mot_de_passe=mot_de_passe,
        lieu=LIEU,
    )

    membre, cree = MembreStructure.objects.select_for_update().get_or_create(
        user=user, structure=invitation.structure, defaults={"est_admin": invitation.est_admin}
    )
    if not cree and invitation.est_admin and not membre.est_admin:
        membre.est_admin = True
        membre.save(update_fields=["est_admin"])
    maintenant = timezone.now()
    # Older invitations of the same address to the same structure are answered with it.
    InvitationStructure.objects.filter(
        structure=invitation.structure,
        email__iexact=invitation.email,
        accepted_at__isnull=True,
        cancelled_at__isnull=True,
    ).update(accepted_at=maintenant)
    invitation.accepted_at = maintenant
    perms.oublier_adhesions(user)
    return membre


@transaction.atomic
def invitation_annuler(*, invitation, by):
    """Cancels a pending invitation to a structure: admins of the structure only."""
    invitation = (
        InvitationStructure.objects.select_for_update(of=("self",))
        .select_related("structure")
        .get(pk=invitation.pk)
    )
    if not perms.can_manage_members(by, invitation.structure):
        raise PermissionDenied("Seuls les administrateurs de la structure annulent une invitation.")
    return invitation_marquer_annulee(invitation, by=by, lieu=str(invitation.structure))


def _admins_verrouilles(structure_id):
    """Locks the structure's admin memberships and returns {membership pk: user pk}.

    Every change that could leave a structure without an admin takes these locks first,
    always in the same order (no deadlock): two admins stepping down at the same moment
    are served one after the other, and the second sees that only one admin is left.
    """
    return dict(
        MembreStructure.objects.select_for_update()
        .filter(structure_id=structure_id, est_admin=True)
        .order_by("pk")
        .values_list("pk", "user_id")
    )


def _membre_verrouille(membre):
    return (
        MembreStructure.objects.select_for_update(of=("self",))
        .select_related("user", "structure")
        .get(pk=membre.pk)
    )


def _refuser_si_dernier_admin(membre, admins, by, *, geste):
    if membre.pk in admins and len(admins) == 1:
        qui = "Vous êtes" if membre.user_id == by.pk else f"{membre.user.nom_affiche} est"
        raise ValidationError(
            f"{qui} le dernier administrateur de {membre.structure} : nommez d'abord un "
            f"autre administrateur avant de {geste}.",
            code="dernier_admin",
        )


@transaction.atomic
def membre_changer_admin(*, membre, est_admin, by):
    """Makes `membre` an administrator of its structure, or a plain member. Admins of the
    structure only; the last admin stays admin (ValidationError)."""
    admins = _admins_verrouilles(membre.structure_id)
    if by.pk not in admins.values():
        raise PermissionDenied("Seuls les administrateurs de la structure gèrent ses membres.")
    membre = _membre_verrouille(membre)
    if membre.est_admin == est_admin:
        return membre
    if not est_admin:
        _refuser_si_dernier_admin(membre, admins, by, geste="lui retirer ce rôle")
    membre.est_admin = est_admin
    membre._history_user = by
    membre.save(update_fields=["est_admin"])
    return membre


@transaction.atomic
def membre_retirer(*, membre, by):
    """Removes `membre` from its structure: an admin removes anyone, a member may leave.
    The last admin can neither be removed nor leave (ValidationError)."""
    admins = _admins_verrouilles(membre.structure_id)
    membre = _membre_verrouille(membre)
    if membre.user_id != by.pk and by.pk not in admins.values():
        raise PermissionDenied("Seuls les administrateurs de la structure gèrent ses membres.")
    geste = "quitter la structure" if membre.user_id == by.pk else "le retirer"
    _refuser_si_dernier_admin(membre, admins, by, geste=geste)
    membre._history_user = by
    membre.delete()


# The profile ----------------------------------------------------------------------------

# Each figure and the date it was last given: the date follows the figure.
DATES_DES_CHIFFRES = {
    "etp_insertion": "etp_insertion_maj",
    "personnes_accompagnees": "personnes_accompagnees_maj",
    "taux_sorties_positives": "taux_sorties_positives_maj",
}
CHAMPS_PROFIL = (
    "siret",
    "nom",
    "enseigne",
    "type",
    "forme_juridique",
    "description",
    "adresse",
    "code_postal",
    "commune",
    "email",
    "email_public",
    "telephone",
    "telephone_public",
    "site_web",
    "site_web_public",
    "etp_insertion",
    "personnes_accompagnees",
    "taux_sorties_positives",
    "fin_conventionnement",
    "publiee",
)
RELATIONS_PROFIL = (
    "secteurs",
    "types_prestation",
    "reseaux",
    "zones_communes",
    "zones_epci",
    "zones_departements",
)
SIRET_VERROUILLE = (
    "Le SIRET d'une structure vérifiée ne se modifie plus : écrivez à l'équipe de la "
    "plateforme s'il est erroné."
)


def _valeur(structure, nom):
    champ = Structure._meta.get_field(nom)
    return getattr(structure, champ.attname)


@transaction.atomic
def profil_enregistrer(
    *,
    structure,
    valeurs,
    relations,
    by,
    logo=None,
    supprimer_logo=False,
    version: int | None = None,
):
    """Saves the profile of `structure` as one change of its history, by `by`.

    `valeurs` maps fields of CHAMPS_PROFIL to their new value, `relations` fields of
    RELATIONS_PROFIL to their new objects; `logo` is a prepared file (structures.logos).
    A figure that changes gets today as its date; one that is cleared loses its date.
    Nothing is saved, and no history is written, when nothing changed. Returns the
    names of the changed fields. `version` is the version the change was based on:
    saved by someone else since, it raises ConflitDeVersion and nothing is written.
    """
    if not perms.can_edit_profile(by, structure):
        raise PermissionDenied("Seuls les membres de la structure modifient sa fiche.")
    # Locked: two members saving at once are served one after the other.
    structure = Structure.objects.select_for_update().get(pk=structure.pk)
    version_verifier(structure, version)
    modifies = []
    for nom, valeur in valeurs.items():
        if nom not in CHAMPS_PROFIL:
            raise ValueError(f"{nom} n'est pas un champ de la fiche.")
        avant = _valeur(structure, nom)
        apres = valeur.pk if hasattr(valeur, "pk") else valeur
        if avant == apres:
            continue
        if nom == "siret" and structure.verifiee:
            raise ValidationError({"siret": ValidationError(SIRET_VERROUILLE, code="verifiee")})
        setattr(structure, nom, valeur)
        modifies.append(nom)
        if nom in DATES_DES_CHIFFRES:
            setattr(
                structure,
                DATES_DES_CHIFFRES[nom],
                timezone.localdate() if valeur is not None else None,
            )
    if (
        "siret" in modifies
        and Structure.objects.filter(siret=structure.siret).exclude(pk=structure.pk).exists()
    ):
        raise ValidationError({"siret": ValidationError(SIRET_DEJA_CONNU, code="connu")})

    nouvelles_relations = {}
    for nom, objets in relations.items():
        if nom not in RELATIONS_PROFIL:
            raise ValueError(f"{nom} n'est pas une relation de la fiche.")
        objets = list(objets)
        actuels = set(getattr(structure, nom).values_list("pk", flat=True))
        if actuels != {objet.pk for objet in objets}:
            nouvelles_relations[nom] = objets
            modifies.append(nom)

    if logo is not None:
        # A fresh name: the old file stays on disk, the history still points to it.
        structure.logo.save(logo.name, logo, save=False)
        modifies.append("logo")
    elif supprimer_logo and structure.logo:
        structure.logo = ""
        modifies.append("logo")

    if not modifies:
        return []
    # The relations are set without history of their own, then one save records the
    # whole profile, relations included, as a single change by `by`.
    structure.skip_history_when_saving = True
    try:
        for nom, objets in nouvelles_relations.items():
            getattr(structure, nom).set(objets)
    finally:
        del structure.skip_history_when_saving
    structure._history_user = by
    structure.save()
    return modifies


# Supports from communes ------------------------------------------------------------------


def _exiger_edition_commune(by, commune):
    if not perms_commune.can_edit_engagements(by, commune):
        raise PermissionDenied("Seuls les éditeurs et les administrateurs de la commune le font.")


@transaction.atomic
def soutien_enregistrer(*, commune, by, soutien=None, **valeurs):
    """Records a support of `commune` to a structure, or corrects `soutien`.
    Éditeurs and admins of the commune only."""
    _exiger_edition_commune(by, commune)
    if soutien is None:
        soutien = Soutien(commune=commune, created_by=by)
    elif soutien.commune_id != commune.pk:
        raise PermissionDenied("Ce soutien n'est pas celui de cette commune.")
    for nom, valeur in valeurs.items():
        setattr(soutien, nom, valeur)
    soutien._history_user = by
    soutien.save()
    return soutien


@transaction.atomic
def soutien_supprimer(*, soutien, by):
    _exiger_edition_commune(by, soutien.commune)
    soutien._history_user = by
    soutien.delete()


# The import of the national lists lives in its own module; these names stay here for
# the modules that read them from the services.
from .imports import RAISON_IMPORT as RAISON_IMPORT  # noqa: E402
from .imports import structures_importer as structures_importer  # noqa: E402
