"""Forms of the contract pages: the contract and its holders, its social clauses, the
follow-up of hours, and the staff's DECP upload."""

import re

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import BaseInlineFormSet, inlineformset_factory
from stdnum.fr import siret as stdnum_siret

from commune.concurrence import FormulaireVersionne

from .enums import ConsiderationEnvironnementale, ConsiderationSociale, TypeIdentifiant
from .models import (
    ENVIRONNEMENTALES,
    HEURES_MAX,
    SOCIALES,
    ClauseSociale,
    Marche,
    SuiviHeures,
    Titulaire,
)
from .services import erreur_chevauchement, erreurs_suivi

TAILLE_MAX_DECP = 20 * 1024 * 1024
SIRET_FORME = re.compile(r"[0-9]{14}")
TITULAIRES_MAX = 50


class ChampDate(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _lignes_erreurs(formulaire, prefixe_libelle=""):
    lignes = []
    for nom, erreurs in formulaire.errors.items():
        if nom == NON_FIELD_ERRORS:
            libelle = prefixe_libelle.strip(" :") if prefixe_libelle else ""
            lignes += [{"ancre": None, "libelle": libelle, "message": e} for e in erreurs]
            continue
        champ = formulaire[nom]
        # A group of checkboxes has no single id: the first box gets the focus.
        ancre = champ.id_for_label or f"{champ.auto_id}_0"
        libelle = f"{prefixe_libelle}{champ.label}"
        lignes += [{"ancre": ancre, "libelle": libelle, "message": e} for e in erreurs]
    return lignes


class ResumeErreurs:
    """The error summary at the top of a form: one link per error, to its field."""

    def resume_erreurs(self):
        return _lignes_erreurs(self)


def valider_siret(valeur):
    """Shape then check key, each with its own message."""
    if not SIRET_FORME.fullmatch(valeur):
        raise forms.ValidationError(
            "Un SIRET compte exactement 14 chiffres (les espaces sont ignorés).", code="forme"
        )
    if not stdnum_siret.is_valid(valeur):
        raise forms.ValidationError(
            "Ce SIRET n'est pas valide : la clé de contrôle ne correspond pas aux 14 chiffres. "
            "Vérifiez-le sur l'annuaire des entreprises.",
            code="cle",
        )


def _choix_sans(vocabulaire, aucune):
    return [(valeur, libelle) for valeur, libelle in vocabulaire.choices if valeur != aucune]


class MarcheForm(ResumeErreurs, FormulaireVersionne, forms.ModelForm):
    montant = forms.DecimalField(
        label="Montant (€ HT)",
        min_value=0,
        max_digits=14,
        decimal_places=2,
        localize=True,
        help_text="En euros hors taxes, par exemple 85000 ou 85000,50. Après avenants : "
        "le montant en vigueur.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "invalid": "Saisissez un montant en euros, par exemple 85000,50.",
            "min_value": "Le montant ne peut pas être négatif.",
            "max_digits": "Ce montant est trop grand : vérifiez la saisie.",
            "max_whole_digits": "Ce montant est trop grand : vérifiez la saisie.",
            "max_decimal_places": "Deux décimales au plus : les centimes.",
        },
    )
    duree_mois = forms.IntegerField(
        label="Durée (mois)",
        min_value=1,
        max_value=999,
        help_text="La durée du marché en mois, reconductions comprises.",
        error_messages={
            "invalid": "Saisissez un nombre entier de mois.",
            "min_value": "Un marché dure au moins 1 mois.",
            "max_value": "999 mois au plus.",
        },
    )
    considerations_sociales = forms.MultipleChoiceField(
        label="Considérations sociales",
        required=False,
        choices=_choix_sans(ConsiderationSociale, ConsiderationSociale.AUCUNE),
        widget=forms.CheckboxSelectMultiple,
        help_text="Cochez toutes celles du marché. Aucune case cochée : « Pas de "
        "considération sociale ».",
    )
    considerations_environnementales = forms.MultipleChoiceField(
        label="Considérations environnementales",
        required=False,
        choices=_choix_sans(ConsiderationEnvironnementale, ConsiderationEnvironnementale.AUCUNE),
        widget=forms.CheckboxSelectMultiple,
        help_text="Aucune case cochée : « Pas de considération environnementale ».",
    )

    class Meta:
        model = Marche
        fields = [
            "id_decp",
            "acheteur_siret",
            "objet",
            "code_cpv",
            "nature",
            "procedure",
            "montant",
            "date_notification",
            "duree_mois",
            "lieu_type_code",
            "lieu_code",
            "considerations_sociales",
            "sociales_connues",
            "considerations_environnementales",
            "environnementales_connues",
            "forme_prix",
            "date_publication",
            "publie",
        ]
        labels = {
            "id_decp": "Identifiant du marché (DECP)",
            "acheteur_siret": "SIRET de l'acheteur",
            "objet": "Objet du marché",
            "code_cpv": "Code CPV",
            "lieu_type_code": "Lieu d'exécution : type de code",
            "lieu_code": "Lieu d'exécution : code",
            "date_publication": "Date de publication des données",
            "publie": "Publier ce marché sur la page publique de la commune",
            "sociales_connues": "Les considérations sociales de ce marché sont connues",
            "environnementales_connues": "Les considérations environnementales de ce marché "
            "sont connues",
        }
        help_texts = {
            "id_decp": "L'identifiant que l'acheteur donne au marché dans ses données "
            "essentielles, par exemple 2026-0042. Unique pour un même acheteur.",
            "acheteur_siret": "14 chiffres. Par défaut celui de la mairie.",
            "code_cpv": "8 chiffres, puis éventuellement un tiret et un chiffre de contrôle, "
            "par exemple 77310000-6.",
            "lieu_type_code": "Avec le code ci-dessous, ou ni l'un ni l'autre.",
            "lieu_code": "Par exemple le code INSEE de la commune, ou un code postal.",
            "sociales_connues": "Décochez si les données du marché ne les disent pas (DECP "
            "publiées avant 2024) : il ne compte alors ni avec ni sans considération sociale. "
            "Une case cochée ci-dessus les rend connues.",
            "environnementales_connues": "Décochez si les données du marché ne les disent pas.",
            "date_publication": "Facultative.",
        }
        widgets = {
            "objet": forms.Textarea(attrs={"rows": 3}),
            "date_notification": ChampDate,
            "date_publication": ChampDate,
        }
        error_messages = {
            "date_notification": {"invalid": "Saisissez une date valide, par exemple 12/05/2026."},
            "date_publication": {"invalid": "Saisissez une date valide, par exemple 02/06/2026."},
        }

    def __init__(self, *args, commune, **kwargs):
        super().__init__(*args, **kwargs)
        self.commune = commune
        if not self.instance.acheteur_siret and commune.siret_mairie:
            self.initial["acheteur_siret"] = commune.siret_mairie
        if not commune.siret_mairie:
            siren = f" (celui de la commune commence par son SIREN, {commune.siren})"
            self.fields["acheteur_siret"].help_text = (
                "14 chiffres. La commune n'a pas de SIRET de mairie enregistré : saisissez "
                f"celui de l'acheteur{siren if commune.siren else ''}."
            )
        self.fields["considerations_sociales"].initial = [
            valeur for valeur, champ in SOCIALES.items() if getattr(self.instance, champ)
        ]
        self.fields["considerations_environnementales"].initial = [
            valeur for valeur, champ in ENVIRONNEMENTALES.items() if getattr(self.instance, champ)
        ]

    def champs_du_marche(self) -> list[str]:
        """The contract's fields this form sets, considerations as their flags: what a
        conflict of versions compares."""
        noms = [nom for nom in self.Meta.fields if not nom.startswith("considerations_")]
        return noms + list(SOCIALES.values()) + list(ENVIRONNEMENTALES.values())

    def clean_id_decp(self):
        return self.cleaned_data["id_decp"].strip()

    def clean_acheteur_siret(self):
        siret = re.sub(r"\s", "", self.cleaned_data["acheteur_siret"])
        valider_siret(siret)
        return siret

    def clean_code_cpv(self):
        return self.cleaned_data["code_cpv"].strip()

    def clean(self):
        donnees = super().clean()
        code, type_code = donnees.get("lieu_code"), donnees.get("lieu_type_code")
        if code and not type_code:
            self.add_error("lieu_type_code", "Choisissez le type du code de lieu d'exécution.")
        elif type_code and not code:
            self.add_error("lieu_code", "Saisissez le code du lieu d'exécution, ou aucun type.")
        notification = donnees.get("date_notification")
        publication = donnees.get("date_publication")
        if notification and publication and publication < notification:
            self.add_error(
                "date_publication",
                "Les données d'un marché sont publiées après sa notification, pas avant.",
            )
        siret, id_decp = donnees.get("acheteur_siret"), donnees.get("id_decp")
        if siret and id_decp:
            doublon = Marche.objects.filter(acheteur_siret=siret, id_decp=id_decp)
            if self.instance.pk is not None:
                doublon = doublon.exclude(pk=self.instance.pk)
            if doublon.exists():
                self.add_error(
                    "id_decp",
                    f"L'acheteur {siret} a déjà un marché d'identifiant « {id_decp} » : "
                    "chaque marché d'un acheteur a son propre identifiant.",
                )
        return donnees

    def save(self, commit=True):
        marche = super().save(commit=False)
        sociales = set(self.cleaned_data["considerations_sociales"])
        for valeur, champ in SOCIALES.items():
            setattr(marche, champ, valeur in sociales)
        # A consideration ticked is a consideration known.
        marche.sociales_connues = bool(sociales) or self.cleaned_data["sociales_connues"]
        environnementales = set(self.cleaned_data["considerations_environnementales"])
        for valeur, champ in ENVIRONNEMENTALES.items():
            setattr(marche, champ, valeur in environnementales)
        marche.environnementales_connues = (
            bool(environnementales) or self.cleaned_data["environnementales_connues"]
        )
        if commit:
            marche.save()
        return marche


