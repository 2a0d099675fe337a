"""Members of a commune: the list, invitations, roles, requests to join, the signature
of a referential and the élu référent. Views check rights and forms; services write."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from axes.models import Referentiel, Signature

from . import perms, services
from .enums import Role, StatutDemande
from .forms import (
    CompteInvitationForm,
    DemandeAdhesionForm,
    InvitationForm,
    RechercheCommuneForm,
    ReferentForm,
    RoleForm,
    SignatureForm,
)
from .models import (
    Commune,
    DemandeAdhesion,
    EluReferent,
    InvitationCommune,
    MembreCommune,
    condition_de_recherche,
)

GET_OU_POST = require_http_methods(["GET", "HEAD", "POST"])
MODELE_COMPTES = "django.contrib.auth.backends.ModelBackend"
RESULTATS_RECHERCHE = 20
DEMANDES_PAR_PAGE = 25

# Admins first, then éditeurs, then lecteurs.
RANG_DU_ROLE = Case(
    *(When(role=role, then=Value(rang)) for role, rang in perms.RANG.items()),
    output_field=IntegerField(),
)


def _vers_liste(commune):
    return redirect("espace:membres:liste", commune.code_insee)


# The members page --------------------------------------------------------------------


def _formulaire_role(membre, donnees=None):
    return RoleForm(donnees, prefix=f"membre-{membre.pk}", initial={"role": membre.role})


def _afficher_liste(
    request, commune, *, formulaire_invitation=None, formulaire_role=None, membre_en_erreur=None
):
    """The members page; after a refused change, with the refused form and its errors."""
    peut_gerer = perms.can_manage_members(request.user, commune)
    membres = list(
        MembreCommune.objects.filter(commune=commune)
        .select_related("user")
        .alias(rang=RANG_DU_ROLE)
        .order_by("-rang", "user__last_name", "user__first_name", "pk")
    )
    lignes = [
        (
            membre,
            (
                formulaire_role
                if membre.pk == membre_en_erreur
                else _formulaire_role(membre)
                if peut_gerer
                else None
            ),
        )
        for membre in membres
    ]
    invitations = []
    if peut_gerer:
        maintenant = timezone.now()
        invitations = list(
            InvitationCommune.objects.filter(
                commune=commune, accepted_at__isnull=True, cancelled_at__isnull=True
            )
            .select_related("invited_by")
            .order_by("-created_at")
        )
        for invitation in invitations:
            invitation.expire_le = invitation.created_at + services.DUREE_INVITATION
            invitation.expiree = invitation.expire_le <= maintenant
    contexte = {
        "commune": commune,
        "peut_gerer": peut_gerer,
        "peut_signer": perms.can_sign_referentiel(request.user, commune),
        "peut_designer": perms.can_edit_referent(request.user, commune),
        "lignes": lignes,
        "mon_adhesion": next((m for m in membres if m.user_id == request.user.pk), None),
        "invitations": invitations,
        "formulaire_invitation": formulaire_invitation or InvitationForm(),
        "formulaire_en_erreur": formulaire_invitation or formulaire_role,
        "signatures": Signature.objects.filter(commune=commune)
        .select_related("referentiel")
        .order_by("referentiel__type", "-date_signature"),
        "referent": EluReferent.objects.filter(commune=commune).first(),
    }
    return render(request, "commune/membres/liste.html", contexte)


@login_required
@require_safe
def liste(request, code_insee):
    """Any member, and staff, see who the members are; only admins see their addresses."""
    commune = perms.commune_pour(request.user, code_insee)
    return _afficher_liste(request, commune)


@login_required
@require_POST
def inviter(request, code_insee):
    commune = perms.commune_pour(request.user, code_insee, perms.can_manage_members)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation, creee = services.invitation_creer(
                commune=commune,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ValidationError as erreur:
            form.add_error(None, erreur)
        else:
            verbe = "envoyée" if creee else "renvoyée"
            messages.success(request, f"Invitation {verbe} à {invitation.email}.")
            return _vers_liste(commune)
    return _afficher_liste(request, commune, formulaire_invitation=form)


@login_required
@require_POST
def changer_role(request, code_insee, pk):
    commune = perms.commune_pour(request.user, code_insee, perms.can_manage_members)
    membre = get_object_or_404(MembreCommune.objects.select_related("user"), pk=pk, commune=commune)
    form = _formulaire_role(membre, request.POST)
    if form.is_valid():
        try:
            membre = services.membre_changer_role(
                membre=membre, role=form.cleaned_data["role"], by=request.user
            )
        except MembreCommune.DoesNotExist as erreur:  # removed in the meantime
            raise Http404("Membre introuvable.") from erreur
        except ValidationError as erreur:
            form.add_error("role", erreur)
        else:
            messages.success(
                request,
                f"Rôle modifié : {membre.user.nom_affiche} est désormais "
                f"{membre.get_role_display().lower()}.",
            )
            return _vers_liste(commune)
    return _afficher_liste(request, commune, formulaire_role=form, membre_en_erreur=membre.pk)


def _seul_admin(membre):
    """Whether `membre` is its commune's only admin: the confirmation page says so at once.
    The service checks it again, under lock, when the form is sent."""
    return (
        membre.role == Role.ADMIN
        and not MembreCommune.objects.filter(commune_id=membre.commune_id, role=Role.ADMIN)
        .exclude(pk=membre.pk)
        .exists()
    )


def _retirer(request, commune, membre, *, contexte, suite):
    erreur = None
    if request.method == "POST":
        try:
            services.membre_retirer(membre=membre, by=request.user)
        except MembreCommune.DoesNotExist as exc:
            raise Http404("Membre introuvable.") from exc
        except ValidationError as exc:
            erreur = exc.messages[0]
        else:
            messages.success(request, contexte["succes"])
            return redirect(suite)
    elif _seul_admin(membre):
        erreur = (
            f"{contexte['qui']} le dernier administrateur de {commune.nom} : nommez d'abord "
            f"un autre administrateur avant de {contexte['geste']}."
        )
    return render(
        request,
        "commune/membres/retirer.html",
        {**contexte, "commune": commune, "membre": membre, "erreur": erreur},
    )


@login_required
@GET_OU_POST
def retirer(request, code_insee, pk):
    """Admins remove a member; a GET asks for confirmation."""
    commune = perms.commune_pour(request.user, code_insee, perms.can_manage_members)
    membre = get_object_or_404(MembreCommune.objects.select_related("user"), pk=pk, commune=commune)
    soi_meme = membre.user_id == request.user.pk
    nom = membre.user.nom_affiche
    contexte = {
        "titre": "Quitter la commune" if soi_meme else f"Retirer {nom}",
        "question": (
            f"Voulez-vous quitter l'espace de {commune.nom} ?"
            if soi_meme
            else f"Voulez-vous retirer {nom} des membres de {commune.nom} ?"
        ),
        "bouton": "Quitter la commune" if soi_meme else f"Retirer {nom}",
        "succes": f"Vous avez quitté {commune.nom}." if soi_meme else f"{nom} a été retiré(e).",
        "qui": "Vous êtes" if soi_meme else f"{nom} est",
        "geste": "quitter la commune" if soi_meme else "le retirer",
    }
    suite = "espace:accueil" if soi_meme else reverse("espace:membres:liste", args=[code_insee])
    return _retirer(request, commune, membre, contexte=contexte, suite=suite)


@login_required
@GET_OU_POST
def quitter(request, code_insee):
    """Any member may leave the commune, except its last admin."""
    commune = perms.commune_pour(request.user, code_insee)
    membre = get_object_or_404(
        MembreCommune.objects.select_related("user"), user=request.user, commune=commune
    )
    contexte = {
        "titre": "Quitter la commune",
        "question": f"Voulez-vous quitter l'espace de {commune.nom} ? Pour y revenir, il "
        "faudra qu'un administrateur vous invite de nouveau.",
        "bouton": "Quitter la commune",
        "succes": f"Vous avez quitté {commune.nom}.",
        "qui": "Vous êtes",
        "geste": "quitter la commune",
    }
    return _retirer(request, commune, membre, contexte=contexte, suite="espace:accueil")


# Invitations ---------------------------------------------------------------------------


@login_required
@GET_OU_POST
def invitation_annuler(request, code_insee, pk):
    """Admins cancel a pending invitation, and its link with it; a GET asks for
    confirmation."""
    commune = perms.commune_pour(request.user, code_insee, perms.can_manage_members)
    invitation = get_object_or_404(
        InvitationCommune,
        pk=pk,
        commune=commune,
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
            return _vers_liste(commune)
    return render(
        request,
        "commune/membres/invitation_annuler.html",
        {"commune": commune, "invitation": invitation, "erreur": erreur},
    )


def _invitation_inutilisable(request, erreur):
    return render(
        request,
        "commune/membres/invitation_inutilisable.html",
        {"message": erreur.message},
        status=erreur.status,
    )


def _bienvenue(request, membre):
    messages.success(
        request,
        f"Bienvenue dans l'espace de {membre.commune.nom} : vous en êtes membre avec le rôle "
        f"« {membre.get_role_display().lower()} ».",
    )
    return redirect("espace:tableau_de_bord", membre.commune.code_insee)


@GET_OU_POST
def invitation(request, jeton):
    """The link of an invitation email. Whoever has no account creates one here; whoever
    has one signs in as that account, then joins with one button."""
    try:
        invitation = services.invitation_depuis_jeton(jeton)
    except services.InvitationInutilisable as erreur:
        return _invitation_inutilisable(request, erreur)
    contexte = {"invitation": invitation, "commune": invitation.commune}
    if request.user.is_authenticated and request.user.email.lower() != invitation.email.lower():
        return render(request, "commune/membres/invitation_autre_compte.html", contexte, status=403)

    a_un_compte = get_user_model().objects.filter(email__iexact=invitation.email).exists()
    if not a_un_compte:
        form = CompteInvitationForm(
            request.POST if request.method == "POST" else None, email=invitation.email
        )
        if form.is_valid():
            try:
                # The account, the membership and the sign-in: one transaction.
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
            except services.InvitationInutilisable as erreur:
                return _invitation_inutilisable(request, erreur)
            except ValidationError as erreur:
                form.add_error(None, erreur)
            else:
                return _bienvenue(request, membre)
        return render(request, "commune/membres/invitation_compte.html", {**contexte, "form": form})

    if not request.user.is_authenticated:
        url_connexion = reverse("comptes:connexion") + "?" + urlencode({"next": request.path})
        return render(
            request,
            "commune/membres/invitation_connexion.html",
            {**contexte, "url_connexion": url_connexion},
        )

    if request.method == "POST":
        try:
            membre = services.invitation_accepter(invitation=invitation, user=request.user)
        except services.InvitationInutilisable as erreur:
            return _invitation_inutilisable(request, erreur)
        return _bienvenue(request, membre)
    return render(request, "commune/membres/invitation_rejoindre.html", contexte)


# Requests to join ------------------------------------------------------------------------


def _rechercher_communes(q, user):
    condition = condition_de_recherche(q) | Q(code_insee__startswith=q.upper())
    if slug := slugify(q):  # "Saint Etienne" finds "Saint-Étienne"
        condition |= Q(slug__icontains=slug)
    deja_membre = MembreCommune.objects.filter(commune=OuterRef("pk"), user=user)
    deja_demandee = DemandeAdhesion.objects.filter(
        commune=OuterRef("pk"), user=user, statut=StatutDemande.EN_ATTENTE
    )
    return list(
        Commune.objects.actuelles()
        .filter(condition)
        .exclude(Exists(deja_membre))
        .exclude(Exists(deja_demandee))
        .order_by("nom", "code_insee")
        .values_list("pk", flat=True)[:RESULTATS_RECHERCHE]
    )


@login_required
@GET_OU_POST
def rejoindre(request):
    """A signed-in person finds a commune and asks to join it; platform staff decide."""
    recherche = RechercheCommuneForm(request.GET if "q" in request.GET else None)
    if request.method == "POST":
        form = DemandeAdhesionForm(request.POST)
        if form.is_valid():
            try:
                demande = services.demande_adhesion_creer(user=request.user, **form.cleaned_data)
            except ValidationError as erreur:
                form.add_error(None, erreur)
            else:
                messages.success(
                    request,
                    f"Votre demande pour rejoindre {demande.commune.nom} est envoyée : l'équipe "
                    "de la plateforme vous répondra par e-mail.",
                )
                return redirect("espace:accueil")
    else:
        form = DemandeAdhesionForm()

    resultats = None
    if recherche.is_valid():
        resultats = _rechercher_communes(recherche.cleaned_data["q"], request.user)
    # The radio buttons list the search results only, never every commune.
    form.fields["commune"].queryset = (
        Commune.objects.filter(pk__in=resultats or [])
        .select_related("departement")
        .order_by("nom", "code_insee")
    )
    contexte = {
        "recherche": recherche,
        "resultats": resultats,
        "limite": RESULTATS_RECHERCHE,
        "form": form,
        "en_attente": DemandeAdhesion.objects.filter(
            user=request.user, statut=StatutDemande.EN_ATTENTE
        )
        .select_related("commune")
        .order_by("-created_at"),
    }
    return render(request, "commune/membres/rejoindre.html", contexte)


def _exiger_staff(user):
    if not user.is_staff:
        raise Http404("Page introuvable.")


@login_required
@require_safe
def demandes(request):
    """Platform staff decide on pending requests to join; to anyone else, no such page."""
    _exiger_staff(request.user)
    en_attente = (
        DemandeAdhesion.objects.filter(statut=StatutDemande.EN_ATTENTE)
        .select_related("user", "commune__departement")
        .order_by("created_at", "pk")
    )
    page = Paginator(en_attente, DEMANDES_PAR_PAGE).get_page(request.GET.get("page"))
    contexte = {
        "page_obj": page,
        "is_paginated": page.has_other_pages(),
        "parametres": "",
        "demandes": page.object_list,
    }
    return render(request, "commune/membres/demandes.html", contexte)


def _decider(request, pk, *, decider, participe):
    _exiger_staff(request.user)
    demande = get_object_or_404(DemandeAdhesion.objects.select_related("user", "commune"), pk=pk)
    if decider(demandes=DemandeAdhesion.objects.filter(pk=pk), decided_by=request.user):
        messages.success(
            request,
            f"Demande de {demande.user.nom_affiche} pour {demande.commune.nom} {participe} : "
            "un e-mail l'en informe.",
        )
    else:
        messages.warning(request, "Cette demande avait déjà été traitée : rien n'a changé.")
    suite = reverse("espace:membres:demandes")
    if page := request.POST.get("page", "").strip():
        suite += "?" + urlencode({"page": page})
    return redirect(suite)


@login_required
@require_POST
def demande_accepter(request, pk):
    return _decider(request, pk, decider=services.demandes_adhesion_accepter, participe="acceptée")


@login_required
@require_POST
def demande_refuser(request, pk):
    return _decider(request, pk, decider=services.demandes_adhesion_refuser, participe="refusée")


# Signature and élu référent ------------------------------------------------------------


@login_required
@GET_OU_POST
def signature(request, code_insee):
    """Admins record the commune's signature of a referential, or correct it."""
    commune = perms.commune_pour(request.user, code_insee, perms.can_sign_referentiel)
    if request.method == "POST":
        form = SignatureForm(request.POST, request.FILES)
        if form.is_valid():
            services.signature_enregistrer(
                commune=commune,
                referentiel=form.cleaned_data["referentiel"],
                date_signature=form.cleaned_data["date_signature"],
                deliberation_numero=form.cleaned_data["deliberation_numero"],
                deliberation_date=form.cleaned_data["deliberation_date"],
                fichier=form.cleaned_data["deliberation_fichier"],
                by=request.user,
            )
            messages.success(request, "Signature enregistrée.")
            return _vers_liste(commune)
        referentiel = form.cleaned_data.get("referentiel")
        actuelle = (
            Signature.objects.filter(commune=commune, referentiel=referentiel).first()
            if referentiel
            else None
        )
    else:
        referentiel = (
            Referentiel.objects.actifs().filter(pk=request.GET.get("referentiel")).first()
            if request.GET.get("referentiel", "").isdigit()
            else None
        ) or Referentiel.objects.guide()
        actuelle = Signature.objects.filter(commune=commune, referentiel=referentiel).first()
        initial = {"referentiel": referentiel}
        if actuelle is not None:
            initial |= {
                "date_signature": actuelle.date_signature,
                "deliberation_numero": actuelle.deliberation_numero,
                "deliberation_date": actuelle.deliberation_date,
            }
        form = SignatureForm(initial=initial)
    return render(
        request,
        "commune/membres/signature.html",
        {"commune": commune, "form": form, "actuelle": actuelle},
    )


@login_required
@GET_OU_POST
def referent(request, code_insee):
    """Admins name the commune's élu référent ESS/IAE, or update them."""
    commune = perms.commune_pour(request.user, code_insee, perms.can_edit_referent)
    actuel = EluReferent.objects.filter(commune=commune).first()
    form = ReferentForm(request.POST if request.method == "POST" else None, instance=actuel)
    if form.is_valid():
        services.referent_enregistrer(commune=commune, by=request.user, **form.cleaned_data)
        messages.success(request, "Élu référent enregistré.")
        return _vers_liste(commune)
    return render(
        request,
        "commune/membres/referent.html",
        {"commune": commune, "form": form, "actuel": actuel},
    )


@login_required
@GET_OU_POST
def referent_retirer(request, code_insee):
    """Admins remove the élu référent; a GET asks for confirmation."""
    commune = perms.commune_pour(request.user, code_insee, perms.can_edit_referent)
    actuel = get_object_or_404(EluReferent, commune=commune)
    if request.method == "POST":
        services.referent_retirer(commune=commune, by=request.user)
        messages.success(request, "Élu référent retiré.")
        return _vers_liste(commune)
    return render(
        request, "commune/membres/referent_retirer.html", {"commune": commune, "actuel": actuel}
    )
