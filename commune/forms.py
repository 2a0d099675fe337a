"""Forms of a commune's member pages. They check input; commune/services.py writes."""

import math

import filetype
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone

from axes.models import Referentiel

from .enums import Role
from .fichiers import verifier_pdf
from .models import Commune, EluReferent

MO = 1024 * 1024
TAILLE_MAX_DELIBERATION = 10 * MO
PAS_DANS_LE_FUTUR = "Cette date est dans le futur : indiquez une date passée ou celle du jour."


class SaisieDate(forms.DateInput):
    """The browser's date picker, which offers no day after today."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")

    def get_context(self, name, value, attrs):
        contexte = super().get_context(name, value, attrs)
        # Today, at rendering time: a bound at import would go stale on a long-lived server.
        contexte["widget"]["attrs"].setdefault("max", timezone.localdate().isoformat())
        return contexte


class ChampDate(forms.DateField):
    """A date that cannot be after today."""

    widget = SaisieDate

    def validate(self, value):
        super().validate(value)
        if value and value > timezone.localdate():
            raise ValidationError(PAS_DANS_LE_FUTUR, code="futur")


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Adresse e-mail",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label="Rôle", choices=Role.choices, initial=Role.EDITEUR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Rôle", choices=Role.choices)


class CompteInvitationForm(forms.Form):
    """The account of an invited person who has none yet; the address is the invited one."""

    prenom = forms.CharField(
        label="Prénom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    nom = forms.CharField(
        label="Nom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    mot_de_passe = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    confirmation = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        # Built per request, in the language of the request.
        self.fields[
            "mot_de_passe"
        ].help_text = password_validation.password_validators_help_text_html()

    def clean(self):
        donnees = super().clean()
        mot_de_passe, confirmation = donnees.get("mot_de_passe"), donnees.get("confirmation")
        if mot_de_passe and confirmation and mot_de_passe != confirmation:
            self.add_error("confirmation", "Les deux mots de passe ne correspondent pas.")
        elif mot_de_passe:
            futur = get_user_model()(
                email=self.email,
                first_name=donnees.get("prenom", ""),
                last_name=donnees.get("nom", ""),
            )
            try:
                password_validation.validate_password(mot_de_passe, user=futur)
            except ValidationError as erreur:
                self.add_error("mot_de_passe", erreur)
        return donnees


class RechercheCommuneForm(forms.Form):
    q = forms.CharField(
        label="Nom ou code INSEE de la commune",
        min_length=2,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class ChoixCommune(forms.ModelChoiceField):
    def label_from_instance(self, commune):
        return f"{commune.nom} ({commune.code_insee}) — {commune.departement.nom}"


class DemandeAdhesionForm(forms.Form):
    # Validates any commune; the page narrows the choices it shows to the search results.
    commune = ChoixCommune(
        label="Commune",
        queryset=Commune.objects.select_related("departement"),
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez la commune que vous souhaitez rejoindre."},
    )
    message = forms.CharField(
        label="Message à l'équipe de la plateforme",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Votre fonction à la mairie (élu, agent…) aide à traiter la demande.",
    )


class SignatureForm(forms.Form):
    referentiel = forms.ModelChoiceField(
        label="Référentiel signé",
        queryset=Referentiel.objects.actifs(),
        empty_label=None,
    )
    date_signature = ChampDate(label="Date de signature")
    deliberation_numero = forms.CharField(
        label="Numéro de la délibération", max_length=50, required=False
    )
    deliberation_date = ChampDate(
        label="Date de la délibération",
        required=False,
        help_text="Le conseil municipal délibère avant la signature, ou le jour même.",
    )
    deliberation_fichier = forms.FileField(
        label="Délibération (PDF)",
        required=False,
        help_text="Un fichier PDF de 10 Mo au plus. Sans nouveau fichier, le PDF déjà déposé "
        "est conservé.",
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_deliberation_fichier(self):
        fichier = self.cleaned_data.get("deliberation_fichier")
        if not fichier:
            return None
        if fichier.size > TAILLE_MAX_DELIBERATION:
            # Rounded up, so that a file just over the limit does not read "10,0 Mo".
            poids = f"{math.ceil(fichier.size * 10 / MO) / 10:.1f}".replace(".", ",")
            raise ValidationError(
                f"Ce fichier pèse {poids} Mo : la délibération ne doit pas dépasser "
                f"{TAILLE_MAX_DELIBERATION // MO} Mo.",
                code="trop_gros",
            )
        # What the browser declares is the uploader's word: read the file's first bytes.
        fichier.seek(0)
        entete = fichier.read(2048)
        fichier.seek(0)
        if filetype.guess_mime(entete) != "application/pdf":
            raise ValidationError(
                "Ce fichier n'est pas un PDF : déposez la délibération au format PDF.",
                code="pas_pdf",
            )
        # The first bytes say PDF; the rest must be one too.
        verifier_pdf(fichier)
        return fichier

    def clean(self):
        donnees = super().clean()
        signee, deliberee = donnees.get("date_signature"), donnees.get("deliberation_date")
        if signee and deliberee and deliberee > signee:
            self.add_error(
                "deliberation_date",
                "La délibération du conseil municipal précède la signature, ou a lieu le "
                "même jour : elle ne peut pas être postérieure à la date de signature.",
            )
        return donnees


class ReferentForm(forms.ModelForm):
    depuis = ChampDate(label="Référent depuis le", required=False)

    class Meta:
        model = EluReferent
        fields = ["nom", "mandat", "depuis"]