class TitulaireForm(forms.ModelForm):
    class Meta:
        model = Titulaire
        fields = ["type_identifiant", "identifiant", "denomination"]
        labels = {
            "type_identifiant": "Type d'identifiant",
            "identifiant": "Identifiant",
            "denomination": "Dénomination",
        }
        help_texts = {
            "identifiant": "Pour un SIRET, 14 chiffres : s'il est celui d'une structure de "
            "l'annuaire, le marché lui est rattaché.",
            "denomination": "Facultative : la raison sociale du titulaire.",
        }

    def clean(self):
        donnees = super().clean()
        identifiant = donnees.get("identifiant")
        if identifiant is None:
            return donnees
        if donnees.get("type_identifiant") == TypeIdentifiant.SIRET:
            identifiant = re.sub(r"\s", "", identifiant)
            try:
                valider_siret(identifiant)
            except forms.ValidationError as erreur:
                self.add_error("identifiant", erreur)
                return donnees
        donnees["identifiant"] = identifiant.strip()
        return donnees


class BaseTitulaireFormSet(BaseInlineFormSet):
    default_error_messages = {
        **BaseInlineFormSet.default_error_messages,
        "too_few_forms": "Indiquez au moins un titulaire du marché.",
        "too_many_forms": f"{TITULAIRES_MAX} titulaires au plus.",
    }

    def resume_erreurs(self):
        lignes = [
            {"ancre": None, "libelle": "Titulaires", "message": e} for e in self.non_form_errors()
        ]
        for rang, formulaire in enumerate(self.forms, start=1):
            lignes += _lignes_erreurs(formulaire, f"Titulaire {rang} : ")
        return lignes


