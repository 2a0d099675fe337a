"""Optimistic concurrency of what several members edit: an engagement, a structure's
profile, a contract.

Each such row carries a `version`, raised by one on every save. A form (or an API
client, through `ETag` and `If-Match`) sends back the version it read; the service
locks the row and compares before writing anything. A stale version raises
`ConflitDeVersion`: the page then shows, field by field, what the other person saved
(from the row's history), beside what this person typed, and offers the form again
with the current version, so that sending it saves the merged result.

Without a version (a page opened before versions existed, a script, an API client
without `If-Match`), a save works as it always did: last one wins.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format, number_format

PLATEFORME = "la plateforme"
VIDE = "(vide)"


class Versionne(models.Model):
    """A row that several people edit: every save raises its version by one.

    Saves that lock the row first (the services) raise it exactly. A queryset `update()`
    or `bulk_update()` does not raise it (the national imports of structures and of DECP
    contracts write that way): such a change is not seen as a conflict.
    """

    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Augmente de 1 à chaque enregistrement."
    )

    class Meta:
        abstract = True

    def save(self, *args, update_fields=None, **kwargs):
        if not self._state.adding and (update_fields is None or update_fields):
            self.version = (self.version or 0) + 1
            if update_fields is not None:
                update_fields = {*update_fields, "version"}
        super().save(*args, update_fields=update_fields, **kwargs)


class ConflitDeVersion(Exception):
    """Someone saved `objet` since the version `version_lue` was read: nothing written."""

    def __init__(self, *, objet: Versionne, version_lue: int):
        self.objet = objet
        self.version_lue = version_lue
        super().__init__(
            f"Version {version_lue} lue, version {objet.version} enregistrée entre-temps."
        )


def version_verifier(objet: Versionne | None, version_lue: int | None) -> None:
    """Refuses a save based on a version other than `objet`'s, which the caller has
    locked (select_for_update) in the transaction that writes. No `objet` (not created
    yet) or no version read: nothing to check."""
    if objet is not None and version_lue is not None and objet.version != version_lue:
        raise ConflitDeVersion(objet=objet, version_lue=version_lue)


# HTTP: ETag and If-Match --------------------------------------------------------------------


def etag(version: int) -> str:
    """The strong entity tag of a version: `"v3"`."""
    return f'"v{version}"'


def versions_if_match(entete: str | None) -> set[int] | None:
    """The versions an `If-Match` header accepts; None when it asks nothing (absent, or
    `*`). A tag that is not one of ours (weak, or foreign) matches no version."""
    if entete is None or entete.strip() in ("", "*"):
        return None
    versions = set()
    for etiquette in entete.split(","):
        etiquette = etiquette.strip()
        if etiquette.startswith('"v') and etiquette.endswith('"') and etiquette[2:-1].isdigit():
            versions.add(int(etiquette[2:-1]))
    return versions


def version_attendue(entete: str | None, version_actuelle: int) -> int | None:
    """The version to hand to a service for an `If-Match` header: the current one when the
    header names it (the service checks it again under lock), else one that can never
    match (-1), so the save is refused. None when the header asks nothing."""
    versions = versions_if_match(entete)
    if versions is None:
        return None
    return version_actuelle if version_actuelle in versions else -1


# Forms --------------------------------------------------------------------------------------


class ChampVersion(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)


class FormulaireVersionne(forms.Form):
    """Mixin of a ModelForm on a `Versionne` model: the version read travels in a hidden
    field, 0 for an object not created yet."""

    version = ChampVersion()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        self.fields["version"].initial = instance.version if instance and instance.pk else 0

    def version_lue(self) -> int | None:
        return self.cleaned_data.get("version")


# The conflict page -------------------------------------------------------------------------


@dataclass
class LigneConflit:
    nom: str
    libelle: str
    ancre: str
    enregistree: str
    saisie: str
    lue: str | None
    modifie_par_autre: bool
    modifie_par_vous: bool


@dataclass
class Conflit:
    version: int
    auteurs: list[str]
    date: datetime | None
    lignes: list[LigneConflit] = field(default_factory=list)
    # A browser never sends a file back: the ones chosen must be chosen again.
    fichiers: list[str] = field(default_factory=list)

    @property
    def auteurs_texte(self) -> str:
        if len(self.auteurs) < 2:
            return self.auteurs[0] if self.auteurs else PLATEFORME
        return ", ".join(self.auteurs[:-1]) + " et " + self.auteurs[-1]


def _canonique(valeur):
    """A value that compares: a row by its key, a set of rows by their keys."""
    if isinstance(valeur, models.Model):
        return valeur.pk
    if isinstance(valeur, models.QuerySet | list | tuple | set | frozenset):
        return frozenset(_canonique(v) for v in valeur)
    return valeur


def valeurs_de(objet, noms: Iterable[str]) -> dict:
    """{name: comparable value} of a row, an unsaved instance or a historical record; a
    many-to-many field of a historical record is read from its history's snapshot."""
    resultat = {}
    modele = objet.instance_type if hasattr(objet, "instance_type") else type(objet)
    for nom in noms:
        champ = modele._meta.get_field(nom)
        if champ.many_to_many:
            if hasattr(objet, "instance_type"):
                cible = f"{champ.m2m_reverse_field_name()}_id"
                resultat[nom] = frozenset(getattr(r, cible) for r in getattr(objet, nom).all())
            elif objet.pk is None:
                resultat[nom] = frozenset()
            else:
                resultat[nom] = frozenset(getattr(objet, nom).values_list("pk", flat=True))
        else:
            resultat[nom] = getattr(objet, champ.attname)
    return resultat


