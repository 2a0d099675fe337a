"""Writes on structures that touch several rows or models: keyword-only `<thing>_<verb>`."""

import csv
import itertools
import re
import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from commune import cache
from commune import perms as perms_commune
from commune.enums import StatutDemande
from commune.models import Commune, Departement
from commune.services import (
    DUREE_INVITATION,
    compte_invite,
    invitation_lire,
    jeton_signer,
)

from . import emails, perms
from .models import (
    DemandeRattachement,
    InvitationStructure,
    MembreStructure,
    Soutien,
    Structure,
    TypeStructure,
)
from .siret import message_siret_invalide, siret_normalise

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
    invitation = (
        InvitationStructure.objects.select_for_update()
        .filter(structure=structure, email__iexact=email, accepted_at__isnull=True)
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
        structure=invitation.structure, email__iexact=invitation.email, accepted_at__isnull=True
    ).update(accepted_at=maintenant)
    invitation.accepted_at = maintenant
    perms.oublier_adhesions(user)
    return membre


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
def profil_enregistrer(*, structure, valeurs, relations, by, logo=None, supprimer_logo=False):
    """Saves the profile of `structure` as one change of its history, by `by`.

    `valeurs` maps fields of CHAMPS_PROFIL to their new value, `relations` fields of
    RELATIONS_PROFIL to their new objects; `logo` is a prepared file (structures.logos).
    A figure that changes gets today as its date; one that is cleared loses its date.
    Nothing is saved, and no history is written, when nothing changed. Returns the
    names of the changed fields.
    """
    if not perms.can_edit_profile(by, structure):
        raise PermissionDenied("Seuls les membres de la structure modifient sa fiche.")
    # Locked: two members saving at once are served one after the other.
    structure = Structure.objects.select_for_update().get(pk=structure.pk)
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


# Import of the national list -------------------------------------------------------------

TAILLE_LOT = 500
RAISON_IMPORT = "Import de la liste nationale des structures"

# Column of the file → field. English and French headers, compared without accents,
# case, spaces or hyphens.
COLONNES = {
    "siret": "siret",
    "kind": "type",
    "type": "type",
    "name": "nom",
    "nom": "nom",
    "brand": "enseigne",
    "enseigne": "enseigne",
    "address": "adresse",
    "adresse": "adresse",
    "post_code": "code_postal",
    "postcode": "code_postal",
    "postal_code": "code_postal",
    "code_postal": "code_postal",
    "city": "ville",
    "ville": "ville",
    "departement": "departement",
    "department": "departement",
    "email": "email",
    "e_mail": "email",
    "courriel": "email",
    "phone": "telephone",
    "telephone": "telephone",
    "website": "site_web",
    "site_web": "site_web",
}
COLONNES_OBLIGATOIRES = ("siret", "type", "nom")
# Fields of the structure that the file may set, when it has their column.
CHAMPS_IMPORTES = ("nom", "enseigne", "adresse", "code_postal", "email", "telephone", "site_web")


@dataclass
class RapportImport:
    """What an import did, or would do in a dry run."""

    creees: int = 0
    mises_a_jour: int = 0
    inchangees: int = 0
    rejets: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    erreurs: list[str] = field(default_factory=list)  # the file itself is unusable
    ecrit: bool = False

    @property
    def rejetees(self):
        return len(self.rejets)

    def lignes_rejetees(self):
        """« ligne 12 : raison », in the order of the file."""
        return [f"ligne {numero} : {raison}" for numero, raison in sorted(self.rejets)]


def _nom_de_colonne(nom):
    sans_accents = unicodedata.normalize("NFKD", (nom or "").lstrip("\ufeff"))
    sans_accents = "".join(c for c in sans_accents if not unicodedata.combining(c))
    return re.sub(r"[\s\-]+", "_", sans_accents.strip().lower())


def _separateur(premiere_ligne):
    return ";" if premiere_ligne.count(";") > premiere_ligne.count(",") else ","


