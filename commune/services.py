"""Writes on communes that touch several rows or models: keyword-only `<thing>_<verb>`."""

import datetime
import uuid

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from axes.models import Referentiel, Signature

from . import emails
from .enums import Role, StatutDemande, StatutRapport
from .models import (
    Commune,
    DemandeAdhesion,
    EluReferent,
    InvitationCommune,
    MembreCommune,
    Rapport,
)
from .perms import RANG, can_edit_referent, can_manage_members, can_sign_referentiel

# Members, invitations and requests to join ------------------------------------------

DUREE_INVITATION = datetime.timedelta(days=7)
SEL_INVITATION = "commune.invitation"


def messages_invitation(lieu):
    """Why an invitation link cannot be used, for « la commune » or « la structure »."""
    return {
        "invalide": "Ce lien d'invitation n'est pas valide. Vérifiez qu'il a été copié en "
        "entier depuis l'e-mail reçu.",
        "expiree": "Cette invitation a expiré : un lien d'invitation est valable 7 jours. "
        f"Demandez à un administrateur de {lieu} de vous inviter de nouveau.",
        "deja_utilisee": "Cette invitation a déjà été utilisée : un lien d'invitation ne sert "
        f"qu'une fois. Connectez-vous pour retrouver {lieu} dans votre espace.",
        "disparue": f"Cette invitation n'existe plus. Demandez à un administrateur de {lieu} "
        "de vous inviter de nouveau.",
        "annulee": f"Cette invitation a été annulée par un administrateur de {lieu} : son lien "
        "ne fonctionne plus. Si vous pensez que c'est une erreur, demandez-lui de vous inviter "
        "de nouveau.",
    }


class InvitationInutilisable(Exception):
    """An invitation link that cannot be used; `status` is the HTTP answer (400 or 410)."""

    def __init__(self, message, *, status):
        super().__init__(message)
        self.message = message
        self.status = status


def jeton_signer(invitation, *, sel):
    """The signed token of an invitation link; the signer dates it, loads() checks the age.

    Shared by the invitations to a commune and to a structure, each with its own salt."""
    return signing.dumps({"invitation": invitation.pk}, salt=sel)


def invitation_lire(jeton, *, sel, invitations, lieu):
    """The pending invitation of `invitations` a link points to, or InvitationInutilisable
    saying why not."""
    messages = messages_invitation(lieu)
    try:
        donnees = signing.loads(jeton, salt=sel, max_age=DUREE_INVITATION)
    except signing.SignatureExpired as erreur:
        raise InvitationInutilisable(messages["expiree"], status=410) from erreur
    except signing.BadSignature as erreur:
        raise InvitationInutilisable(messages["invalide"], status=400) from erreur
    pk = donnees.get("invitation") if isinstance(donnees, dict) else None
    invitation = invitations.filter(pk=pk).first() if isinstance(pk, int) else None
    if invitation is None:
        raise InvitationInutilisable(messages["disparue"], status=410)
    if invitation.cancelled_at is not None:
        raise InvitationInutilisable(messages["annulee"], status=410)
    if invitation.accepted_at is not None:
        raise InvitationInutilisable(messages["deja_utilisee"], status=410)
    return invitation


def compte_invite(*, invitation, user, prenom, nom, mot_de_passe, lieu):
    """The account that accepts a (locked) invitation, once.

    With `user`, that account, which must be the invited address's. Without, an account
    is created for the invited address; whoever already has one must sign in instead."""
    # Checked again here, on the locked row: cancelled while the form was being filled.
    if invitation.cancelled_at is not None:
        raise InvitationInutilisable(messages_invitation(lieu)["annulee"], status=410)
    if invitation.accepted_at is not None:
        raise InvitationInutilisable(messages_invitation(lieu)["deja_utilisee"], status=410)
    if user is not None:
        if user.email.lower() != invitation.email.lower():
            raise PermissionDenied("Cette invitation est adressée à une autre adresse e-mail.")
        return user
    User = get_user_model()
    compte_existant = ValidationError(
        "Un compte existe déjà pour cette adresse : connectez-vous pour accepter l'invitation.",
        code="compte_existant",
    )
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise compte_existant
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=invitation.email, password=mot_de_passe, first_name=prenom, last_name=nom
            )
    except IntegrityError as erreur:  # created at the same moment by another request
        raise compte_existant from erreur


