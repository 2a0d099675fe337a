from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from .models import User


class ConnexionForm(AuthenticationForm):
    username = forms.EmailField(
        label="Adresse e-mail",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": "Adresse e-mail ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }


class MotDePasseOublieForm(PasswordResetForm):
    email = forms.EmailField(
        label="Adresse e-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class CompteForm(forms.ModelForm):
    """A person's own name and email; a new email needs the current password."""

    mot_de_passe_actuel = forms.CharField(
        label="Mot de passe actuel",
        required=False,
        strip=False,
        help_text="Obligatoire uniquement pour changer d'adresse e-mail.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email"]
        labels = {"first_name": "Prénom", "last_name": "Nom", "email": "Adresse e-mail"}
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        deja_prise = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists()
        if deja_prise:
            raise forms.ValidationError(
                "Cette adresse e-mail est déjà utilisée par un autre compte.", code="email_pris"
            )
        return email

    def clean(self):
        cleaned_data = super().clean()
        email = cleaned_data.get("email")
        if email and email != self.instance.email.lower():
            mot_de_passe = cleaned_data.get("mot_de_passe_actuel")
            if not mot_de_passe:
                self.add_error(
                    "mot_de_passe_actuel",
                    forms.ValidationError(
                        "Saisissez votre mot de passe actuel pour changer d'adresse e-mail.",
                        code="mot_de_passe_requis",
                    ),
                )
            elif not self.instance.check_password(mot_de_passe):
                self.add_error(
                    "mot_de_passe_actuel",
                    forms.ValidationError(
                        "Mot de passe actuel incorrect.", code="mot_de_passe_incorrect"
                    ),
                )
        return cleaned_data


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code à usage unique",
        max_length=20,
        help_text=(
            "Les 6 chiffres affichés par votre application d'authentification, ou l'un de "
            "vos codes de secours."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
