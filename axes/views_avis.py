"""Citizens' opinions on an action (proposition #10 of the 2020 campaign).

Anyone may leave one, without an account: a name (optional), a message and
their consent to its publication. It waits for the commune's admins (here) or
platform staff (Django admin) to approve it, and only then shows on the public
action page. Robots are turned away by a honeypot field and a rate limit per
address; neither the address nor anything else identifying is stored.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from commune import perms
from commune.models import Commune
from config.cache_redis import panne_en_cours

from .models import Action, Avis, Referentiel, StatutAvis

AVIS_PAR_IP = "5/h"
MESSAGE_LIMITE = (
    "Vous avez déjà envoyé plusieurs avis depuis cette connexion dans l'heure qui vient de "
    "s'écouler. Merci de réessayer un peu plus tard."
)
# The honeypot: hidden from people (CSS, aria-hidden, out of the tab order), filled by robots.
POT_DE_MIEL = "site_web"
PAR_PAGE = 20
DECISIONS = {"approuver": StatutAvis.APPROUVE, "refuser": StatutAvis.REFUSE}


class AvisForm(forms.ModelForm):
    consentement = forms.BooleanField(
        label=(
            "J'accepte que mon avis soit publié sur cette page après relecture par la commune, "
            "avec le nom indiqué ci-dessus s'il y en a un."
        ),
        error_messages={"required": "Cochez cette case pour que votre avis puisse être publié."},
    )
    site_web = forms.CharField(
        label="Ne remplissez pas ce champ",
        required=False,
        widget=forms.TextInput({"tabindex": "-1", "autocomplete": "off"}),
    )

    class Meta:
        model = Avis
        fields = ["nom", "message", "consentement"]
        labels = {
            "nom": "Votre nom ou un pseudonyme (facultatif)",
            "message": "Votre avis (obligatoire)",
        }
        help_texts = {
            "nom": "Il sera publié avec votre avis. Laissez vide pour rester anonyme.",
            "message": f"{Avis.MESSAGE_MAX} caractères au plus. Les liens ne sont pas cliquables.",
        }
        widgets = {
            "nom": forms.TextInput({"autocomplete": "off"}),
            "message": forms.Textarea({"rows": 6}),
        }
        error_messages = {
            "message": {"required": "Écrivez votre avis avant de l'envoyer."},
        }


def _commune_et_action(code_insee, code):
    commune = get_object_or_404(Commune.objects.actuelles(), code_insee=code_insee)
    guide = Referentiel.objects.guide()
    if guide is None:
        raise Http404("Aucun référentiel actif.")
    action = get_object_or_404(Action.objects.select_related("axe"), referentiel=guide, code=code)
    return commune, action


@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(group="axes.avis", key="ip", rate=AVIS_PAR_IP, method="POST", block=False)
def deposer(request, code_insee, code):
    """The form on its own page: where the action page's form posts, and what shows its
    errors. A filled honeypot is thanked like anyone, and its opinion dropped."""
    commune, action = _commune_et_action(code_insee, code)
    contexte = {"commune": commune, "action": action}
    merci = reverse("commune:avis:merci", args=[commune.code_insee, action.code])
    if request.method != "POST":
        return render(request, "axes/avis/deposer.html", {**contexte, "formulaire": AvisForm()})
    # Redis down: the limit cannot count and reads as reached; opinions are moderated
    # before being shown, so they are taken rather than refused (the outage is logged).
    if request.limited and not panne_en_cours():
        formulaire = AvisForm(initial={"nom": request.POST.get("nom", "")})
        contexte.update(formulaire=formulaire, message_limite=MESSAGE_LIMITE)
        return render(request, "axes/avis/deposer.html", contexte, status=429)
    if request.POST.get(POT_DE_MIEL):
        return redirect(merci)
    formulaire = AvisForm(request.POST)
    if not formulaire.is_valid():
        return render(request, "axes/avis/deposer.html", {**contexte, "formulaire": formulaire})
    avis = formulaire.save(commit=False)
    avis.commune, avis.action = commune, action
    avis.save()
    return redirect(merci)


@require_safe
def merci(request, code_insee, code):
    commune, action = _commune_et_action(code_insee, code)
    return render(request, "axes/avis/merci.html", {"commune": commune, "action": action})


# Moderation by the commune's admins ------------------------------------------------------


@login_required
@require_safe
def moderation(request, code_insee):
    """Opinions waiting for a decision, oldest first, and the latest decisions."""
    commune = perms.commune_pour(request.user, code_insee, perms.can_manage_members)
    en_attente = Paginator(
        Avis.objects.en_attente()
        .filter(commune=commune)
        .select_related("action")
        .order_by("created_at", "pk"),
        PAR_PAGE,
    ).get_page(request.GET.get("page"))
    decides = (
        Avis.objects.filter(commune=commune)
        .exclude(statut=StatutAvis.EN_ATTENTE)
        .select_related("action", "moderated_by")
        .order_by("-moderated_at", "-pk")[:PAR_PAGE]
    )
    contexte = {
        "commune": commune,
        "page_obj": en_attente,
        "is_paginated": en_attente.has_other_pages(),
        "parametres": "",
        "en_attente": en_attente.object_list,
        "decides": decides,
    }
    return render(request, "axes/avis/moderation.html", contexte)


@login_required
@require_POST
def moderer(request, code_insee, pk):
    commune = perms.commune_pour(request.user, code_insee, perms.can_manage_members)
    avis = get_object_or_404(Avis.objects.select_related("action"), pk=pk, commune=commune)
    statut = DECISIONS.get(request.POST.get("decision"))
    if statut is None:
        return HttpResponseBadRequest("Décision inconnue.")
    avis.moderer(statut=statut, par=request.user)
    verbe = "approuvé : il est publié" if statut == StatutAvis.APPROUVE else "refusé"
    messages.success(request, f"Avis sur l'action {avis.action.code} {verbe}.")
    url = reverse("espace:avis:moderation", args=[commune.code_insee])
    page = request.POST.get("page", "")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)
