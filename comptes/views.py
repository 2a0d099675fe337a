from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.messages.views import SuccessMessageMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import UpdateView
from django_ratelimit.decorators import ratelimit

from . import tentatives
from .enums import DureeJeton, PorteeJeton
from .forms import CompteForm, ConnexionForm, MotDePasseOublieForm
from .models import JetonAcces, User

REINITIALISATION_PAR_IP = "10/h"
REINITIALISATION_PAR_ADRESSE = "3/h"


def _champ_email(nom):
    """A ratelimit key: the address typed in the field `nom`, as it is stored."""

    def cle(group, request):
        return request.POST.get(nom, "").strip().lower()

    return cle


def _limite(groupe, cle, taux):
    # block=False: the view answers the 429 itself, in French, in the page.
    return method_decorator(ratelimit(group=groupe, key=cle, rate=taux, method="POST", block=False))


class ConnexionView(auth_views.LoginView):
    """The site's sign-in page, and the admin's (comptes.admin_site). Its limits live in
    the database (comptes/tentatives.py), not in the cache."""

    authentication_form = ConnexionForm
    redirect_authenticated_user = True
    message_limite = tentatives.MESSAGE_BLOCAGE

    def post(self, request, *args, **kwargs):
        if tentatives.est_bloque(request, request.POST.get("username")):
            # The form is never validated, so the password is never checked.
            formulaire = self.get_form_class()(
                request, initial={"username": request.POST.get("username", "")}
            )
            contexte = self.get_context_data(form=formulaire, message_limite=self.message_limite)
            return self.render_to_response(contexte, status=429)
        return super().post(request, *args, **kwargs)


class MotDePasseOublieView(auth_views.PasswordResetView):
    form_class = MotDePasseOublieForm
    template_name = "registration/mot_de_passe_oublie.html"
    email_template_name = "emails/comptes/reinitialisation.txt"
    subject_template_name = "emails/comptes/reinitialisation_sujet.txt"
    success_url = reverse_lazy("comptes:mot_de_passe_oublie_envoye")
    message_limite = "Trop de demandes de réinitialisation. Réessayez dans une heure."

    @property
    def extra_email_context(self):
        # Links in emails use the public address of the site, not the Host header.
        return {"site_url": settings.SITE_URL.rstrip("/")}

    @_limite("comptes.reinitialisation.ip", "ip", REINITIALISATION_PAR_IP)
    @_limite(
        "comptes.reinitialisation.adresse", _champ_email("email"), REINITIALISATION_PAR_ADRESSE
    )
    def post(self, request, *args, **kwargs):
        if request.limited:
            # The same answer whether the address has an account or not.
            formulaire = self.get_form_class()(initial={"email": request.POST.get("email", "")})
            contexte = self.get_context_data(form=formulaire, message_limite=self.message_limite)
            return self.render_to_response(contexte, status=429)
        return super().post(request, *args, **kwargs)


class MotDePasseOublieEnvoyeView(auth_views.PasswordResetDoneView):
    template_name = "registration/mot_de_passe_oublie_envoye.html"


class NouveauMotDePasseView(auth_views.PasswordResetConfirmView):
    template_name = "registration/nouveau_mot_de_passe.html"
    success_url = reverse_lazy("comptes:mot_de_passe_reinitialise")


class MotDePasseReinitialiseView(auth_views.PasswordResetCompleteView):
    template_name = "registration/mot_de_passe_reinitialise.html"


class ChangerMotDePasseView(SuccessMessageMixin, auth_views.PasswordChangeView):
    template_name = "registration/changer_mot_de_passe.html"
    success_url = reverse_lazy("comptes:compte")
    success_message = "Votre mot de passe a été changé."


class CompteView(LoginRequiredMixin, SuccessMessageMixin, UpdateView):
    form_class = CompteForm
    template_name = "comptes/compte.html"
    success_url = reverse_lazy("comptes:compte")
    success_message = "Vos informations ont été enregistrées."

    def get_object(self, queryset=None):
        # A copy, so that a refused form does not alter request.user.
        return User.objects.get(pk=self.request.user.pk)


# Personal access tokens to the REST API ----------------------------------------------------

JETONS_ACTIFS_MAX = 20


class JetonForm(forms.Form):
    nom = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text="À quoi il sert, pour le reconnaître : par exemple « Tableur de suivi ».",
    )
    portee = forms.ChoiceField(
        label="Ce que le jeton permet",
        choices=PorteeJeton.choices,
        initial=PorteeJeton.LECTURE,
        widget=forms.RadioSelect,
        help_text="Choisissez la lecture seule si le programme ne fait que lire.",
    )
    duree = forms.TypedChoiceField(
        label="Durée de validité",
        choices=DureeJeton.choices,
        coerce=int,
        initial=DureeJeton.TROIS_MOIS,
        help_text="Passé ce délai, le jeton est refusé : créez-en un nouveau.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        donnees = super().clean()
        if JetonAcces.objects.actifs().filter(user=self.user).count() >= JETONS_ACTIFS_MAX:
            raise forms.ValidationError(
                f"Vous avez déjà {JETONS_ACTIFS_MAX} jetons actifs : révoquez-en un avant "
                "d'en créer un autre."
            )
        return donnees


def _page_jetons(request, formulaire, jeton=None, status=200):
    contexte = {
        "form": formulaire,
        "jetons": JetonAcces.objects.filter(user=request.user).order_by("-created_at", "-pk"),
        "jeton": jeton,
    }
    reponse = render(request, "comptes/jetons.html", contexte, status=status)
    # The page that shows a new token must not stay in any cache.
    add_never_cache_headers(reponse)
    return reponse


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def jetons(request):
    """The person's tokens: create one with its scope and lifetime (shown once, on this
    response only), list them with their scope, expiry and last use, revoke."""
    if request.method == "POST":
        formulaire = JetonForm(request.POST, user=request.user)
        if formulaire.is_valid():
            ligne, jeton = JetonAcces.creer(
                user=request.user,
                nom=formulaire.cleaned_data["nom"],
                portee=formulaire.cleaned_data["portee"],
                duree=formulaire.cleaned_data["duree"],
            )
            return _page_jetons(
                request, JetonForm(user=request.user), jeton={"ligne": ligne, "valeur": jeton}
            )
        return _page_jetons(request, formulaire, status=400)
    return _page_jetons(request, JetonForm(user=request.user))


@login_required
@require_POST
def jeton_revoquer(request, pk):
    # Someone else's token is not found, whether it exists or not.
    ligne = get_object_or_404(JetonAcces, pk=pk, user=request.user)
    if ligne.actif:
        ligne.revoquer()
        messages.success(
            request, f"Jeton « {ligne.nom} » révoqué : il ne donne plus accès à l'API."
        )
    return redirect("comptes:jetons")