def invitation_marquer_annulee(invitation, *, by, lieu):
    """Cancels a pending invitation locked by the caller; its link stops working at once.

    Shared by the invitations to a commune and to a structure: each caller checks who may.
    An accepted invitation cannot be cancelled (ValidationError): its person is a member,
    to be removed as such. Cancelling twice changes nothing."""
    if invitation.accepted_at is not None:
        raise ValidationError(
            f"Cette invitation a déjà été acceptée : {invitation.email} est membre de {lieu}. "
            "Pour lui retirer l'accès, retirez cette personne des membres.",
            code="deja_acceptee",
        )
    if invitation.cancelled_at is None:
        invitation.cancelled_at = timezone.now()
        invitation.cancelled_by = by
        invitation.save(update_fields=["cancelled_at", "cancelled_by"])
    return invitation


def invitation_jeton(invitation):
    return jeton_signer(invitation, sel=SEL_INVITATION)


def invitation_depuis_jeton(jeton):
    return invitation_lire(
        jeton,
        sel=SEL_INVITATION,
        invitations=InvitationCommune.objects.select_related("commune", "invited_by"),
        lieu="la commune",
    )


def _admins_verrouilles(commune_id):
    """Locks the commune's admin memberships and returns {membership pk: user pk}.

    Every change that could leave a commune without an admin takes these locks first,
    always in the same order (no deadlock): two admins stepping down at the same moment
    are served one after the other, and the second sees that only one admin is left.
    """
    return dict(
        MembreCommune.objects.select_for_update()
        .filter(commune_id=commune_id, role=Role.ADMIN)
        .order_by("pk")
        .values_list("pk", "user_id")
    )


def _exiger_admin(admins, user):
    if user.pk not in admins.values():
        raise PermissionDenied("Seuls les administrateurs de la commune gèrent ses membres.")


def _membre_verrouille(membre):
    return (
        MembreCommune.objects.select_for_update(of=("self",))
        .select_related("user", "commune")
        .get(pk=membre.pk)
    )


def _refuser_si_dernier_admin(membre, admins, by, *, geste):
    if membre.pk in admins and len(admins) == 1:
        qui = "Vous êtes" if membre.user_id == by.pk else f"{membre.user.nom_affiche} est"
        raise ValidationError(
            f"{qui} le dernier administrateur de {membre.commune.nom} : nommez d'abord "
            f"un autre administrateur avant de {geste}.",
            code="dernier_admin",
        )


@transaction.atomic
def invitation_creer(*, commune, email, role, invited_by):
    """Invites `email` to join `commune` with `role`, and emails a signed link.

    An address already invited and not yet accepted is invited again on the same row
    (new role, new sender, new date, a freshly dated link): the admins' list keeps one
    line per person, and the 7 days start again. An address that is already a member's
    is refused (ValidationError on `email`). Returns (invitation, created).
    """
    if not can_manage_members(invited_by, commune):
        raise PermissionDenied("Seuls les administrateurs de la commune invitent des membres.")
    email = email.strip().lower()
    if MembreCommune.objects.filter(commune=commune, user__email__iexact=email).exists():
        raise ValidationError(
            {
                "email": ValidationError(
                    f"{email} est déjà membre de {commune.nom}.", code="deja_membre"
                )
            }
        )
    # A cancelled invitation is never reused: that would bring its old links back to life.
    invitation = (
        InvitationCommune.objects.select_for_update()
        .filter(
            commune=commune,
            email__iexact=email,
            accepted_at__isnull=True,
            cancelled_at__isnull=True,
        )
        .order_by("-created_at")
        .first()
    )
    creee = invitation is None
    if creee:
        invitation = InvitationCommune.objects.create(
            commune=commune, email=email, role=role, invited_by=invited_by
        )
    else:
        invitation.role = role
        invitation.invited_by = invited_by
        invitation.created_at = timezone.now()  # auto_now_add only applies on creation
        invitation.save(update_fields=["role", "invited_by", "created_at"])
    emails.envoyer_invitation(
        invitation=invitation,
        jeton=invitation_jeton(invitation),
        expire_le=timezone.now() + DUREE_INVITATION,
    )
    return invitation, creee