def _majuscule(texte: str) -> str:
    return texte[:1].upper() + texte[1:]


def _texte(champ: models.Field, valeur) -> str:
    if valeur is None or valeur == "" or valeur == frozenset():
        return VIDE
    if champ.many_to_many or champ.many_to_one:
        cles = valeur if champ.many_to_many else {valeur}
        noms = sorted(str(o) for o in champ.related_model._default_manager.filter(pk__in=cles))
        return ", ".join(noms) or VIDE
    if champ.choices:
        return str(dict(champ.flatchoices).get(valeur, valeur))
    if isinstance(valeur, bool):
        return "Oui" if valeur else "Non"
    if isinstance(valeur, datetime):
        return date_format(timezone.localtime(valeur), "j F Y à H:i")
    if isinstance(valeur, date):
        return date_format(valeur, "j F Y")
    if isinstance(valeur, Decimal | int | float):
        return number_format(valeur, force_grouping=True)
    if isinstance(valeur, models.fields.files.FieldFile):
        return valeur.name or VIDE
    return str(valeur)


def conflit_preparer(
    conflit: ConflitDeVersion,
    formulaire: forms.BaseForm,
    saisies: Mapping[str, object],
) -> Conflit:
    """What the conflict page shows, and the form made ready for the merge.

    `saisies` maps the compared model fields to what this person sent. Each field the
    other person changed, or where this person's value differs from the saved one, is
    a line; the form keeps this person's values, takes the current version, and each
    field changed by the other person says so in its hint, in words.
    """
    objet = conflit.objet
    modele = type(objet)
    historique = modele.history.filter(id=objet.pk)
    lue = historique.filter(version=conflit.version_lue).order_by("-history_id").first()
    apres = list(
        historique.filter(version__gt=conflit.version_lue)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    auteurs = list(
        dict.fromkeys(
            a.history_user.nom_affiche if a.history_user_id else PLATEFORME for a in apres
        )
    )
    resultat = Conflit(
        version=objet.version,
        auteurs=auteurs,
        date=apres[-1].history_date if apres else None,
        fichiers=[
            str(formulaire[nom].label) for nom in formulaire.files if nom in formulaire.fields
        ],
    )
    noms = list(saisies)
    enregistrees = valeurs_de(objet, noms)
    lues = valeurs_de(lue, noms) if lue is not None else {}
    for nom in noms:
        champ = modele._meta.get_field(nom)
        saisie, enregistree = _canonique(saisies[nom]), enregistrees[nom]
        if lue is not None:
            par_autre = lues[nom] != enregistree
            par_vous = saisie != lues[nom]
        else:  # the version read is not in the history: compare with what is saved
            par_autre = par_vous = saisie != enregistree
        if not par_autre and saisie == enregistree:
            continue
        champ_formulaire = formulaire[nom] if nom in formulaire.fields else None
        resultat.lignes.append(
            LigneConflit(
                nom=nom,
                libelle=_majuscule(
                    str(champ_formulaire.label if champ_formulaire else champ.verbose_name)
                ),
                ancre=(champ_formulaire.id_for_label or f"{champ_formulaire.auto_id}_0")
                if champ_formulaire
                else "",
                enregistree=_texte(champ, enregistree),
                saisie=_texte(champ, saisie),
                lue=_texte(champ, lues[nom]) if lue is not None else None,
                modifie_par_autre=par_autre,
                modifie_par_vous=par_vous,
            )
        )
    _formulaire_pour_fusion(formulaire, resultat)
    return resultat


def _formulaire_pour_fusion(formulaire: forms.BaseForm, conflit: Conflit) -> None:
    donnees = formulaire.data.copy()
    donnees[formulaire.add_prefix("version")] = str(conflit.version)
    formulaire.data = donnees
    for ligne in conflit.lignes:
        if ligne.modifie_par_autre and ligne.nom in formulaire.fields:
            champ = formulaire.fields[ligne.nom]
            note = (
                f"Modifié entre-temps par {conflit.auteurs_texte} : la version enregistrée "
                f"est « {ligne.enregistree} »."
            )
            champ.help_text = f"{note} {champ.help_text}" if champ.help_text else note
            # A bound field copies its hint when first read.
            formulaire[ligne.nom].help_text = champ.help_text
