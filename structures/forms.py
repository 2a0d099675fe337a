"""Forms of the structures' member pages. They check input; structures/services.py writes."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.text import slugify

from commune.concurrence import FormulaireVersionne
from commune.models import CODE_INSEE_REGEX, EPCI, Commune, Departement

from .enums import TypeSoutien
from .logos import TYPES_ACCEPTES, logo_prepare
from .models import Reseau, Secteur, Soutien, Structure, TypePrestation, TypeStructure
from .services import SIRET_DEJA_CONNU
from .siret import message_siret_invalide, siret_normalise

MAX_CANDIDATES = 5


class SaisieDate(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ChampSiret(forms.CharField):
    """14 digits; spaces and dots between groups are accepted and dropped."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "SIRET")
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", "Les 14 chiffres du SIRET de l'établissement (SIREN + NIC).")
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        if probleme := message_siret_invalide(value):
            raise ValidationError(probleme, code="siret")
        return siret_normalise(value)


def _libelle_commune(commune):
    return f"{commune.nom} ({commune.code_insee})"


class ChampCommune(forms.CharField):
    """A commune typed as its INSEE code, or its name followed by its département:
    « 35238 », « Rennes (35) », « Rennes ». A list of 35,000 communes fits no <select>:
    the text is resolved here, and an ambiguous or unknown name says so."""

    motif = re.compile(r"^(?P<nom>.*?)\s*(?:\((?P<code>[0-9A-Za-z]{2,5})\))?$")

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault(
            "help_text",
            "Le code INSEE (5 caractères, par exemple 35238) ou le nom suivi du numéro du "
            "département entre parenthèses, par exemple « Rennes (35) ».",
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        texte = " ".join(value.split())
        if re.fullmatch(CODE_INSEE_REGEX, texte.upper()):
            return self._par_code(texte.upper())
        correspondance = self.motif.match(texte)
        nom, code = correspondance["nom"], (correspondance["code"] or "").upper()
        if len(code) == 5:
            return self._par_code(code)
        communes = (
            Commune.objects.actuelles().filter(slug=slugify(nom)).select_related("departement")
        )
        if code:
            communes = communes.filter(departement__code=code.zfill(2))
        trouvees = list(communes.order_by("code_insee")[: MAX_CANDIDATES + 1])
        if len(trouvees) == 1:
            return trouvees[0]
        if not trouvees:
            dans = f" dans le département {code}" if code else ""
            raise ValidationError(
                f"Aucune commune ne s'appelle « {nom} »{dans}. Saisissez le code INSEE "
                "(5 caractères) ou le nom exact suivi du département, par exemple "
                "« Rennes (35) ».",
                code="inconnue",
            )
        liste = ", ".join(
            f"{c.nom} ({c.departement.code}, code INSEE {c.code_insee})"
            for c in trouvees[:MAX_CANDIDATES]
        )
        raise ValidationError(
            f"Plusieurs communes s'appellent « {nom} » : {liste}. Précisez le département "
            "entre parenthèses ou saisissez le code INSEE.",
            code="ambigue",
        )

    def _par_code(self, code):
        """The commune of that code; for the code of a merged commune, a commune déléguée
        or an arrondissement, the commune it belongs to now."""
        commune = Commune.objects.actuelles().filter(code_insee=code).first()
        commune = commune or Commune.actuelle_pour_le_code(code)
        if commune is None:
            raise ValidationError(
                f"Aucune commune n'a le code INSEE {code} : vérifiez-le sur le code officiel "
                "géographique.",
                code="inconnue",
            )
        return commune


class ChampCodes(forms.CharField):
    """A list of codes separated by spaces, commas or line breaks, each checked against
    a table; the unknown ones are listed together in one error."""

    def __init__(self, *, modele, champ, motif, quoi, **kwargs):
        self.modele, self.champ, self.motif, self.quoi = modele, champ, motif, quoi
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        codes = list(dict.fromkeys(c.upper() for c in re.split(r"[\s,;]+", value or "") if c))
        mal_formes = [c for c in codes if not re.fullmatch(self.motif, c)]
        if mal_formes:
            raise ValidationError(f"{self.quoi['forme']} : {', '.join(mal_formes)}.", code="forme")
        objets = {
            getattr(o, self.champ): o
            for o in self.modele.objects.filter(**{f"{self.champ}__in": codes})
        }
        inconnus = [c for c in codes if c not in objets]
        if inconnus:
            plusieurs = len(inconnus) > 1
            raise ValidationError(
                f"{self.quoi['inconnus' if plusieurs else 'inconnu']} : {', '.join(inconnus)}. "
                f"Corrigez ou retirez {'ces codes' if plusieurs else 'ce code'}.",
                code="inconnus",
            )
        return [objets[c] for c in codes]


# Claims and creation ------------------------------------------------------------------------


class RechercheStructureForm(forms.Form):
    q = forms.CharField(
        label="SIRET ou nom de la structure",
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text="Les 14 chiffres du SIRET, ou au moins 2 lettres du nom ou de l'enseigne.",
    )

    def clean_q(self):
        q = " ".join(self.cleaned_data["q"].split())
        self.siret = None
        if siret_normalise(q).isdigit():  # digits: the person typed a SIRET
            if probleme := message_siret_invalide(q):
                raise ValidationError(probleme, code="siret")
            self.siret = siret_normalise(q)
        elif len(q) < 2:
            raise ValidationError(
                "Saisissez au moins 2 caractères du nom, ou les 14 chiffres du SIRET.",
                code="trop_court",
            )
        return q


class DemandeRattachementForm(forms.Form):
    message = forms.CharField(
        label="Message",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Votre fonction dans la structure (direction, encadrement, accompagnement…) "
        "aide à traiter la demande.",
    )


class CreationStructureForm(forms.Form):
    siret = ChampSiret()
    type = forms.ModelChoiceField(
        label="Type de structure",
        queryset=TypeStructure.objects.all(),
        empty_label="Choisissez le type",
    )
    nom = forms.CharField(label="Raison sociale", max_length=200)
    enseigne = forms.CharField(
        label="Enseigne",
        max_length=200,
        required=False,
        help_text="Le nom sous lequel la structure est connue, s'il diffère de la raison sociale.",
    )
    commune = ChampCommune(label="Commune d'implantation")

    def clean_siret(self):
        siret = self.cleaned_data["siret"]
        if Structure.objects.filter(siret=siret).exists():
            raise ValidationError(SIRET_DEJA_CONNU, code="connu")
        return siret


# The profile ---------------------------------------------------------------------------------

valider_code_postal = RegexValidator(r"^[0-9]{5}$", "Un code postal compte 5 chiffres.")
valider_telephone = RegexValidator(
    r"^\+?[0-9][0-9 .\-()]{8,18}$",
    "Indiquez un numéro de téléphone : 10 chiffres, par exemple 02 99 00 00 00 ou "
    "+33 2 99 00 00 00.",
)


class CasesACocher(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class ProfilForm(FormulaireVersionne, forms.ModelForm):
    siret = ChampSiret(
        help_text="Modifiable tant que l'équipe de la plateforme n'a pas vérifié la structure."
    )
    commune = ChampCommune(label="Commune", required=False)
    telephone = forms.CharField(
        label="Téléphone",
        max_length=20,
        required=False,
        validators=[valider_telephone],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    site_web = forms.URLField(
        label="Site web",
        required=False,
        assume_scheme="https",
        help_text="Par exemple https://www.exemple.fr",
    )
    code_postal = forms.CharField(
        label="Code postal",
        max_length=5,
        required=False,
        validators=[valider_code_postal],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    secteurs = CasesACocher(
        label="Secteurs d'activité",
        required=False,
        queryset=Secteur.objects.select_related("groupe").order_by(
            "groupe__ordre", "groupe__nom", "nom"
        ),
    )
    types_prestation = CasesACocher(
        label="Types de prestation", required=False, queryset=TypePrestation.objects.all()
    )
    reseaux = CasesACocher(label="Réseaux", required=False, queryset=Reseau.objects.all())
    zones_communes = ChampCodes(
        label="Communes d'intervention (codes INSEE)",
        modele=Commune,
        champ="code_insee",
        motif=CODE_INSEE_REGEX,
        quoi={
            "forme": "Un code INSEE compte 5 caractères (2 chiffres, ou 2A/2B, puis 3 "
            "chiffres) ; ceux-ci n'en sont pas",
            "inconnu": "Code INSEE inconnu",
            "inconnus": "Codes INSEE inconnus",
        },
        help_text="Les codes INSEE séparés par des espaces, par exemple : 35238 35047.",
    )
    zones_epci = ChampCodes(
        label="EPCI d'intervention (SIREN)",
        modele=EPCI,
        champ="siren",
        motif=r"^[0-9]{9}$",
        quoi={
            "forme": "Un SIREN d'EPCI compte 9 chiffres ; ceux-ci n'en sont pas",
            "inconnu": "SIREN d'EPCI inconnu",
            "inconnus": "SIREN d'EPCI inconnus",
        },
        help_text="Les SIREN des intercommunalités, par exemple : 243500139.",
    )
    zones_departements = ChampCodes(
        label="Départements d'intervention (codes)",
        modele=Departement,
        champ="code",
        motif=r"^([0-9]{2,3}|2A|2B)$",
        quoi={
            "forme": "Un code de département compte 2 ou 3 caractères (35, 2A, 974) ; "
            "ceux-ci n'en sont pas",
            "inconnu": "Département inconnu",
            "inconnus": "Départements inconnus",
        },
        help_text="Les numéros des départements, par exemple : 35 56.",
    )
    etp_insertion = forms.DecimalField(
        label="ETP en insertion",
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=1,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text="Équivalents temps plein des salariés en parcours d'insertion, par exemple 24,5.",
    )
    taux_sorties_positives = forms.DecimalField(
        label="Part de sorties positives (%)",
        required=False,
        min_value=0,
        max_value=100,
        max_digits=4,
        decimal_places=1,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text="Emploi durable, emploi de transition ou formation, sur les sorties de "
        "l'année : un nombre de 0 à 100.",
    )
    logo = forms.FileField(
        label="Logo",
        required=False,
        help_text="Une image PNG, JPEG ou WebP de 2 Mo au plus ; elle est réduite pour tenir "
        "dans 400 × 400 pixels.",
        widget=forms.FileInput(attrs={"accept": TYPES_ACCEPTES}),
    )
    supprimer_logo = forms.BooleanField(label="Supprimer le logo actuel", required=False)

    class Meta:
        model = Structure
        fields = [
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
            "secteurs",
            "types_prestation",
            "reseaux",
            "etp_insertion",
            "personnes_accompagnees",
            "taux_sorties_positives",
            "fin_conventionnement",
            "publiee",
        ]
        labels = {
            "nom": "Raison sociale",
            "type": "Type de structure",
            "forme_juridique": "Forme juridique",
            "adresse": "Adresse",
            "email": "E-mail de contact",
            "email_public": "Publier l'e-mail sur la fiche publique",
            "telephone_public": "Publier le téléphone sur la fiche publique",
            "site_web_public": "Publier le site web sur la fiche publique",
            "personnes_accompagnees": "Personnes accompagnées sur les 12 derniers mois",
            "fin_conventionnement": "Fin du conventionnement",
            "publiee": "Publier la fiche dans l'annuaire",
        }
        help_texts = {
            "enseigne": "Le nom sous lequel la structure est connue, s'il diffère de la "
            "raison sociale.",
            "forme_juridique": "Par exemple : association loi 1901, SAS, SCOP.",
            "description": "L'activité, le public accompagné, ce que la structure propose "
            "aux acheteurs publics.",
            "fin_conventionnement": "Date de fin de la convention avec l'État (SIAE).",
            "publiee": "Une fiche vérifiée par l'équipe de la plateforme et publiée est "
            "visible de tous.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "fin_conventionnement": SaisieDate(),
        }
        error_messages = {"siret": {"unique": SIRET_DEJA_CONNU}}

    # Published or not, each contact field is shown next to its checkbox.
    CONTACTS = (
        ("email", "email_public"),
        ("telephone", "telephone_public"),
        ("site_web", "site_web_public"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        structure = self.instance
        if structure.verifiee:
            # Verified by staff against SIRENE: no longer the structure's to change.
            del self.fields["siret"]
        self.fields["type"].empty_label = None
        if not self.is_bound and structure.pk:
            if structure.commune_id:
                self.initial["commune"] = _libelle_commune(structure.commune)
            for nom, champ in (
                ("zones_communes", "code_insee"),
                ("zones_epci", "siren"),
                ("zones_departements", "code"),
            ):
                self.initial[nom] = " ".join(
                    getattr(o, champ) for o in getattr(structure, nom).all()
                )
        if not structure.logo:
            del self.fields["supprimer_logo"]

    def clean_logo(self):
        fichier = self.cleaned_data.get("logo")
        if not fichier:
            return None
        return logo_prepare(fichier)

    def groupes_de_secteurs(self):
        """[(group, [checkbox, …]), …]: the sectors as one fieldset per group."""
        groupes = []
        for case in self["secteurs"]:
            groupe = case.data["value"].instance.groupe
            if not groupes or groupes[-1][0] != groupe:
                groupes.append((groupe, []))
            groupes[-1][1].append(case)
        return groupes

    def contacts(self):
        return [(self[valeur], self[public]) for valeur, public in self.CONTACTS]


# Members ---------------------------------------------------------------------------------


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Adresse e-mail", widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    est_admin = forms.BooleanField(
        label="Administrateur de la structure",
        required=False,
        help_text="Un administrateur invite et retire des membres et décide des demandes de "
        "rattachement.",
    )


class AdministrateurForm(forms.Form):
    est_admin = forms.TypedChoiceField(
        choices=[("oui", "Administrateur"), ("non", "Membre")],
        coerce=lambda valeur: valeur == "oui",
    )


# Supports from communes -------------------------------------------------------------------


class ChoixStructure(forms.ModelChoiceField):
    def label_from_instance(self, structure):
        ville = f", {structure.commune.nom}" if structure.commune_id else ""
        return f"{structure} — SIRET {structure.siret}{ville}"


class SoutienForm(forms.ModelForm):
    # Validates any verified structure; the page shows the search results only.
    structure = ChoixStructure(
        label="Structure soutenue",
        queryset=Structure.objects.filter(verifiee=True).select_related("commune"),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez la structure soutenue : cherchez-la par son SIRET ou son nom.",
            "invalid_choice": "Cette structure n'est pas dans l'annuaire des structures "
            "vérifiées : choisissez-en une parmi les résultats de la recherche.",
        },
    )
    type = forms.ChoiceField(
        label="Type de soutien", choices=TypeSoutien.choices, widget=forms.RadioSelect
    )
    montant = forms.DecimalField(
        label="Montant (€)",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="En euros ; laissez vide pour un soutien sans montant (un partenariat…).",
        error_messages={"min_value": "Le montant ne peut pas être négatif."},
    )
    annee = forms.IntegerField(label="Année")

    class Meta:
        model = Soutien
        fields = ["structure", "type", "montant", "annee", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Next year: a support voted in the autumn for the coming year.
        derniere = timezone.localdate().year + 1
        annee = self.fields["annee"]
        annee.max_value = derniere
        annee.widget.attrs.update({"min": 2000, "max": derniere})
        annee.help_text = f"De 2000 à {derniere}."
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("annee", timezone.localdate().year)

    def clean_annee(self):
        annee = self.cleaned_data["annee"]
        derniere = self.fields["annee"].max_value
        if not 2000 <= annee <= derniere:
            raise ValidationError(
                f"L'année d'un soutien va de 2000 à {derniere} : {annee} n'en fait pas partie.",
                code="annee",
            )
        return annee