def _code_departement(valeur):
    valeur = valeur.strip().upper()
    return valeur.zfill(2) if valeur.isdigit() and len(valeur) == 1 else valeur


@dataclass
class _LigneStructure:
    numero: int
    siret: str
    type: TypeStructure
    valeurs: dict
    departement: Departement | None
    ville: str


def _lire_structures(lignes, rapport):
    """Parses and checks every row: the valid ones are returned, the others are
    reported as rejected with their line number and reason."""
    lignes = iter(lignes)
    premiere = next(lignes, "")
    if not premiere.strip():
        rapport.erreurs.append("Le fichier est vide.")
        return [], set()
    lecteur = csv.reader(itertools.chain([premiere], lignes), delimiter=_separateur(premiere))
    entete = next(lecteur)
    colonnes = {}
    for rang, nom in enumerate(entete):
        champ = COLONNES.get(_nom_de_colonne(nom))
        if champ is not None and champ not in colonnes:
            colonnes[champ] = rang
    manquantes = [nom for nom in COLONNES_OBLIGATOIRES if nom not in colonnes]
    if manquantes:
        rapport.erreurs.append(
            f"ligne 1 : colonne obligatoire absente : {', '.join(manquantes)} (colonnes "
            "attendues : siret, kind ou type, name ou nom, et facultatives brand/enseigne, "
            "address/adresse, post code/code_postal, city/ville, département, email, "
            "phone/telephone, website/site_web)"
        )
        return [], set()

    types = {t.code.upper(): t for t in TypeStructure.objects.all()}
    departements = {d.code: d for d in Departement.objects.all()}
    valider_email, valider_url = EmailValidator(), URLValidator(schemes=["http", "https"])
    longueurs = {nom: Structure._meta.get_field(nom).max_length for nom in CHAMPS_IMPORTES}
    vus, valides = {}, []
    for rangee in lecteur:
        numero = lecteur.line_num
        if not any(cellule.strip() for cellule in rangee):
            continue
        brut = {
            champ: (rangee[rang].strip() if rang < len(rangee) else "")
            for champ, rang in colonnes.items()
        }
        raisons = []
        siret = siret_normalise(brut["siret"])
        if probleme := message_siret_invalide(brut["siret"]):
            raisons.append(probleme)
        elif siret in vus:
            raisons.append(f"SIRET {siret} en double (déjà ligne {vus[siret]})")
        else:
            vus[siret] = numero
        type_ = types.get(brut["type"].upper())
        if type_ is None:
            raisons.append(
                f"type « {brut['type']} » inconnu (attendu : {', '.join(sorted(types))})"
            )
        if not brut["nom"]:
            raisons.append("nom vide")
        departement = None
        if code := _code_departement(brut.get("departement", "")):
            departement = departements.get(code)
            if departement is None:
                raisons.append(f"département « {brut['departement']} » inconnu")
        valeurs = {nom: brut[nom] for nom in CHAMPS_IMPORTES if nom in brut}
        if valeurs.get("code_postal") and not re.fullmatch(r"[0-9]{5}", valeurs["code_postal"]):
            raisons.append(f"code postal « {valeurs['code_postal']} » invalide (5 chiffres)")
        if valeurs.get("email"):
            try:
                valider_email(valeurs["email"])
            except ValidationError:
                raisons.append(f"adresse e-mail « {valeurs['email']} » invalide")
        if site := valeurs.get("site_web"):
            if "://" not in site:
                site = valeurs["site_web"] = f"https://{site}"
            try:
                valider_url(site)
            except ValidationError:
                raisons.append(f"site web « {brut['site_web']} » invalide")
        raisons += [
            f"{nom.replace('_', ' ')} trop long ({len(valeur)} caractères, "
            f"{longueurs[nom]} au plus)"
            for nom, valeur in valeurs.items()
            if len(valeur) > longueurs[nom]
        ]
        if raisons:
            rapport.rejets.append((numero, " ; ".join(raisons)))
            continue
        valides.append(
            _LigneStructure(numero, siret, type_, valeurs, departement, brut.get("ville", ""))
        )
    return valides, {ligne.departement.pk for ligne in valides if ligne.departement}


