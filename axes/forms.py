"""Forms of the member pages of an action: the engagement, its evidence, its milestones."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Q

from commune.concurrence import FormulaireVersionne
from commune.models import MembreCommune

from .enums import NaturePreuve, Statut
from .models import Engagement, Jalon
from .services import MESSAGE_REALISE_SANS_PREUVE
from .uploads import TYPES_ACCEPTES, extension_detectee


class ChampDate(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ResumeErreurs:
    """The error summary at the top of a form: one link per error, to its field."""

    def resume_erreurs(self):
        lignes = []
        for nom, erreurs in self.errors.items():
            if nom == NON_FIELD_ERRORS:
                lignes += [{"ancre": None, "libelle": "", "message": e} for e in erreurs]
                continue
            champ = self[nom]
            # A group of radio buttons has no single id: the first button gets the focus.
            ancre = champ.id_for_label or f"{champ.auto_id}_0"
            lignes += [{"ancre": ancre, "libelle": champ.label, "message": e} for e in erreurs]
        return lignes


class EngagementForm(ResumeErreurs, FormulaireVersionne, forms.ModelForm):
    avancement = forms.IntegerField(
        label="Avancement (en %)",
        required=False,
        min_value=0,
        max_value=100,
        help_text="Obligatoire pour une action en cours : un nombre de 0 à 100.",
        error_messages={
            "invalid": "L'avancement est un nombre entier, de 0 à 100.",
            "min_value": "L'avancement va de 0 à 100 %%.",
            "max_value": "L'avancement va de 0 à 100 %%.",
        },
    )
    # Set by clean() so the page can point to the evidence form beside the error.
    sans_preuve = False

    class Meta:
        model = Engagement
        fields = list(Engagement.CHAMPS_SAISIS)
        labels = {
            "statut": "Statut de l'action",
            "date_cible": "Date cible",
            "pilote": "Pilote, membre de la commune",
            "pilote_nom": "Ou pilote sans compte sur la plateforme",
            "description": "Description publique",
            "note_interne": "Note interne",
            "justification": "Justification",
        }
        help_texts = {
            "statut": "Engagé : avec une date cible. En cours : avec un avancement. "
            "Réalisé : avec au moins une preuve. Non concerné : avec une justification.",
            "date_cible": "Obligatoire pour une action engagée.",
            "pilote": "La personne de l'équipe municipale qui porte l'action.",
            "pilote_nom": "Son nom et sa fonction, si elle n'a pas de compte. "
            "Choisissez un membre ou saisissez un nom, pas les deux.",
            "description": "Ce que fait la commune : visible de tous sur sa page publique.",
            "note_interne": "Visible des seuls membres de la commune.",
            "justification": "Obligatoire quand la commune n'est pas concernée ; "
            "publiée avec le statut.",
        }
        widgets = {
            "statut": forms.RadioSelect,
            "date_cible": ChampDate,
            "description": forms.Textarea(attrs={"rows": 4}),
            "note_interne": forms.Textarea(attrs={"rows": 3}),
            "justification": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "date_cible": {"invalid": "Saisissez une date valide, par exemple 30/06/2027."},
            "pilote": {
                "invalid_choice": "Choisissez le pilote parmi les membres de la commune.",
            },
        }

    def __init__(self, *args, commune, nombre_preuves, **kwargs):
        super().__init__(*args, **kwargs)
        self.nombre_preuves = nombre_preuves
        membres = MembreCommune.objects.filter(commune=commune).values("user_id")
        # A pilot who has since left the commune stays selectable until replaced.
        pilote_actuel = self.instance.pilote_id
        pilote = self.fields["pilote"]
        pilote.queryset = (
            get_user_model()
            .objects.filter(Q(pk__in=membres) | Q(pk=pilote_actuel))
            .order_by("last_name", "first_name", "pk")
        )
        pilote.label_from_instance = lambda user: user.nom_affiche
        pilote.empty_label = "Aucun membre"

    def clean(self):
        donnees = super().clean()
        if donnees.get("statut") == Statut.REALISE and not self.nombre_preuves:
            self.sans_preuve = True
            self.add_error("statut", MESSAGE_REALISE_SANS_PREUVE)
        if donnees.get("pilote") and donnees.get("pilote_nom"):
            self.add_error(
                "pilote_nom", "Choisissez un membre ou saisissez un nom de pilote, pas les deux."
            )
        return donnees


class PreuveForm(ResumeErreurs, forms.Form):
    titre = forms.CharField(
        label="Titre de la preuve",
        max_length=200,
        help_text="Par exemple : Délibération du 12 mars 2026 sur les clauses sociales.",
    )
    nature = forms.ChoiceField(
        label="Nature", choices=NaturePreuve.choices, initial=NaturePreuve.AUTRE
    )
    date = forms.DateField(
        label="Date du document",
        widget=ChampDate,
        error_messages={"invalid": "Saisissez une date valide, par exemple 12/03/2026."},
    )
    publique = forms.BooleanField(
        label="Preuve publique",
        required=False,
        initial=True,
        help_text="Décochez pour la réserver aux membres de la commune.",
    )
    url = forms.URLField(
        label="Lien",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="L'adresse d'une page ou d'un document en ligne. Un lien ou un fichier.",
        error_messages={"invalid": "Saisissez une adresse web complète, https://…"},
    )
    fichier = forms.FileField(
        label="Ou fichier",
        required=False,
        help_text="PDF, PNG ou JPEG, 10 Mo au plus.",
        widget=forms.FileInput(attrs={"accept": TYPES_ACCEPTES}),
    )

    def clean_fichier(self):
        fichier = self.cleaned_data.get("fichier")
        if fichier:
            extension_detectee(fichier)
        return fichier

    def clean(self):
        donnees = super().clean()
        if "url" in self.errors or "fichier" in self.errors:
            return donnees
        url, fichier = donnees.get("url"), donnees.get("fichier")
        if url and fichier:
            self.add_error(
                "fichier", "Une preuve est soit un lien, soit un fichier : retirez l'un des deux."
            )
        elif not url and not fichier:
            self.add_error("url", "Donnez un lien ou joignez un fichier.")
        return donnees


class JalonForm(ResumeErreurs, forms.ModelForm):
    class Meta:
        model = Jalon
        fields = ["date", "titre", "description", "atteint"]
        labels = {
            "date": "Date du jalon",
            "titre": "Titre du jalon",
            "description": "Description",
            "atteint": "Jalon atteint",
        }
        help_texts = {"titre": "Par exemple : premier comité de pilotage."}
        widgets = {"date": ChampDate, "description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "date": {"invalid": "Saisissez une date valide, par exemple 01/09/2026."},
        }