TitulaireFormSet = inlineformset_factory(
    Marche,
    Titulaire,
    form=TitulaireForm,
    formset=BaseTitulaireFormSet,
    extra=2,
    min_num=1,
    validate_min=True,
    max_num=TITULAIRES_MAX,
    validate_max=True,
    can_delete=True,
)


class ClauseSocialeForm(ResumeErreurs, forms.ModelForm):
    heures_prevues = forms.IntegerField(
        label="Heures d'insertion prévues",
        required=False,
        min_value=0,
        max_value=HEURES_MAX,
        help_text="Le volume d'heures que le titulaire s'engage à confier à des personnes "
        "en insertion, s'il y en a un.",
        error_messages={
            "invalid": "Saisissez un nombre entier d'heures.",
            "min_value": "Les heures prévues ne peuvent pas être négatives.",
            "max_value": f"{HEURES_MAX:,} heures au plus : vérifiez la saisie.".replace(",", " "),
        },
    )

    class Meta:
        model = ClauseSociale
        fields = [
            "base_legale",
            "heures_prevues",
            "facilitateur_nom",
            "facilitateur_organisation",
            "description",
        ]
        labels = {
            "base_legale": "Base légale",
            "facilitateur_nom": "Facilitateur : nom",
            "facilitateur_organisation": "Facilitateur : organisation",
            "description": "Description",
        }
        help_texts = {
            "base_legale": "L'article du code de la commande publique sur lequel repose la clause.",
            "facilitateur_nom": "La personne qui accompagne la mise en œuvre de la clause.",
            "facilitateur_organisation": "Par exemple la maison de l'emploi ou le PLIE.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class SuiviHeuresForm(ResumeErreurs, forms.ModelForm):
    heures_realisees = forms.DecimalField(
        label="Heures réalisées",
        min_value=0,
        max_digits=9,
        decimal_places=1,
        localize=True,
        help_text="Les heures d'insertion faites pendant la période, par exemple 350 ou 350,5.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "invalid": "Saisissez un nombre d'heures, par exemple 350,5.",
            "min_value": "Les heures réalisées ne peuvent pas être négatives.",
            "max_digits": "Ce nombre d'heures est trop grand : vérifiez la saisie.",
            "max_whole_digits": "Ce nombre d'heures est trop grand : vérifiez la saisie.",
            "max_decimal_places": "Une décimale au plus.",
        },
    )
    personnes_embauchees = forms.IntegerField(
        label="Personnes embauchées",
        min_value=0,
        initial=0,
        help_text="Les personnes en insertion qui ont travaillé sur le marché pendant la période.",
        error_messages={
            "invalid": "Saisissez un nombre entier.",
            "min_value": "Le nombre de personnes embauchées ne peut pas être négatif.",
        },
    )
    contrats_signes = forms.IntegerField(
        label="Contrats de travail signés",
        min_value=0,
        initial=0,
        error_messages={
            "invalid": "Saisissez un nombre entier.",
            "min_value": "Le nombre de contrats signés ne peut pas être négatif.",
        },
    )

    class Meta:
        model = SuiviHeures
        fields = [
            "periode_debut",
            "periode_fin",
            "heures_realisees",
            "personnes_embauchees",
            "contrats_signes",
        ]
        labels = {"periode_debut": "Début de la période", "periode_fin": "Fin de la période"}
        help_texts = {"periode_fin": "Incluse. Les périodes d'une clause ne se recouvrent pas."}
        widgets = {"periode_debut": ChampDate, "periode_fin": ChampDate}
        error_messages = {
            "periode_debut": {"invalid": "Saisissez une date valide, par exemple 01/01/2026."},
            "periode_fin": {"invalid": "Saisissez une date valide, par exemple 31/03/2026."},
        }

    def __init__(self, *args, clause, **kwargs):
        super().__init__(*args, **kwargs)
        self.clause = clause
        self.instance.clause = clause

    def clean(self):
        donnees = super().clean()
        erreurs = erreurs_suivi(
            marche=self.clause.marche,
            periode_debut=donnees.get("periode_debut"),
            periode_fin=donnees.get("periode_fin"),
            heures=donnees.get("heures_realisees"),
            personnes=donnees.get("personnes_embauchees"),
            contrats=donnees.get("contrats_signes"),
        )
        for champ, message in erreurs.items():
            if champ not in self.errors:
                self.add_error(champ, message)
        debut, fin = donnees.get("periode_debut"), donnees.get("periode_fin")
        if debut and fin and "periode_fin" not in self.errors:
            chevauchement = erreur_chevauchement(
                clause=self.clause, periode_debut=debut, periode_fin=fin, exclure=self.instance.pk
            )
            if chevauchement:
                self.add_error("periode_debut", chevauchement)
        return donnees


class ImportDECPForm(ResumeErreurs, forms.Form):
    fichier = forms.FileField(
        label="Fichier JSON des DECP",
        help_text='Le format v2 : {"marches": {"marche": [...]}}, ou une liste de '
        "marchés. 20 Mo au plus ; au-delà, utilisez la commande manage.py import_decp.",
        widget=forms.FileInput(attrs={"accept": ".json,application/json"}),
    )
    tout_ou_rien = forms.BooleanField(
        label="Tout ou rien : ne rien écrire si un seul marché est invalide",
        required=False,
        help_text="Sans cette case, chaque marché valide est écrit et chaque marché invalide "
        "est signalé avec sa raison.",
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX_DECP:
            raise forms.ValidationError(
                "Le fichier dépasse 20 Mo : importez-le avec la commande "
                "« manage.py import_decp », qui le lit sans limite de taille."
            )
        return fichier
