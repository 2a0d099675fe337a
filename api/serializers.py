"""What the API shows and accepts. Serializers describe and check; the apps' services
write (axes.services, structures.services, marches.services, commune.services)."""

from contextlib import suppress
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from axes.enums import NaturePreuve, Statut
from axes.models import Action, Axe, Jalon, Preuve, Referentiel
from commune.enums import StatutRapport
from commune.models import EPCI, Commune, Departement, Rapport
from marches.enums import (
    BaseLegale,
    ConsiderationEnvironnementale,
    ConsiderationSociale,
    FormePrix,
    Nature,
    Procedure,
    TypeCodeLieu,
    TypeIdentifiant,
)
from marches.models import HEURES_MAX, PERSONNES_MAX
from structures.enums import TypeSoutien
from structures.forms import valider_code_postal, valider_telephone
from structures.models import Reseau, Secteur, TypePrestation, TypeStructure

# Communes and their scores -------------------------------------------------------------


TEXTE_ATTENDU = "Donnez un texte, entre guillemets."
BOOLEEN_ATTENDU = "Donnez true ou false."
# Field type → (JSON type its value must have, message).
TYPES_STRICTS = (
    (serializers.CharField, str, TEXTE_ATTENDU),
    (serializers.BooleanField, bool, BOOLEEN_ATTENDU),
)