def _communes_par_nom(departements):
    """{(département pk, slug of the name): [commune pk, …]} for the given départements."""
    index = {}
    for pk, nom, departement_id in (
        Commune.objects.actuelles()
        .filter(departement_id__in=departements)
        .values_list("pk", "nom", "departement_id")
    ):
        index.setdefault((departement_id, slugify(nom)), []).append(pk)
    return index


def structures_importer(*, fichier, ecrire: bool, verifiees: bool = False) -> RapportImport:
    """Creates or updates structures from the national open-data list, keyed by
    (SIRET, type).

    `fichier` is an open text file, or any iterable of lines. A bad row is rejected
    and reported with its line number and reason; a SIRET already known with another
    type is rejected too. The commune is found from the city and the département when
    exactly one commune matches, else it is left as it is. New structures are not
    verified unless `verifiees`, which also marks the updated ones verified. Nothing is
    written unless `ecrire`; everything is written in one transaction.
    """
    rapport = RapportImport()
    lignes, departements = _lire_structures(fichier, rapport)
    if rapport.erreurs:
        return rapport
    communes = _communes_par_nom(departements)
    existantes = {
        s.siret: s
        for s in Structure.objects.filter(siret__in=[ligne.siret for ligne in lignes])
        .select_related("type")
        .order_by()
    }
    maintenant = timezone.now()
    a_creer, a_mettre_a_jour, champs_modifies = [], [], set()
    for ligne in lignes:
        commune_id = None
        if ligne.departement is not None and ligne.ville:
            candidates = communes.get((ligne.departement.pk, slugify(ligne.ville)), [])
            commune_id = candidates[0] if len(candidates) == 1 else None
        structure = existantes.get(ligne.siret)
        if structure is None:
            a_creer.append(
                Structure(
                    siret=ligne.siret,
                    type=ligne.type,
                    commune_id=commune_id,
                    verifiee=verifiees,
                    created_at=maintenant,
                    updated_at=maintenant,
                    **ligne.valeurs,
                )
            )
            continue
        if structure.type_id != ligne.type.pk:
            rapport.rejets.append(
                (
                    ligne.numero,
                    f"le SIRET {ligne.siret} est déjà dans l'annuaire avec le type "
                    f"{structure.type.code}, pas {ligne.type.code}",
                )
            )
            continue
        cibles = dict(ligne.valeurs)
        if commune_id is not None:
            cibles["commune_id"] = commune_id
        if verifiees:
            cibles["verifiee"] = True
        differents = [nom for nom, valeur in cibles.items() if getattr(structure, nom) != valeur]
        if not differents:
            rapport.inchangees += 1
            continue
        for nom in differents:
            setattr(structure, nom, cibles[nom])
        structure.updated_at = maintenant  # bulk_update skips auto_now
        champs_modifies.update(differents)
        a_mettre_a_jour.append(structure)
    rapport.creees = len(a_creer)
    rapport.mises_a_jour = len(a_mettre_a_jour)
    if not ecrire:
        return rapport
    with transaction.atomic():
        # Bulk writes send no signal: scorecards list the structures of their commune.
        transaction.on_commit(cache.invalider_tout)
        bulk_create_with_history(
            a_creer,
            Structure,
            batch_size=TAILLE_LOT,
            default_change_reason=RAISON_IMPORT,
            default_date=maintenant,
        )
        if a_mettre_a_jour:
            bulk_update_with_history(
                a_mettre_a_jour,
                Structure,
                sorted(champ.removesuffix("_id") for champ in champs_modifies) + ["updated_at"],
                batch_size=TAILLE_LOT,
                default_change_reason=RAISON_IMPORT,
                default_date=maintenant,
            )
    rapport.ecrit = True
    return rapport
