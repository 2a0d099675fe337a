from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.messages.views import SuccessMessageMixin
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import UpdateView
from django_otp import login as otp_login
from django_ratelimit.decorators import ratelimit

from . import deux_facteurs, tentatives
from .enums import DureeJeton, PorteeJeton
from .forms import CodeForm, CompteForm, ConnexionForm, MotDePasseOublieForm
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

    def form_valid(self, form):
        user = form.get_user()
        if deux_facteurs.est_active(user):
            # Not signed in yet: the code comes first.
            deux_facteurs.mettre_en_attente(self.request, user, self.get_success_url())
            return redirect("comptes:connexion_code")
        return super().form_valid(form)


@require_http_methods(["GET", "HEAD", "POST"])
def connexion_code(request):
    """The second step of signing in: a code from the application or a recovery code.
    Also where a signed-in person whose session is not verified proves it (the admin
    sends staff here). Wrong codes count with wrong passwords (comptes.tentatives)."""
    if request.user.is_authenticated:
        user, attente = request.user, {"suite": request.GET.get("next", "")}
        if request.user.is_verified() or not deux_facteurs.est_active(user):
            return redirect("comptes:deux_facteurs")
    else:
        user, attente = deux_facteurs.en_attente(request)
        if user is None:
            messages.info(request, "Saisissez d'abord votre adresse e-mail et votre mot de passe.")
            return redirect("comptes:connexion")
    suite = attente["suite"]
    if not url_has_allowed_host_and_scheme(
        suite, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        suite = resolve_url(settings.LOGIN_REDIRECT_URL)
    contexte = {"form": CodeForm(), "message_limite": None}
    if request.method == "POST":
        contexte["form"] = formulaire = CodeForm(request.POST)
        if tentatives.est_bloque(request, user.email):
            contexte["message_limite"] = tentatives.MESSAGE_BLOCAGE
            return render(request, "comptes/connexion_code.html", contexte, status=429)
        if formulaire.is_valid():
            appareil = deux_facteurs.verifier_code(user, formulaire.cleaned_data["code"])
            if appareil is not None:
                if request.user.is_authenticated:
                    otp_login(request, appareil)
                else:
                    deux_facteurs.terminer_connexion(request, user, attente, appareil)
                return redirect(suite)
            tentatives.noter_echec(request, user.email)
            formulaire.add_error("code", "Ce code n'est pas valable : réessayez.")
        return render(request, "comptes/connexion_code.html", contexte, status=400)
    return render(request, "comptes/connexion_code.html", contexte)


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


# Two-factor authentication, from the account page ----------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def deux_facteurs_page(request):
    """Turn two-factor authentication on (scan, then confirm with a first code; the
    recovery codes are shown once) or off (with a current code)."""
    user = request.user
    active = deux_facteurs.est_active(user)
    contexte = {"active": active, "form": CodeForm(), "codes_secours": None}
    status = 200
    if request.method == "POST":
        formulaire = CodeForm(request.POST)
        contexte["form"] = formulaire
        if formulaire.is_valid():
            code = formulaire.cleaned_data["code"]
            if active and deux_facteurs.verifier_code(user, code) is not None:
                deux_facteurs.desactiver(user=user)
                messages.success(request, "La double authentification est désactivée.")
                return redirect("comptes:deux_facteurs")
            if not active:
                appareil = deux_facteurs.appareil_a_confirmer(user)
                codes = deux_facteurs.activer(request=request, appareil=appareil, code=code)
                if codes is not None:
                    contexte.update(active=True, codes_secours=codes, form=CodeForm())
                    reponse = render(request, "comptes/deux_facteurs.html", contexte)
                    add_never_cache_headers(reponse)
                    return reponse
            formulaire.add_error("code", "Ce code n'est pas valable : réessayez.")
        status = 400
    if not contexte["active"]:
        appareil = deux_facteurs.appareil_a_confirmer(user)
        contexte.update(
            secret=deux_facteurs.secret_base32(appareil),
            url_otpauth=appareil.config_url,
            qr_code=deux_facteurs.qr_code_svg(appareil),
        )
    reponse = render(request, "comptes/deux_facteurs.html", contexte, status=status)
    # The secret is on the page.
    add_never_cache_headers(reponse)
    return reponse