class TextesStricts:
    """Refuses a number where the document says text, a 0 or a "oui" where it says a
    boolean: DRF would take 12.5 for "12.5" and 0 for false without a word, and a
    script's mistake would go unnoticed."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            erreurs = {}
            for nom, champ in self.fields.items():
                if champ.read_only or data.get(nom) is None:
                    continue
                for classe, type_json, message in TYPES_STRICTS:
                    if isinstance(champ, classe) and not isinstance(data[nom], type_json):
                        erreurs[nom] = [message]
            if erreurs:
                raise serializers.ValidationError(erreurs)
        return super().to_internal_value(data)


class NombreArrondi(serializers.DecimalField):
    """A number rounded to its decimal places (half up) before it is checked: 12.345 € is
    12.35 €, not a refusal, as a JSON number is a float whose last digits are noise."""

    def validate_precision(self, value):
        if self.decimal_places is not None and value.is_finite():
            # A number too large to round is left as it is, for max_digits to refuse.
            with suppress(InvalidOperation):
                value = value.quantize(Decimal(1).scaleb(-self.decimal_places), ROUND_HALF_UP)
        return super().validate_precision(value)


class AxeScoreSerializer(serializers.Serializer):
    numero = serializers.IntegerField(help_text="Numéro de l'axe du guide.")
    avancement = serializers.FloatField(
        allow_null=True,
        help_text="Avancement de l'axe, en %, arrondi au dixième ; null si aucune action de "
        "l'axe ne concerne la commune.",
    )
    taux_engagement = serializers.FloatField(
        allow_null=True, help_text="Taux d'engagement de l'axe, en % ; null comme ci-dessus."
    )


class ActionStatutSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Code de l'action, par exemple 1.2.")
    statut = serializers.ChoiceField(
        choices=Statut.choices,
        help_text="Statut tel qu'il compte dans le score : une action déclarée réalisée sans "
        "preuve compte comme engagée.",
    )
    avancement = serializers.IntegerField(
        allow_null=True, help_text="Avancement déclaré, en %, pour une action en cours."
    )


class CommuneSerializer(serializers.Serializer):
    """The fields of the open-data file (/donnees/), one commune, plus its links."""

    code_insee = serializers.CharField(help_text="Code officiel géographique (INSEE).")
    commune = serializers.CharField(help_text="Nom de la commune.")
    siren = serializers.CharField(
        allow_null=True, help_text="SIREN de la commune (null si inconnu)."
    )
    code_departement = serializers.CharField()
    departement = serializers.CharField(help_text="Nom du département.")
    code_region = serializers.CharField()
    region = serializers.CharField(help_text="Nom de la région.")
    population = serializers.IntegerField(
        allow_null=True, help_text="Population municipale (null si inconnue)."
    )
    siren_epci = serializers.CharField(
        allow_null=True, help_text="SIREN de l'intercommunalité (null si aucune)."
    )
    signataire = serializers.BooleanField(help_text="La commune a signé le guide.")
    date_signature = serializers.DateField(allow_null=True)
    avancement = serializers.FloatField(
        help_text="Avancement global, en %, arrondi au dixième (voir /methodologie/)."
    )
    taux_engagement = serializers.FloatField(help_text="Taux d'engagement global, en %.")
    derniere_mise_a_jour = serializers.DateField(
        allow_null=True, help_text="Dernière modification d'une action par la commune."
    )
    axes = AxeScoreSerializer(many=True)
    actions = ActionStatutSerializer(many=True)
    url = serializers.URLField(help_text="Cette commune dans l'API.")
    page = serializers.URLField(help_text="Sa page publique (fiche de la commune).")


class AxeDetailSerializer(AxeScoreSerializer):
    titre = serializers.CharField()
    exclu = serializers.BooleanField(
        help_text="Toutes les actions de l'axe sont « non concerné » : l'axe ne compte pas."
    )
    comptes = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Nombre d'actions de l'axe par statut retenu (tous les statuts présents).",
    )


class EluReferentSerializer(serializers.Serializer):
    nom = serializers.CharField()
    mandat = serializers.CharField()
    depuis = serializers.DateField(allow_null=True)


class EpciSerializer(serializers.Serializer):
    siren = serializers.CharField()
    nom = serializers.CharField()
    nature = serializers.CharField()


class LiensCommuneSerializer(serializers.Serializer):
    engagements = serializers.URLField()
    marches = serializers.URLField()
    indicateurs_marches = serializers.URLField()
    soutiens = serializers.URLField()
    rapports = serializers.URLField()


class CommuneDetailSerializer(CommuneSerializer):
    axes = AxeDetailSerializer(many=True)
    comptes = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Nombre d'actions du guide par statut retenu, sur toute la commune.",
    )
    epci = EpciSerializer(allow_null=True)
    elu_referent = EluReferentSerializer(
        allow_null=True, help_text="L'élu référent ESS/IAE désigné (action 2.1), s'il y en a un."
    )
    liens = LiensCommuneSerializer()


# Referentials ------------------------------------------------------------------------------


class ActionReferentielSerializer(serializers.ModelSerializer):
    axe = serializers.IntegerField(source="axe.numero", help_text="Numéro de l'axe.")
    correspondances = serializers.SerializerMethodField(
        help_text="Pour un engagement de campagne : les codes des actions du guide qu'il sert."
    )

    class Meta:
        model = Action
        fields = ["code", "titre", "resume", "poids", "axe", "correspondances"]

    def get_correspondances(self, action) -> list[str]:
        return [a.code for a in action.correspondances.all()]


class AxeReferentielSerializer(serializers.ModelSerializer):
    actions = ActionReferentielSerializer(many=True, read_only=True)

    class Meta:
        model = Axe
        fields = ["numero", "titre", "resume", "actions"]


class ReferentielSerializer(serializers.ModelSerializer):
    axes = AxeReferentielSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Referentiel
        fields = ["id", "code", "version", "type", "titre", "source", "description", "axes", "url"]

    def get_url(self, referentiel) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api:referentiel", args=[referentiel.pk])
        )


# Engagements, evidence, milestones -------------------------------------------------------


class PreuveSerializer(TextesStricts, serializers.ModelSerializer):
    """A piece of evidence: a link, or a file served by the site (whoever may see it)."""

    url = serializers.SerializerMethodField(
        help_text="Le lien, ou l'adresse du fichier sur le site pour une preuve jointe."
    )
    fichier = serializers.SerializerMethodField(help_text="Vrai pour un fichier joint.")

    class Meta:
        model = Preuve
        fields = ["id", "titre", "nature", "date", "publique", "url", "fichier"]

    def get_fichier(self, preuve) -> bool:
        return not preuve.url

    def get_url(self, preuve) -> str:
        if preuve.url:
            return preuve.url
        engagement = preuve.engagement
        return self.context["request"].build_absolute_uri(
            reverse(
                "espace:engagements:preuve_fichier",
                args=[engagement.commune.code_insee, engagement.action.code, preuve.pk],
            )
        )


class PreuveLienSerializer(TextesStricts, serializers.Serializer):
    """A new piece of evidence, as a link: files are sent from the website."""

    titre = serializers.CharField(max_length=200)
    nature = serializers.ChoiceField(choices=NaturePreuve.choices, default=NaturePreuve.AUTRE)
    date = serializers.DateField(help_text="Date du document (AAAA-MM-JJ).")
    publique = serializers.BooleanField(
        default=True, help_text="Faux : réservée aux membres de la commune."
    )
    url = serializers.URLField(
        max_length=500, help_text="Adresse complète du document en ligne, https://…"
    )


class JalonSerializer(TextesStricts, serializers.ModelSerializer):
    class Meta:
        model = Jalon
        fields = ["id", "date", "titre", "description", "atteint"]
        read_only_fields = ["id"]


class EngagementSerializer(serializers.Serializer):
    """One action of the guide for one commune; `non renseigné` when never filled in."""

    code = serializers.CharField(source="action.code", help_text="Code de l'action.")
    titre = serializers.CharField(source="action.titre")
    axe = serializers.IntegerField(source="action.axe.numero")
    poids = serializers.IntegerField(source="action.poids")
    statut = serializers.ChoiceField(choices=Statut.choices, help_text="Statut déclaré.")
    statut_retenu = serializers.ChoiceField(
        choices=Statut.choices,
        help_text="Statut qui compte dans le score : « réalisé » sans preuve compte « engagé ».",
    )
    avancement = serializers.IntegerField(allow_null=True)
    date_cible = serializers.DateField(allow_null=True)
    pilote = serializers.CharField(help_text="Nom du pilote, membre ou nom libre.")
    description = serializers.CharField()
    justification = serializers.CharField()
    note_interne = serializers.CharField(
        required=False, help_text="Présente pour les seuls membres de la commune."
    )
    updated_at = serializers.DateTimeField(allow_null=True)
    preuves = PreuveSerializer(
        many=True, help_text="Preuves publiques ; les membres voient aussi les autres."
    )
    jalons = JalonSerializer(many=True)
    url = serializers.URLField()
    page = serializers.URLField(help_text="La page publique de l'action.")


class EngagementModificationSerializer(TextesStricts, serializers.Serializer):
    """What a member may change; absent fields are left as they are."""

    statut = serializers.ChoiceField(
        choices=Statut.choices,
        required=False,
        help_text="« engagé » demande une date cible, « en cours » un avancement, « réalisé » "
        "au moins une preuve, « non concerné » une justification.",
    )
    avancement = serializers.IntegerField(
        min_value=0, max_value=100, allow_null=True, required=False, help_text="De 0 à 100."
    )
    date_cible = serializers.DateField(allow_null=True, required=False)
    pilote_nom = serializers.CharField(
        max_length=200,
        allow_blank=True,
        required=False,
        help_text="Le pilote, par son nom ; remplace le membre désigné comme pilote.",
    )
    description = serializers.CharField(allow_blank=True, required=False)
    note_interne = serializers.CharField(allow_blank=True, required=False)
    justification = serializers.CharField(allow_blank=True, required=False)

    def validate(self, donnees):
        if not donnees:
            raise serializers.ValidationError(
                "Aucun champ à modifier : envoyez au moins l'un des champs de l'engagement."
            )
        return donnees


# Structures ------------------------------------------------------------------------------


class TypeStructureSerializer(serializers.Serializer):
    code = serializers.CharField()
    nom = serializers.CharField()
    famille = serializers.CharField()


class SecteurSerializer(serializers.Serializer):
    slug = serializers.CharField()
    nom = serializers.CharField()
    groupe = serializers.CharField(source="groupe.nom")


class CommuneCourteSerializer(serializers.Serializer):
    code_insee = serializers.CharField()
    nom = serializers.CharField()


class StructureSerializer(serializers.Serializer):
    siret = serializers.CharField()
    nom = serializers.CharField(help_text="Raison sociale.")
    enseigne = serializers.CharField()
    type = TypeStructureSerializer()
    commune = CommuneCourteSerializer(allow_null=True, help_text="Commune d'implantation.")
    secteurs = SecteurSerializer(many=True)
    updated_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()

    def get_url(self, structure) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api:structure", args=[structure.siret])
        )

    def get_page(self, structure) -> str:
        return self.context["request"].build_absolute_uri(structure.get_absolute_url())


class ChiffreSerializer(serializers.Serializer):
    valeur = serializers.FloatField(allow_null=True)
    mis_a_jour_le = serializers.DateField(allow_null=True)


class StructureDetailSerializer(StructureSerializer):
    forme_juridique = serializers.CharField()
    description = serializers.CharField()
    adresse = serializers.CharField()
    code_postal = serializers.CharField()
    email = serializers.SerializerMethodField(help_text="Null s'il n'est pas publié.")
    telephone = serializers.SerializerMethodField(help_text="Null s'il n'est pas publié.")
    site_web = serializers.SerializerMethodField(help_text="Null s'il n'est pas publié.")
    types_prestation = serializers.SerializerMethodField(help_text="Codes des types de prestation.")
    reseaux = serializers.SerializerMethodField(help_text="Slugs des réseaux.")
    zones_communes = serializers.SerializerMethodField(
        help_text="Codes INSEE des communes d'intervention."
    )
    zones_epci = serializers.SerializerMethodField(help_text="SIREN des EPCI d'intervention.")
    zones_departements = serializers.SerializerMethodField(
        help_text="Codes des départements d'intervention."
    )
    etp_insertion = serializers.SerializerMethodField()
    personnes_accompagnees = serializers.SerializerMethodField()
    taux_sorties_positives = serializers.SerializerMethodField()
    fin_conventionnement = serializers.DateField(allow_null=True)
    logo = serializers.SerializerMethodField()
    verifiee = serializers.BooleanField()
    publiee = serializers.BooleanField()

    def _contact(self, structure, champ):
        valeur = getattr(structure, champ)
        if getattr(structure, f"{champ}_public") or self.context.get("membre"):
            return valeur or None
        return None

    def get_email(self, structure) -> str | None:
        return self._contact(structure, "email")

    def get_telephone(self, structure) -> str | None:
        return self._contact(structure, "telephone")

    def get_site_web(self, structure) -> str | None:
        return self._contact(structure, "site_web")

    def _chiffre(self, structure, champ):
        valeur = getattr(structure, champ)
        return {
            "valeur": None if valeur is None else float(valeur),
            "mis_a_jour_le": getattr(structure, f"{champ}_maj"),
        }

    def get_types_prestation(self, structure) -> list[str]:
        return [t.code for t in structure.types_prestation.all()]

    def get_reseaux(self, structure) -> list[str]:
        return [r.slug for r in structure.reseaux.all()]

    def get_zones_communes(self, structure) -> list[str]:
        return [c.code_insee for c in structure.zones_communes.all()]

    def get_zones_epci(self, structure) -> list[str]:
        return [e.siren for e in structure.zones_epci.all()]

    def get_zones_departements(self, structure) -> list[str]:
        return [d.code for d in structure.zones_departements.all()]

    def get_etp_insertion(self, structure) -> ChiffreSerializer:
        return self._chiffre(structure, "etp_insertion")

    def get_personnes_accompagnees(self, structure) -> ChiffreSerializer:
        return self._chiffre(structure, "personnes_accompagnees")

    def get_taux_sorties_positives(self, structure) -> ChiffreSerializer:
        return self._chiffre(structure, "taux_sorties_positives")

    def get_logo(self, structure) -> str | None:
        if not structure.logo:
            return None
        return self.context["request"].build_absolute_uri(
            reverse("structures:logo", args=[structure.siret])
        )


class ListeDeCodes(serializers.ListField):
    """Codes of a table (slugs, INSEE codes…), checked against it in one query."""

    def __init__(self, *, queryset, champ, quoi, **kwargs):
        self.queryset, self.champ, self.quoi = queryset, champ, quoi
        kwargs.setdefault("child", serializers.CharField(max_length=60))
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 500)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        codes = list(dict.fromkeys(super().to_internal_value(data)))
        objets = {
            getattr(o, self.champ): o
            for o in self.queryset.filter(**{f"{self.champ}__in": codes}).order_by()
        }
        inconnus = [c for c in codes if c not in objets]
        if inconnus:
            raise serializers.ValidationError(f"{self.quoi} inconnu(s) : {', '.join(inconnus)}.")
        return [objets[c] for c in codes]


class ObjetParCode(serializers.CharField):
    """One row of a table by its code; null empties the field when allowed."""

    def __init__(self, *, queryset, champ, quoi, **kwargs):
        self.queryset, self.champ, self.quoi = queryset, champ, quoi
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        code = super().to_internal_value(data)
        objet = self.queryset.filter(**{self.champ: code}).first()
        if objet is None:
            raise serializers.ValidationError(f"{self.quoi} inconnu : {code}.")
        return objet


class StructureModificationSerializer(TextesStricts, serializers.Serializer):
    """The profile fields a member changes; absent fields are left as they are. A figure
    that changes gets today as its date of update."""

    nom = serializers.CharField(max_length=200, required=False, help_text="Raison sociale.")
    enseigne = serializers.CharField(max_length=200, allow_blank=True, required=False)
    type = ObjetParCode(
        queryset=TypeStructure.objects.all(),
        champ="code",
        quoi="Type de structure",
        help_text="Code du type (EI, ACI…).",
    )
    forme_juridique = serializers.CharField(max_length=100, allow_blank=True, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    adresse = serializers.CharField(max_length=300, allow_blank=True, required=False)
    code_postal = serializers.CharField(
        max_length=5, allow_blank=True, required=False, validators=[valider_code_postal]
    )
    commune = ObjetParCode(
        queryset=Commune.objects.all(),
        champ="code_insee",
        quoi="Code INSEE",
        allow_null=True,
        help_text="Code INSEE de la commune d'implantation.",
    )
    email = serializers.EmailField(allow_blank=True, required=False)
    email_public = serializers.BooleanField(required=False)
    telephone = serializers.CharField(
        max_length=20, allow_blank=True, required=False, validators=[valider_telephone]
    )
    telephone_public = serializers.BooleanField(required=False)
    site_web = serializers.URLField(max_length=200, allow_blank=True, required=False)
    site_web_public = serializers.BooleanField(required=False)
    etp_insertion = NombreArrondi(
        max_digits=7, decimal_places=1, min_value=0, allow_null=True, required=False
    )
    personnes_accompagnees = serializers.IntegerField(
        min_value=0, max_value=2_147_483_647, allow_null=True, required=False
    )
    taux_sorties_positives = NombreArrondi(
        max_digits=4, decimal_places=1, min_value=0, max_value=100, allow_null=True, required=False
    )
    fin_conventionnement = serializers.DateField(allow_null=True, required=False)
    publiee = serializers.BooleanField(
        required=False, help_text="Faux : la fiche est retirée de l'annuaire public."
    )
    secteurs = ListeDeCodes(queryset=Secteur.objects.all(), champ="slug", quoi="Secteur")
    types_prestation = ListeDeCodes(
        queryset=TypePrestation.objects.all(), champ="code", quoi="Type de prestation"
    )
    reseaux = ListeDeCodes(queryset=Reseau.objects.all(), champ="slug", quoi="Réseau")
    zones_communes = ListeDeCodes(
        queryset=Commune.objects.all(), champ="code_insee", quoi="Code INSEE"
    )
    zones_epci = ListeDeCodes(queryset=EPCI.objects.all(), champ="siren", quoi="SIREN d'EPCI")
    zones_departements = ListeDeCodes(
        queryset=Departement.objects.all(), champ="code", quoi="Département"
    )

    def validate(self, donnees):
        if not donnees:
            raise serializers.ValidationError(
                "Aucun champ à modifier : envoyez au moins l'un des champs de la fiche."
            )
        return donnees


# Contracts ---------------------------------------------------------------------------------


class TitulaireSerializer(TextesStricts, serializers.Serializer):
    type_identifiant = serializers.ChoiceField(
        choices=TypeIdentifiant.choices, default=TypeIdentifiant.SIRET
    )
    identifiant = serializers.CharField(max_length=30)
    denomination = serializers.CharField(max_length=200, allow_blank=True, default="")
    structure = serializers.SerializerMethodField(
        help_text="SIRET de la structure de l'annuaire qui tient le marché, si elle y est publiée."
    )

    def get_structure(self, titulaire) -> str | None:
        structure = titulaire.structure
        if structure is None or not (structure.verifiee and structure.publiee):
            return None
        return structure.siret


class ClauseSerializer(TextesStricts, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    base_legale = serializers.ChoiceField(
        choices=BaseLegale.choices, help_text="Article du code de la commande publique."
    )
    heures_prevues = serializers.IntegerField(
        min_value=0, max_value=HEURES_MAX, allow_null=True, required=False
    )
    facilitateur_organisation = serializers.CharField(
        max_length=200, allow_blank=True, required=False
    )
    facilitateur_nom = serializers.CharField(
        max_length=200,
        allow_blank=True,
        required=False,
        help_text="Présent pour les seuls membres de la commune et titulaires du marché.",
    )
    description = serializers.CharField(allow_blank=True, required=False)
    heures_realisees = serializers.FloatField(
        read_only=True, help_text="Total des heures déclarées dans le suivi."
    )
    personnes_embauchees = serializers.IntegerField(read_only=True)
    contrats_signes = serializers.IntegerField(read_only=True)
    periodes = serializers.IntegerField(read_only=True, help_text="Nombre de périodes de suivi.")
    depassement = serializers.BooleanField(
        read_only=True, help_text="Les heures réalisées dépassent les heures prévues."
    )

    def to_representation(self, clause):
        donnees = {
            "id": clause.pk,
            "base_legale": clause.base_legale,
            "heures_prevues": clause.heures_prevues,
            "facilitateur_organisation": clause.facilitateur_organisation,
            "description": clause.description,
            "heures_realisees": float(clause.total_heures or 0),
            "personnes_embauchees": clause.total_personnes or 0,
            "contrats_signes": clause.total_contrats or 0,
            "periodes": clause.nombre_periodes,
            "depassement": clause.heures_prevues is not None
            and (clause.total_heures or 0) > clause.heures_prevues,
        }
        # True: the reader sees every contract's; else the set of contracts whose they see.
        voit_prive = self.context.get("voit_prive", ())
        if voit_prive is True or clause.marche_id in voit_prive:
            donnees["facilitateur_nom"] = clause.facilitateur_nom
        return donnees


# What `Marche.considerations_sociales` (and environnementales) say when the data do not.
NON_RENSEIGNE = ("Non renseigné", "Non renseigné")


class MarcheSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    id_decp = serializers.CharField(help_text="Identifiant du marché dans les DECP.")
    acheteur_siret = serializers.CharField()
    commune = CommuneCourteSerializer(allow_null=True, help_text="Commune acheteuse.")
    epci = EpciSerializer(allow_null=True, help_text="Intercommunalité acheteuse.")
    objet = serializers.CharField()
    code_cpv = serializers.CharField()
    procedure = serializers.ChoiceField(choices=Procedure.choices)
    nature = serializers.ChoiceField(choices=Nature.choices)
    montant = serializers.FloatField(
        allow_null=True, help_text="Montant en vigueur, en euros HT (null : inconnu)."
    )
    montant_initial = serializers.FloatField(allow_null=True)
    date_notification = serializers.DateField(
        allow_null=True, help_text="Null : le fichier DECP ne donne aucune date."
    )
    date_publication = serializers.DateField(allow_null=True)
    duree_mois = serializers.IntegerField(allow_null=True, help_text="Null : inconnue.")
    incomplet = serializers.BooleanField(
        help_text="Vrai : les données publiées n'ont pas tous les champs (voir `manques`)."
    )
    manques = serializers.CharField(help_text="Ce qui manque aux données publiées.")
    forme_prix = serializers.CharField()
    lieu_code = serializers.CharField()
    lieu_type_code = serializers.CharField()
    considerations_sociales = serializers.ListField(
        child=serializers.ChoiceField(choices=[*ConsiderationSociale.choices, NON_RENSEIGNE]),
        help_text="Valeurs DECP ; « Pas de considération sociale » quand il n'y en a aucune, "
        "« Non renseigné » quand les données ne les donnent pas (DECP antérieures à 2024).",
    )
    sociales_connues = serializers.BooleanField(
        help_text="Faux : les considérations sociales ne sont pas renseignées ; le marché "
        "ne compte ni avec ni sans considération sociale."
    )
    considerations_environnementales = serializers.ListField(
        child=serializers.ChoiceField(
            choices=[*ConsiderationEnvironnementale.choices, NON_RENSEIGNE]
        )
    )
    publie = serializers.BooleanField(help_text="Faux : visible des seuls membres.")
    titulaires = TitulaireSerializer(many=True, source="titulaires.all")
    clauses = ClauseSerializer(many=True, source="clauses.all")
    updated_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, marche) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:marche", args=[marche.pk]))

    def to_representation(self, marche):
        donnees = super().to_representation(marche)
        donnees["montant"] = None if marche.montant is None else float(marche.montant)
        return donnees


@extend_schema_field(
    {"type": "string", "pattern": r"^\s*([0-9]\s*){14}$", "example": "21350238800019"}
)
class ChampSiret(serializers.CharField):
    """14 digits, spaces ignored: the shape the document gives (the check key is the web
    form's to verify)."""


@extend_schema_field(
    {"type": "string", "pattern": r"^\s*[0-9]{8}(-[0-9])?\s*$", "example": "45210000-2"}
)
class ChampCpv(serializers.CharField):
    pass


class MarcheEcritureSerializer(TextesStricts, serializers.Serializer):
    """A contract entered or changed by a member. On a change, absent fields are kept.
    The rules of the web form apply (marches.forms.MarcheForm)."""

    id_decp = serializers.CharField(max_length=64)
    # No max_length: the spaces around are trimmed before it is checked, and the pattern
    # bounds the digits.
    acheteur_siret = ChampSiret(required=False, help_text="Par défaut : le SIRET de la mairie.")
    objet = serializers.CharField()
    code_cpv = ChampCpv()
    procedure = serializers.ChoiceField(choices=Procedure.choices)
    nature = serializers.ChoiceField(choices=Nature.choices, default=Nature.MARCHE)
    montant = NombreArrondi(max_digits=14, decimal_places=2, min_value=0)
    date_notification = serializers.DateField()
    date_publication = serializers.DateField(allow_null=True, required=False)
    duree_mois = serializers.IntegerField(min_value=1, max_value=999)
    forme_prix = serializers.ChoiceField(
        choices=FormePrix.choices, allow_blank=True, required=False
    )
    lieu_code = serializers.CharField(max_length=10, allow_blank=True, required=False)
    lieu_type_code = serializers.ChoiceField(
        choices=TypeCodeLieu.choices, allow_blank=True, required=False
    )
    considerations_sociales = serializers.ListField(
        child=serializers.ChoiceField(
            choices=[c for c in ConsiderationSociale.choices if c[0] != ConsiderationSociale.AUCUNE]
        ),
        required=False,
        help_text="Liste vide : pas de considération sociale (si `sociales_connues`).",
    )
    sociales_connues = serializers.BooleanField(
        required=False,
        help_text="Faux : les données du marché ne disent pas ses considérations sociales ; "
        "il ne compte ni avec ni sans. Vrai par défaut ; une considération donnée les rend "
        "connues.",
    )
    environnementales_connues = serializers.BooleanField(required=False)
    considerations_environnementales = serializers.ListField(
        child=serializers.ChoiceField(
            choices=[
                c
                for c in ConsiderationEnvironnementale.choices
                if c[0] != ConsiderationEnvironnementale.AUCUNE
            ]
        ),
        required=False,
    )
    publie = serializers.BooleanField(required=False)
    titulaires = TitulaireSerializer(
        many=True,
        required=False,
        help_text="À la création, au moins un. À la modification, la liste remplace la précédente.",
    )


class SuiviSerializer(TextesStricts, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    periode_debut = serializers.DateField()
    periode_fin = serializers.DateField(help_text="Incluse.")
    heures_realisees = NombreArrondi(
        max_digits=9, decimal_places=1, min_value=0, max_value=HEURES_MAX, coerce_to_string=False
    )
    personnes_embauchees = serializers.IntegerField(min_value=0, max_value=PERSONNES_MAX, default=0)
    contrats_signes = serializers.IntegerField(min_value=0, max_value=PERSONNES_MAX, default=0)
    created_at = serializers.DateTimeField(read_only=True)


# Supports, reports -------------------------------------------------------------------------


class StructureCourteSerializer(serializers.Serializer):
    siret = serializers.CharField()
    nom = serializers.CharField()
    url = serializers.URLField(
        allow_null=True, help_text="La structure dans l'API, si elle est publiée."
    )


class SoutienSerializer(TextesStricts, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    commune = CommuneCourteSerializer(read_only=True)
    structure = serializers.CharField(
        help_text="SIRET de la structure soutenue (vérifiée par la plateforme)."
    )
    type = serializers.ChoiceField(choices=TypeSoutien.choices)
    montant = NombreArrondi(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        allow_null=True,
        required=False,
        coerce_to_string=False,
        help_text="En euros ; null pour un soutien sans montant.",
    )
    annee = serializers.IntegerField(min_value=2000, help_text="De 2000 à l'an prochain.")
    description = serializers.CharField(allow_blank=True, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Next year, as the web form says (SoutienForm checks it): in the document too.
        self.fields["annee"].max_value = timezone.localdate().year + 1

    def to_representation(self, soutien):
        request = self.context["request"]
        structure = soutien.structure
        publique = structure.verifiee and structure.publiee
        return {
            "id": soutien.pk,
            "commune": {"code_insee": soutien.commune.code_insee, "nom": soutien.commune.nom},
            "structure": {
                "siret": structure.siret,
                "nom": str(structure),
                "url": request.build_absolute_uri(reverse("api:structure", args=[structure.siret]))
                if publique
                else None,
            },
            "type": soutien.type,
            "montant": None if soutien.montant is None else float(soutien.montant),
            "annee": soutien.annee,
            "description": soutien.description,
        }


class SoutienLectureSerializer(serializers.Serializer):
    """The shape of a support in responses (for the schema)."""

    id = serializers.IntegerField()
    commune = CommuneCourteSerializer()
    structure = StructureCourteSerializer()
    type = serializers.ChoiceField(choices=TypeSoutien.choices)
    montant = serializers.FloatField(allow_null=True)
    annee = serializers.IntegerField()
    description = serializers.CharField()


class RapportSerializer(serializers.ModelSerializer):
    statut = serializers.ChoiceField(choices=StatutRapport.choices)
    url = serializers.SerializerMethodField(help_text="L'état du rapport dans l'API.")
    telechargement = serializers.SerializerMethodField(
        help_text="Le PDF, une fois prêt (null avant)."
    )

    class Meta:
        model = Rapport
        fields = [
            "id",
            "statut",
            "created_at",
            "finished_at",
            "publie",
            "published_at",
            "pages",
            "taille",
            "sha256",
            "erreur",
            "url",
            "telechargement",
        ]

    def _url(self, rapport, nom):
        return self.context["request"].build_absolute_uri(
            reverse(nom, args=[rapport.commune.code_insee, rapport.pk])
        )

    def get_url(self, rapport) -> str:
        return self._url(rapport, "api:rapport")

    def get_telechargement(self, rapport) -> str | None:
        if rapport.statut != StatutRapport.PRET:
            return None
        return self._url(rapport, "api:rapport_pdf")


class ErreurSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Ce qui ne va pas, en français.")


class ErreurValidationSerializer(serializers.Serializer):
    """{"champ": ["message", …]} for each field at fault; non_field_errors for the rest."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
