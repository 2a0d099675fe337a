"""The structures' member area, under /espace/structures/: finding and claiming a
structure, creating one, its dashboard, its profile, its members and invitations, and
the staff page of claims on structures without an administrator.

Views check rights and forms; structures/services.py writes. Every request that
changes data runs in one transaction.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from commune.concurrence import ConflitDeVersion, conflit_preparer
from commune.enums import StatutDemande
from commune.forms import CompteInvitationForm
from commune.services import InvitationInutilisable

from . import historique, perms, services
from .completion import completion
from .forms import (
    AdministrateurForm,
    CreationStructureForm,
    DemandeRattachementForm,
    InvitationForm,
    ProfilForm,
    RechercheStructureForm,
)
from .models import (
    DemandeRattachement,
    InvitationStructure,
    MembreStructure,
    Structure,
    relations_du_profil,
)

GET_OU_POST = require_http_methods(["GET", "HEAD", "POST"])
MODELE_COMPTES = "django.contrib.auth.backends.ModelBackend"
RESULTATS_RECHERCHE = 20
DEMANDES_PAR_PAGE = 25


def _vers_membres(structure):
    return redirect("espace:structures_espace:membres", structure.siret)


# Finding, claiming, creating -----------------------------------------------------------------


def _rechercher(recherche, user):
    """The structures matching the search, published or not, with what the user may do."""
    if recherche.siret:
        condition = Q(siret=recherche.siret)
    else:
        q = recherche.cleaned_data["q"]
        condition = Q(nom__icontains=q) | Q(enseigne__icontains=q)
    return list(
        Structure.objects.filter(condition)
        .select_related("type", "commune__departement")
        .annotate(
            est_membre=Exists(MembreStructure.objects.filter(structure=OuterRef("pk"), user=user)),
            demande_en_attente=Exists(
                DemandeRattachement.objects.filter(
                    structure=OuterRef("pk"), user=user, statut=StatutDemande.EN_ATTENTE
                )
            ),
        )
        .order_by("nom", "pk")[:RESULTATS_RECHERCHE]
    )


@login_required
@require_safe
def accueil(request):
    """My structures, my pending claims, and the search to claim or create one."""
    recherche = RechercheStructureForm(request.GET if "q" in request.GET else None)
    resultats = _rechercher(recherche, request.user) if recherche.is_valid() else None
    contexte = {
        "recherche": recherche,
        "resultats": resultats,
        "limite": RESULTATS_RECHERCHE,
        "siret_cherche": getattr(recherche, "siret", None),
        "adhesions": MembreStructure.objects.filter(user=request.user)
        .select_related("structure__commune")
        .order_by("structure__nom"),
        "en_attente": DemandeRattachement.objects.filter(
            user=request.user, statut=StatutDemande.EN_ATTENTE
        )
        .select_related("structure__commune")
        .order_by("-created_at"),
    }
    return render(request, "structures/espace/accueil.html", contexte)


@login_required
@GET_OU_POST
@transaction.atomic
def revendiquer(request, pk):
    """Anyone signed in asks to join a structure. Of a structure not yet public, the
    page shows its name and city, nothing more."""
    structure = get_object_or_404(Structure.objects.select_related("commune"), pk=pk)
    form = DemandeRattachementForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            services.demande_rattachement_creer(
                user=request.user, structure=structure, message=form.cleaned_data["message"]
            )
        except ValidationError as erreur:
            form.add_error(None, erreur)
        else:
            qui = (
                "ses administrateurs"
                if services.admins_de(structure)
                else "l'équipe de la plateforme"
            )
            messages.success(
                request,
                f"Votre demande de rattachement à {structure} est envoyée : {qui} vous "
                "répondront par e-mail.",
            )
            return redirect("espace:structures_espace:accueil")
    return render(
        request, "structures/espace/revendiquer.html", {"structure": structure, "form": form}
    )


@login_required
@GET_OU_POST
@transaction.atomic
def creer(request):
    """A structure missing from the directory: whoever creates it becomes its admin."""
    if request.method == "POST":
        form = CreationStructureForm(request.POST)
        if form.is_valid():
            try:
                structure = services.structure_creer(user=request.user, **form.cleaned_data)
            except ValidationError as erreur:
                form.add_error(None, erreur)
            else:
                messages.success(
                    request,
                    f"La fiche de {structure} est créée et vous en êtes l'administrateur. "
                    "Complétez-la : elle paraîtra dans l'annuaire une fois la structure "
                    "vérifiée par l'équipe de la plateforme.",
                )
                return redirect("espace:structures_espace:profil", structure.siret)
    else:
        form = CreationStructureForm(initial={"siret": request.GET.get("siret", "")[:20]})
    return render(request, "structures/espace/creer.html", {"form": form})


# The structure's dashboard and profile ---------------------------------------------------------


def _avec_profil(structure):
    """`structure`, as structure_pour loaded it, with the relations its profile shows."""
    prefetch_related_objects([structure], *relations_du_profil())
    return structure


@login_required
@require_safe
def tableau_de_bord(request, siret):
    structure = _avec_profil(perms.structure_pour(request.user, siret))
    peut_gerer = perms.can_manage_members(request.user, structure)
    contexte = {
        "structure": structure,
        "adhesion": perms.adhesion(request.user, structure),
        "peut_modifier": perms.can_edit_profile(request.user, structure),
        "peut_gerer": peut_gerer,
        "completion": completion(structure),
        "demandes_en_attente": (
            DemandeRattachement.objects.filter(
                structure=structure, statut=StatutDemande.EN_ATTENTE
            ).count()
            if peut_gerer
            else 0
        ),
        "modifications": historique.modifications(structure),
    }
    return render(request, "structures/espace/tableau_de_bord.html", contexte)


@login_required
@GET_OU_POST
@transaction.atomic
def profil(request, siret):
    """Members edit the profile; the whole form is one change of the history."""
    structure = _avec_profil(perms.structure_pour(request.user, siret, perms.can_edit_profile))
    conflit = None
    if request.method == "POST":
        form = ProfilForm(request.POST, request.FILES, instance=structure)
        if form.is_valid():
            donnees = form.cleaned_data
            valeurs = {nom: donnees[nom] for nom in services.CHAMPS_PROFIL if nom in form.fields}
            relations = {nom: donnees[nom] for nom in services.RELATIONS_PROFIL}
            try:
                modifies = services.profil_enregistrer(
                    structure=structure,
                    valeurs=valeurs,
                    relations=relations,
                    logo=donnees["logo"],
                    supprimer_logo=donnees.get("supprimer_logo", False),
                    by=request.user,
                    version=form.version_lue(),
                )
            except ConflitDeVersion as refus:
                conflit = conflit_preparer(refus, form, {**valeurs, **relations})
            except ValidationError as erreur:
                form.add_error(None, erreur)
            else:
                if modifies:
                    messages.success(request, "Fiche enregistrée.")
                else:
                    messages.info(request, "Aucune modification : la fiche est inchangée.")
                siret = donnees.get("siret") or structure.siret
                return redirect("espace:structures_espace:profil", siret)
        # The page shows the profile as saved, beside the refused input.
        structure = _avec_profil(
            perms.structure_pour(request.user, structure.siret, perms.can_edit_profile)
        )
    else:
        form = ProfilForm(instance=structure)
    contexte = {
        "structure": structure,
        "form": form,
        "completion": completion(structure),
        "conflit": conflit,
    }
    return render(
        request, "structures/espace/profil.html", contexte, status=409 if conflit else 200
    )


# Members ------------------------------------------------------------------------------------


def _formulaire_admin(membre):
    return AdministrateurForm(
        prefix=f"membre-{membre.pk}", initial={"est_admin": "oui" if membre.est_admin else "non"}
    )


def _afficher_membres(request, structure, *, formulaire_invitation=None, erreur=None):
    """The members page; after a refused change, with the refused form or message."""
    peut_gerer = perms.can_manage_members(request.user, structure)
    membres = list(
        MembreStructure.objects.filter(structure=structure)
        .select_related("user")
        .order_by("-est_admin", "user__last_name", "user__first_name", "pk")
    )
    invitations, demandes = [], []
    if peut_gerer:
        maintenant = timezone.now()
        invitations = list(
            InvitationStructure.objects.filter(
                structure=structure, accepted_at__isnull=True, cancelled_at__isnull=True
            )
            .select_related("invited_by")
            .order_by("-created_at")
        )
        for invitation in invitations:
            invitation.expire_le = invitation.created_at + services.DUREE_INVITATION
            invitation.expiree = invitation.expire_le <= maintenant
        demandes = list(
            DemandeRattachement.objects.filter(structure=structure, statut=StatutDemande.EN_ATTENTE)
            .select_related("user")
            .order_by("created_at", "pk")
        )
    contexte = {
        "structure": structure,
        "peut_gerer": peut_gerer,
        "membres": membres,
        "mon_adhesion": next((m for m in membres if m.user_id == request.user.pk), None),
        "invitations": invitations,
        "demandes": demandes,
        "formulaire_invitation": formulaire_invitation or InvitationForm(),
        "erreur": erreur,
    }
    return render(request, "structures/espace/membres.html", contexte)


@login_required
@require_safe
def membres(request, siret):
    """Any member, and staff, see who the members are; only admins see their addresses."""
    structure = perms.structure_pour(request.user, siret)
    return _afficher_membres(request, structure)


@login_required
@require_POST
@transaction.atomic
def inviter(request, siret):
    structure = perms.structure_pour(request.user, siret, perms.can_manage_members)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation, creee = services.invitation_creer(
                structure=structure,
                email=form.cleaned_data["email"],
                est_admin=form.cleaned_data["est_admin"],
                invited_by=request.user,
            )
        except ValidationError as erreur:
            form.add_error(None, erreur)
        else:
            verbe = "envoyée" if creee else "renvoyée"
            messages.success(request, f"Invitation {verbe} à {invitation.email}.")
            return _vers_membres(structure)
    return _afficher_membres(request, structure, formulaire_invitation=form)


@login_required
@GET_OU_POST
@transaction.atomic
def invitation_annuler(request, siret, pk):
    """Admins cancel a pending invitation, and its link with it; a GET asks for
    confirmation."""
    structure = perms.structure_pour(request.user, siret, perms.can_manage_members)
    invitation = get_object_or_404(
        InvitationStructure,
        pk=pk,
        structure=structure,
        accepted_at__isnull=True,
        cancelled_at__isnull=True,
    )
    erreur = None
    if request.method == "POST":
        try:
            services.invitation_annuler(invitation=invitation, by=request.user)
        except ValidationError as refus:  # accepted in the meantime
            erreur = refus.messages[0]
        else:
            messages.success(
                request,
                f"L'invitation de {invitation.email} est annulée : son lien ne fonctionne plus.",
            )
            return _vers_membres(structure)
    return render(
        request,
        "structures/espace/invitation_annuler.html",
        {"structure": structure, "invitation": invitation, "erreur": erreur},
    )


def _membre_ou_404(structure, pk):
    return get_object_or_404(
        MembreStructure.objects.select_related("user", "structure"), pk=pk, structure=structure
    )


@login_required
@require_POST
@transaction.atomic
def administrateur(request, siret, pk):
    """Admins make a member an admin, or an admin a plain member."""
    structure = perms.structure_pour(request.user, siret, perms.can_manage_members)
    membre = _membre_ou_404(structure, pk)
    form = AdministrateurForm(request.POST, prefix=f"membre-{membre.pk}")
    if not form.is_valid():
        return _afficher_membres(
            request, structure, erreur="Choisissez « Administrateur » ou « Membre »."
        )
    try:
        membre = services.membre_changer_admin(
            membre=membre, est_admin=form.cleaned_data["est_admin"], by=request.user
        )
    except MembreStructure.DoesNotExist as absent:  # removed in the meantime
        raise Http404("Membre introuvable.") from absent
    except ValidationError as refus:
        return _afficher_membres(request, structure, erreur=refus.messages[0])
    role = "administrateur" if membre.est_admin else "membre sans droits d'administration"
    messages.success(request, f"{membre.user.nom_affiche} est désormais {role}.")
    return _vers_membres(structure)


def _seul_admin(membre):
    """Whether `membre` is its structure's only admin: the confirmation page says so at
    once. The service checks it again, under lock, when the form is sent."""
    return (
        membre.est_admin
        and not MembreStructure.objects.filter(structure_id=membre.structure_id, est_admin=True)
        .exclude(pk=membre.pk)
        .exists()
    )


def _retirer(request, structure, membre, *, soi_meme):
    nom = membre.user.nom_affiche
    contexte = {
        "structure": structure,
        "membre": membre,
        "titre": "Quitter la structure" if soi_meme else f"Retirer {nom}",
        "question": (
            f"Voulez-vous quitter l'espace de {structure} ? Pour y revenir, il faudra qu'un "
            "administrateur vous invite de nouveau."
            if soi_meme
            else f"Voulez-vous retirer {nom} des membres de {structure} ?"
        ),
        "bouton": "Quitter la structure" if soi_meme else f"Retirer {nom}",
        "erreur": None,
    }
    if request.method == "POST":
        try:
            services.membre_retirer(membre=membre, by=request.user)
        except MembreStructure.DoesNotExist as absent:
            raise Http404("Membre introuvable.") from absent
        except ValidationError as refus:
            contexte["erreur"] = refus.messages[0]
        else:
            if soi_meme:
                messages.success(request, f"Vous avez quitté {structure}.")
                return redirect("espace:accueil")
            messages.success(request, f"{nom} a été retiré(e) des membres.")
            return _vers_membres(structure)
    elif _seul_admin(membre):
        qui = "Vous êtes" if soi_meme else f"{nom} est"
        geste = "quitter la structure" if soi_meme else "le retirer"
        contexte["erreur"] = (
            f"{qui} le dernier administrateur de {structure} : nommez d'abord un autre "
            f"administrateur avant de {geste}."
        )
    return render(request, "structures/espace/retirer.html", contexte)


@login_required
@GET_OU_POST
@transaction.atomic
def retirer(request, siret, pk):
    """Admins remove a member; a GET asks for confirmation."""
    structure = perms.structure_pour(request.user, siret, perms.can_manage_members)
    membre = _membre_ou_404(structure, pk)
    return _retirer(request, structure, membre, soi_meme=membre.user_id == request.user.pk)


@login_required
@GET_OU_POST
@transaction.atomic
def quitter(request, siret):
    """Any member may leave the structure, except its last admin."""
    structure = perms.structure_pour(request.user, siret, perms.can_edit_profile)
    membre = get_object_or_404(
        MembreStructure.objects.select_related("user", "structure"),
        user=request.user,
        structure=structure,
    )
    return _retirer(request, structure, membre, soi_meme=True)


# Claims decided by the structure's admins --------------------------------------------------


def _decider(request, demande, *, accepter):
    try:
        decidee = services.demande_rattachement_decider(
            demande=demande, accepter=accepter, by=request.user
        )
    except PermissionDenied:
        messages.warning(
            request,
            f"{demande.structure} a désormais un administrateur : c'est à lui de décider.",
        )
        return False
    if decidee:
        participe = "acceptée" if accepter else "refusée"
        messages.success(
            request,
            f"Demande de {demande.user.nom_affiche} pour {demande.structure} {participe} : "
            "un e-mail l'en informe.",
        )
    else:
        messages.warning(request, "Cette demande avait déjà été traitée : rien n'a changé.")
    return True


def _demande_de_la_structure(request, siret, pk):
    structure = perms.structure_pour(request.user, siret, perms.can_manage_members)
    demande = get_object_or_404(
        DemandeRattachement.objects.select_related("user", "structure"),
        pk=pk,
        structure=structure,
    )
    return structure, demande


@login_required
@require_POST
@transaction.atomic
def demande_accepter(request, siret, pk):
    structure, demande = _demande_de_la_structure(request, siret, pk)
    _decider(request, demande, accepter=True)
    return _vers_membres(structure)


@login_required
@require_POST
@transaction.atomic
def demande_refuser(request, siret, pk):
    structure, demande = _demande_de_la_structure(request, siret, pk)
    _decider(request, demande, accepter=False)
    return _vers_membres(structure)


# Claims decided by platform staff ---------------------------------------------------------------


def _exiger_staff(user):
    if not user.is_staff:
        raise Http404("Page introuvable.")


def _sans_admin():
    return ~Exists(MembreStructure.objects.filter(structure=OuterRef("structure"), est_admin=True))


@login_required
@require_safe
def demandes(request):
    """Platform staff decide on claims of structures that have no administrator; to
    anyone else, no such page."""
    _exiger_staff(request.user)
    en_attente = (
        DemandeRattachement.objects.filter(_sans_admin(), statut=StatutDemande.EN_ATTENTE)
        .select_related("user", "structure__commune__departement", "structure__type")
        .order_by("created_at", "pk")
    )
    page = Paginator(en_attente, DEMANDES_PAR_PAGE).get_page(request.GET.get("page"))
    contexte = {
        "page_obj": page,
        "is_paginated": page.has_other_pages(),
        "parametres": "",
        "demandes": page.object_list,
    }
    return render(request, "structures/espace/demandes.html", contexte)


def _decider_staff(request, pk, *, accepter):
    _exiger_staff(request.user)
    demande = get_object_or_404(
        DemandeRattachement.objects.select_related("user", "structure"), pk=pk
    )
    _decider(request, demande, accepter=accepter)
    suite = reverse("espace:structures_espace:demandes")
    if page := request.POST.get("page", "").strip():
        suite += "?" + urlencode({"page": page})
    return redirect(suite)


@login_required
@require_POST
@transaction.atomic
def staff_demande_accepter(request, pk):
    return _decider_staff(request, pk, accepter=True)


@login_required
@require_POST
@transaction.atomic
def staff_demande_refuser(request, pk):
    return _decider_staff(request, pk, accepter=False)


# Invitations ------------------------------------------------------------------------------


def _invitation_inutilisable(request, erreur):
    return render(
        request,
        "structures/espace/invitation_inutilisable.html",
        {"message": erreur.message},
        status=erreur.status,
    )


def _bienvenue(request, membre):
    role = "administrateur" if membre.est_admin else "membre"
    messages.success(
        request, f"Bienvenue dans l'espace de {membre.structure} : vous en êtes {role}."
    )
    return redirect("espace:structures_espace:tableau_de_bord", membre.structure.siret)


@GET_OU_POST
@transaction.atomic
def invitation(request, jeton):
    """The link of an invitation email. Whoever has no account creates one here; whoever
    has one signs in as that account, then joins with one button."""
    try:
        invitation = services.invitation_depuis_jeton(jeton)
    except InvitationInutilisable as erreur:
        return _invitation_inutilisable(request, erreur)
    contexte = {"invitation": invitation, "structure": invitation.structure}
    if request.user.is_authenticated and request.user.email.lower() != invitation.email.lower():
        return render(
            request, "structures/espace/invitation_autre_compte.html", contexte, status=403
        )

    a_un_compte = get_user_model().objects.filter(email__iexact=invitation.email).exists()
    if not a_un_compte:
        form = CompteInvitationForm(
            request.POST if request.method == "POST" else None, email=invitation.email
        )
        if form.is_valid():
            try:
                with transaction.atomic():
                    membre = services.invitation_accepter(
                        invitation=invitation,
                        prenom=form.cleaned_data["prenom"],
                        nom=form.cleaned_data["nom"],
                        mot_de_passe=form.cleaned_data["mot_de_passe"],
                    )
                    # The account was just made with its password: the model backend
                    # vouches for it (several backends are configured, so it is named).
                    login(request, membre.user, backend=MODELE_COMPTES)
            except InvitationInutilisable as erreur:
                return _invitation_inutilisable(request, erreur)
            except ValidationError as erreur:
                form.add_error(None, erreur)
            else:
                return _bienvenue(request, membre)
        return render(
            request, "structures/espace/invitation_compte.html", {**contexte, "form": form}
        )

    if not request.user.is_authenticated:
        url_connexion = reverse("comptes:connexion") + "?" + urlencode({"next": request.path})
        return render(
            request,
            "structures/espace/invitation_connexion.html",
            {**contexte, "url_connexion": url_connexion},
        )

    if request.method == "POST":
        try:
            membre = services.invitation_accepter(invitation=invitation, user=request.user)
        except InvitationInutilisable as erreur:
            return _invitation_inutilisable(request, erreur)
        return _bienvenue(request, membre)
    return render(request, "structures/espace/invitation_rejoindre.html", contexte)