@transaction.atomic
def invitation_accepter(*, invitation, user=None, prenom="", nom="", mot_de_passe=None):
    """Joins the invitation's commune with the invited role; an invitation serves once.

    With `user`, that account joins, and it must be the invited address's. Without, an
    account is created for the invited address (whoever already has one must sign in
    instead). A member already there keeps a higher role: an invitation never demotes.
    Returns the membership.
    """
    invitation = (
        InvitationCommune.objects.select_for_update(of=("self",))
        .select_related("commune")
        .get(pk=invitation.pk)
    )
    user = compte_invite(
        invitation=invitation,
        user=user,
        prenom=prenom,
        nom=nom,
        mot_de_passe=mot_de_passe,
        lieu="la commune",
    )

    membre, cree = MembreCommune.objects.select_for_update().get_or_create(
        user=user, commune=invitation.commune, defaults={"role": invitation.role}
    )
    if not cree and RANG[invitation.role] > RANG[membre.role]:
        membre.role = invitation.role
        membre.save(update_fields=["role"])
    maintenant = timezone.now()
    # Older invitations of the same address to the same commune are answered with it.
    InvitationCommune.objects.filter(
        commune=invitation.commune,
        email__iexact=invitation.email,
        accepted_at__isnull=True,
        cancelled_at__isnull=True,
    ).update(accepted_at=maintenant)
    invitation.accepted_at = maintenant
    return membre


@transaction.atomic
def invitation_annuler(*, invitation, by):
    """Cancels a pending invitation to a commune: admins of the commune only."""
    invitation = (
        InvitationCommune.objects.select_for_update(of=("self",))
        .select_related("commune")
        .get(pk=invitation.pk)
    )
    if not can_manage_members(by, invitation.commune):
        raise PermissionDenied("Seuls les administrateurs de la commune annulent une invitation.")
    return invitation_marquer_annulee(invitation, by=by, lieu=invitation.commune.nom)


@transaction.atomic
def membre_changer_role(*, membre, role, by):
    """Gives `membre` another role. Admins of the commune only; the last admin of a
    commune keeps the role (ValidationError)."""
    admins = _admins_verrouilles(membre.commune_id)
    _exiger_admin(admins, by)
    membre = _membre_verrouille(membre)
    if membre.role == role:
        return membre
    if role != Role.ADMIN:
        _refuser_si_dernier_admin(membre, admins, by, geste="changer ce rôle")
    membre.role = role
    membre._history_user = by
    membre.save(update_fields=["role"])
    return membre


@transaction.atomic
def membre_retirer(*, membre, by):
    """Removes `membre` from its commune: an admin removes anyone, a member may leave.
    The last admin of a commune can neither be removed nor leave (ValidationError)."""
    admins = _admins_verrouilles(membre.commune_id)
    membre = _membre_verrouille(membre)
    if membre.user_id != by.pk:
        _exiger_admin(admins, by)
    geste = "quitter la commune" if membre.user_id == by.pk else "le retirer"
    _refuser_si_dernier_admin(membre, admins, by, geste=geste)
    membre._history_user = by
    membre.delete()


@transaction.atomic
def demande_adhesion_creer(*, user, commune, message=""):
    """A person asks to join a commune; platform staff decide. One pending request per
    person and commune (ValidationError on `commune`)."""
    if MembreCommune.objects.filter(user=user, commune=commune).exists():
        raise ValidationError(
            {"commune": ValidationError(f"Vous êtes déjà membre de {commune.nom}.", code="membre")}
        )
    try:
        with transaction.atomic():
            return DemandeAdhesion.objects.create(user=user, commune=commune, message=message)
    except IntegrityError as erreur:  # the database keeps one pending request per pair
        raise ValidationError(
            {
                "commune": ValidationError(
                    f"Vous avez déjà une demande en attente pour {commune.nom} : l'équipe de "
                    "la plateforme vous répondra par e-mail.",
                    code="deja_demandee",
                )
            }
        ) from erreur


@transaction.atomic
def demandes_adhesion_accepter(*, demandes, decided_by):
    """Accepts the pending requests among `demandes`; each requester becomes a reader
    and is told so by email.

    Requests already decided are left untouched. Someone who is already a member keeps
    their role. Returns the number of requests accepted.
    """
    # Locking the rows makes two staff members clicking at once accept a request once.
    en_attente = (
        demandes.select_for_update(of=("self",))
        .filter(statut=StatutDemande.EN_ATTENTE)
        .select_related("user", "commune")
    )
    acceptees = 0
    for demande in en_attente:
        membre, _ = MembreCommune.objects.get_or_create(
            user_id=demande.user_id,
            commune_id=demande.commune_id,
            defaults={"role": Role.LECTEUR},
        )
        demande.statut = StatutDemande.ACCEPTEE
        demande.decided_by = decided_by
        demande.decided_at = timezone.now()
        demande.save(update_fields=["statut", "decided_by", "decided_at"])
        emails.envoyer_demande_acceptee(demande=demande, membre=membre)
        acceptees += 1
    return acceptees


@transaction.atomic
def demandes_refuser(*, demandes, decided_by):
    """Refuses the pending requests among `demandes` (any kind); returns how many."""
    return demandes.filter(statut=StatutDemande.EN_ATTENTE).update(
        statut=StatutDemande.REFUSEE, decided_by=decided_by, decided_at=timezone.now()
    )


@transaction.atomic
def demandes_adhesion_refuser(*, demandes, decided_by):
    """Refuses the pending requests to join a commune among `demandes` and tells each
    requester, politely, by email. Returns how many were refused."""
    en_attente = list(
        demandes.select_for_update(of=("self",))
        .filter(statut=StatutDemande.EN_ATTENTE)
        .select_related("user", "commune")
    )
    demandes_refuser(
        demandes=DemandeAdhesion.objects.filter(pk__in=[d.pk for d in en_attente]),
        decided_by=decided_by,
    )
    for demande in en_attente:
        emails.envoyer_demande_refusee(demande=demande)
    return len(en_attente)


# Signature of a referential and élu référent ------------------------------------------


@transaction.atomic
def signature_enregistrer(
    *,
    commune,
    referentiel,
    date_signature,
    deliberation_numero="",
    deliberation_date=None,
    fichier=None,
    by,
):
    """Records, or corrects, the commune's signature of `referentiel` (one per commune
    and referential). A new PDF is stored under a random name; without one, the PDF
    already there is kept. Returns (signature, created)."""
    if not can_sign_referentiel(by, commune):
        raise PermissionDenied("Seuls les administrateurs de la commune signent pour elle.")
    valeurs = {
        "date_signature": date_signature,
        "deliberation_numero": deliberation_numero,
        "deliberation_date": deliberation_date,
    }
    if fichier is not None:
        # The uploader's file name says nothing we want to publish. The old PDF stays on
        # disk: the signature's history still points to it.
        fichier.name = f"{uuid.uuid4()}.pdf"
        valeurs["deliberation_fichier"] = fichier
    return Signature.objects.update_or_create(
        commune=commune,
        referentiel=referentiel,
        defaults=valeurs,
        create_defaults={**valeurs, "created_by": by},
    )


@transaction.atomic
def referent_enregistrer(*, commune, nom, mandat, depuis=None, by):
    """Names, or updates, the commune's élu référent ESS/IAE. Returns (référent, created)."""
    if not can_edit_referent(by, commune):
        raise PermissionDenied("Seuls les administrateurs de la commune désignent le référent.")
    return EluReferent.objects.update_or_create(
        commune=commune, defaults={"nom": nom, "mandat": mandat, "depuis": depuis}
    )


@transaction.atomic
def referent_retirer(*, commune, by):
    """The commune no longer has an élu référent. Returns whether it had one."""
    if not can_edit_referent(by, commune):
        raise PermissionDenied("Seuls les administrateurs de la commune désignent le référent.")
    supprimes, _ = EluReferent.objects.filter(commune=commune).delete()
    return supprimes > 0


# Rapports PDF --------------------------------------------------------------


def rapport_demander(*, commune, referentiel, by):
    """Creates a report request and queues its build once the transaction commits."""
    from .tasks import rapport_envoyer

    with transaction.atomic():
        rapport = Rapport.objects.create(commune=commune, referentiel=referentiel, requested_by=by)
        rapport_envoyer(rapport)
    return rapport


def rapports_demander(*, communes, by):
    """Queues a report of the guide for each commune given, or every signatory when None."""
    guide = Referentiel.objects.guide()
    if communes is None:
        ids = Signature.objects.filter(referentiel=guide).values_list("commune_id", flat=True)
        communes = Commune.objects.filter(pk__in=ids).order_by("code_insee")
    return [rapport_demander(commune=c, referentiel=guide, by=by) for c in communes]


def rapport_publier(*, rapport, publie):
    """Publishes (or withdraws) a ready report; the scorecard links to the latest published."""
    if publie and rapport.statut != StatutRapport.PRET:
        raise ValueError("Seul un rapport prêt peut être publié.")
    rapport.publie = publie
    rapport.published_at = timezone.now() if publie else None
    rapport.save(update_fields=["publie", "published_at"])
    return rapport
