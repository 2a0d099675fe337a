"""Import of the national lists of structures: `manage.py import_structures`.

Three shapes of file are read, recognised by their header (names compared without
accents, case, spaces or hyphens, so `CODE_POSTAL`, `Code postal` and `post code` are one):

- the list of the platform (`siret, kind, name, …`, English or French headers);
- the ASP's list of SIAE as published (`MESURE;CODE_DEPARTEMENT;LIBELLE_DPT;CODE_POSTAL;
  COMMUNE;…;SIRET;DENOMINATION_SOCIALE;NUM_RUE;NOM_RUE;…;TELEPHONE;MAIL_SIAE`): the
  measure (`ACI`, `AI_DC`, `EI_MP`…) gives the kind, départements come on three
  characters (`001`, `02A`, `59L` and `59V` for the two halves of the Nord, `975`);
- the list of the GEIQ (`GEIQ;ADRESSE;COMPLEMENT ADRESSE;VILLE;CODE POSTAL;…;SIRET`):
  it has no kind column, the kind is given by `type_par_defaut` (`--type GEIQ`).

Several kinds for one SIRET: the ASP lists an establishment once per approved measure
(258 SIRETs of the July 2019 list are both ACI and AI, or EI and ACI…), and sometimes
twice for one measure (followed by two départements). We keep one structure per SIRET,
so that its public address (/structures/<SIRET>/) and its members stay one: its first
kind is `type`, every other kind goes to `autres_types`, and a kind is never removed by
an import (a structure may be in the ASP list and in the GEIQ list). A line that repeats
a SIRET and a kind already read is counted "en double", not rejected.

The commune (`structures.lieux`): by INSEE code when the file gives one; else by the
postcode and the name, both normalised (accents, case, apostrophes, hyphens, `ST`/`STE`,
`CEDEX 9`, `MARSEILLE 16`; arrondissements and communes déléguées lead to their commune,
a renamed commune is found by the start of its name); else by the name in the
département of the postcode, then in the département of the line; else by the postcode
alone when it serves one commune. What the file needs is read once, not line by line.

What the structure's people edited stays theirs: a field that a person changed (a
historical record with a user: its members on its profile, the platform's team in the
admin) is never overwritten by an import; the import only fills what nobody touched.
"""

import csv
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from commune import cache
from commune.models import Departement

from .lieux import IndexCommunes, code_departement, sans_accents
from .models import Structure, TypeStructure
from .signals import structures_creees
from .siret import message_siret_invalide, siret_normalise

TAILLE_LOT = 500
RAISON_IMPORT = "Import de la liste nationale des structures"
EXEMPLES = 5

# Column of the file → field.
COLONNES = {
    "siret": "siret",
    "kind": "type",
    "type": "type",
    "mesure": "type",
    "name": "nom",
    "nom": "nom",
    "denomination_sociale": "nom",
    "raison_sociale": "nom",
    "geiq": "nom",
    "brand": "enseigne",
    "enseigne": "enseigne",
    "num_rue": "numero_rue",
    "address": "adresse",
    "adresse": "adresse",
    "nom_rue": "adresse",
    "complement_adresse": "complement_adresse",
    "post_code": "code_postal",
    "postcode": "code_postal",
    "postal_code": "code_postal",
    "code_postal": "code_postal",
    "city": "ville",
    "ville": "ville",
    "commune": "ville",
    "code_insee": "code_insee",
    "code_commune": "code_insee",
    "departement": "departement",
    "department": "departement",
    "code_departement": "departement",
    "nature_juridique": "forme_juridique",
    "forme_juridique": "forme_juridique",
    "email": "email",
    "e_mail": "email",
    "courriel": "email",
    "mail_siae": "email",
    "phone": "telephone",
    "telephone": "telephone",
    "tel": "telephone",
    "website": "site_web",
    "site_web": "site_web",
}
COLONNES_OBLIGATOIRES = ("siret", "type", "nom")
# Fields of the structure that the file may set, when it has their column.
CHAMPS_IMPORTES = (
    "nom",
    "enseigne",
    "forme_juridique",
    "adresse",
    "code_postal",
    "email",
    "telephone",
    "site_web",
)
# The ASP's measures: `ACI_DC` (droit commun), `EI_MP` (milieu pénitentiaire)…
SUFFIXES_MESURE = re.compile(r"_(DC|MP)$")


@dataclass
class Rejet:
    numero: int
    motif: str  # what groups the rejections in the summary
    message: str


@dataclass
class RapportImport:
    """What an import did, or would do in a dry run."""

    format: str = ""
    lues: int = 0
    creees: int = 0
    mises_a_jour: int = 0
    inchangees: int = 0
    types_ajoutes: int = 0  # other kinds given to a structure
    rejets: list[Rejet] = field(default_factory=list)
    doublons: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    sans_commune: list[tuple[int, str]] = field(default_factory=list)  # (line, city)
    preserves: list[tuple[str, str]] = field(default_factory=list)  # (SIRET, field)
    erreurs: list[str] = field(default_factory=list)  # the file itself is unusable
    refuse: bool = False  # strict, and some lines were rejected
    ecrit: bool = False

    @property
    def rejetees(self) -> int:
        return len({rejet.numero for rejet in self.rejets})

    def lignes_rejetees(self) -> list[str]:
        """« ligne 12 : raison », in the order of the file."""
        return [
            f"ligne {numero} : {' ; '.join(messages)}"
            for numero, messages in sorted(self._messages_par_ligne().items())
        ]

    def _messages_par_ligne(self) -> dict[int, list[str]]:
        messages = {}
        for rejet in self.rejets:
            messages.setdefault(rejet.numero, []).append(rejet.message)
        return messages

    def rejets_par_motif(self) -> dict[str, list[str]]:
        """{motif: ["ligne 4 : message", …]}, most frequent motif first."""
        groupes = {}
        for rejet in sorted(self.rejets, key=lambda r: r.numero):
            groupes.setdefault(rejet.motif, []).append(f"ligne {rejet.numero} : {rejet.message}")
        return dict(sorted(groupes.items(), key=lambda item: (-len(item[1]), item[0])))

    def resume(self) -> dict:
        """The same summary as the command prints, for a script (`--format json`)."""
        return {
            "format": self.format,
            "ecrit": self.ecrit,
            "refuse": self.refuse,
            "lues": self.lues,
            "creees": self.creees,
            "mises_a_jour": self.mises_a_jour,
            "inchangees": self.inchangees,
            "types_ajoutes": self.types_ajoutes,
            "en_double": {
                "nombre": len(self.doublons),
                "exemples": [f"ligne {n} : {m}" for n, m in self.doublons[:EXEMPLES]],
            },
            "sans_commune": {
                "nombre": len(self.sans_commune),
                "exemples": [f"ligne {n} : {v}" for n, v in self.sans_commune[:EXEMPLES]],
            },
            "champs_preserves": {
                "nombre": len(self.preserves),
                "exemples": [f"{siret} : {nom}" for siret, nom in self.preserves[:EXEMPLES]],
            },
            "rejetees": {
                "nombre": self.rejetees,
                "par_motif": {
                    motif: {"nombre": len(lignes), "exemples": lignes[:EXEMPLES]}
                    for motif, lignes in self.rejets_par_motif().items()
                },
            },
            "erreurs": self.erreurs,
        }


def _nom_de_colonne(nom: str) -> str:
    texte = sans_accents((nom or "").lstrip("\ufeff"))
    return re.sub(r"[\s\-]+", "_", texte.strip().lower())


def _separateur(premiere_ligne: str) -> str:
    return ";" if premiere_ligne.count(";") > premiere_ligne.count(",") else ","


# Reading ----------------------------------------------------------------------------------


@dataclass
class _LigneStructure:
    numero: int
    siret: str
    types: list[TypeStructure]
    valeurs: dict
    commune_id: int | None


def _entete(lecteur, rapport: RapportImport, type_par_defaut: str) -> dict[str, int] | None:
    entete = next(lecteur)
    noms = [_nom_de_colonne(nom) for nom in entete]
    colonnes = {}
    for rang, nom in enumerate(noms):
        champ = COLONNES.get(nom)
        if champ is not None and champ not in colonnes:
            colonnes[champ] = rang
    if "mesure" in noms:
        rapport.format = "liste des SIAE de l'ASP"
    elif "geiq" in noms:
        rapport.format = "liste des GEIQ"
    else:
        rapport.format = "liste nationale des structures"
    manquantes = [
        nom
        for nom in COLONNES_OBLIGATOIRES
        if nom not in colonnes and not (nom == "type" and type_par_defaut)
    ]
    if manquantes:
        conseil = " ; pour un fichier sans type (la liste des GEIQ), --type GEIQ"
        rapport.erreurs.append(
            f"ligne 1 : colonne obligatoire absente : {', '.join(manquantes)} (colonnes "
            "attendues : siret, kind, type ou mesure, name, nom ou dénomination sociale, et "
            "facultatives brand/enseigne, address/adresse, post code/code_postal, "
            "city/ville/commune, code_insee, département, email, phone/telephone, "
            f"website/site_web{conseil if 'type' in manquantes else ''})"
        )
        return None
    return colonnes


def _adresse(brut: dict) -> str:
    adresse = " ".join(
        partie for partie in (brut.get("numero_rue", ""), brut.get("adresse", "")) if partie
    )
    if complement := brut.get("complement_adresse"):
        adresse = f"{adresse}, {complement}" if adresse else complement
    return re.sub(r"\s+", " ", adresse).strip()


def _lire_structures(
    lignes: Iterable[str], rapport: RapportImport, type_par_defaut: str, progression
) -> list[_LigneStructure]:
    """Parses and checks every row: the valid ones are returned, one per SIRET with all
    its kinds; the others are reported with their line number and reason."""
    lignes = iter(lignes)
    premiere = next(lignes, "")
    if not premiere.strip():
        rapport.erreurs.append("Le fichier est vide.")
        return []
    lecteur = csv.reader(itertools.chain([premiere], lignes), delimiter=_separateur(premiere))
    colonnes = _entete(lecteur, rapport, type_par_defaut)
    if colonnes is None:
        return []

    types = {t.code.upper(): t for t in TypeStructure.objects.all()}
    departements = set(Departement.objects.values_list("code", flat=True))
    valider_email, valider_url = EmailValidator(), URLValidator(schemes=["http", "https"])
    longueurs = {nom: Structure._meta.get_field(nom).max_length for nom in CHAMPS_IMPORTES}
    par_siret, lieux = {}, []
    for rangee in progression(lecteur):
        numero = lecteur.line_num
        if not any(cellule.strip() for cellule in rangee):
            continue
        rapport.lues += 1
        brut = {
            champ: (rangee[rang].strip() if rang < len(rangee) else "")
            for champ, rang in colonnes.items()
        }
        raisons = []  # (motif, message)
        siret = siret_normalise(brut["siret"].strip())
        if probleme := message_siret_invalide(brut["siret"].strip()):
            motif = "SIRET invalide (clé de contrôle)" if "clé" in probleme else "SIRET invalide"
            raisons.append((motif, probleme))
        mesure = brut.get("type") or type_par_defaut
        code_type = SUFFIXES_MESURE.sub("", mesure.strip().upper())
        type_ = types.get(code_type)
        if type_ is None:
            raisons.append(
                (
                    "type inconnu",
                    f"type « {mesure} » inconnu (attendu : {', '.join(sorted(types))})",
                )
            )
        if not brut["nom"]:
            raisons.append(("nom vide", "nom vide"))
        departement = ""
        if brut.get("departement"):
            departement = code_departement(brut["departement"])
            if departement not in departements:
                raisons.append(
                    ("département inconnu", f"département « {brut['departement']} » inconnu")
                )
        valeurs = {nom: brut[nom] for nom in CHAMPS_IMPORTES if nom in brut}
        if "adresse" in colonnes:
            valeurs["adresse"] = _adresse(brut)
        if valeurs.get("code_postal") and not re.fullmatch(r"[0-9]{5}", valeurs["code_postal"]):
            raisons.append(
                (
                    "code postal invalide",
                    f"code postal « {valeurs['code_postal']} » invalide (5 chiffres)",
                )
            )
        if valeurs.get("email"):
            try:
                valider_email(valeurs["email"])
            except ValidationError:
                raisons.append(
                    ("e-mail invalide", f"adresse e-mail « {valeurs['email']} » invalide")
                )
        if site := valeurs.get("site_web"):
            if "://" not in site:
                site = valeurs["site_web"] = f"https://{site}"
            try:
                valider_url(site)
            except ValidationError:
                raisons.append(("site web invalide", f"site web « {brut['site_web']} » invalide"))
        raisons += [
            (
                "valeur trop longue",
                f"{nom.replace('_', ' ')} trop long ({len(valeur)} caractères, "
                f"{longueurs[nom]} au plus)",
            )
            for nom, valeur in valeurs.items()
            if len(valeur) > longueurs[nom]
        ]
        if raisons:
            rapport.rejets += [Rejet(numero, motif, message) for motif, message in raisons]
            continue
        deja = par_siret.get(siret)
        if deja is not None:
            if type_ in deja.types:
                rapport.doublons.append(
                    (numero, f"SIRET {siret} déjà lu ligne {deja.numero} avec le type {type_.code}")
                )
            else:
                deja.types.append(type_)
            continue
        par_siret[siret] = _LigneStructure(numero, siret, [type_], valeurs, None)
        lieux.append((par_siret[siret], brut, departement))

    index = IndexCommunes(
        codes_postaux={brut["code_postal"] for _, brut, _ in lieux if brut.get("code_postal")},
        codes_insee={brut["code_insee"] for _, brut, _ in lieux if brut.get("code_insee")},
    )
    for ligne, brut, departement in lieux:
        ligne.commune_id = index.trouver(
            code_insee=brut.get("code_insee", ""),
            code_postal=brut.get("code_postal", ""),
            ville=brut.get("ville", ""),
            departement=departement,
        )
        if ligne.commune_id is None and (brut.get("ville") or brut.get("code_insee")):
            lieu = " ".join(
                v for v in (brut.get("code_insee"), brut.get("code_postal"), brut.get("ville")) if v
            )
            rapport.sans_commune.append((ligne.numero, lieu))
    return list(par_siret.values())


def _champs_edites(structures: list[Structure]) -> dict[int, set[str]]:
    """{structure pk: names of the imported fields that a person changed}, read from
    the history: a record with a user that differs from the record before it (or that
    created the structure) marks the fields it set."""
    champs = [*CHAMPS_IMPORTES, "commune_id"]
    Historique = Structure.history.model
    touchees = set(
        Historique.objects.filter(
            id__in=[s.pk for s in structures], history_user__isnull=False
        ).values_list("id", flat=True)
    )
    edites, precedent = {}, {}
    for version in (
        Historique.objects.filter(id__in=touchees)
        .order_by("id", "history_date", "history_id")
        .values("id", "history_user_id", *champs)
    ):
        avant = precedent.get(version["id"])
        if version["history_user_id"] is not None:
            edites.setdefault(version["id"], set()).update(
                nom.removesuffix("_id")
                for nom in champs
                if (avant is None and version[nom] not in ("", None))
                or (avant is not None and version[nom] != avant[nom])
            )
        precedent[version["id"]] = version
    return edites


def _historiser_creations(pks: list[int], date) -> None:
    """The creation records of the new structures, as `bulk_create_with_history` writes
    them (no user, the import as reason), copied by the database from the rows just
    inserted: building a historical object per structure in Python halved the rate."""
    if not pks:
        return
    Historique = Structure.history.model
    nom = connection.ops.quote_name
    colonnes = ", ".join(nom(f.column) for f in Structure._meta.concrete_fields)
    for debut in range(0, len(pks), TAILLE_LOT):
        lot = pks[debut : debut + TAILLE_LOT]
        with connection.cursor() as curseur:
            curseur.execute(
                f"INSERT INTO {nom(Historique._meta.db_table)} ({colonnes}, history_date, "
                "history_change_reason, history_type, history_user_id) "
                f"SELECT {colonnes}, %s, %s, '+', NULL FROM {nom(Structure._meta.db_table)} "
                f"WHERE {nom('id')} IN ({', '.join(['%s'] * len(lot))})",
                [connection.ops.adapt_datetimefield_value(date), RAISON_IMPORT, *lot],
            )


def structures_importer(
    *,
    fichier: Iterable[str],
    ecrire: bool,
    verifiees: bool = False,
    type_par_defaut: str = "",
    strict: bool = False,
    progression: Callable[[Iterable], Iterable] = iter,
) -> RapportImport:
    """Creates or updates structures from a national list, one structure per SIRET
    (see the module's docstring for the formats, the kinds and the communes).

    `fichier` is an open text file, or any iterable of lines. Each line is read on its
    own: a bad one is rejected with its line number and reason, the others are
    imported. `type_par_defaut` is the kind of the lines whose file has no kind column.
    New structures are not verified unless `verifiees`, which also marks the updated
    ones verified. A field that a person edited is left as it is. Nothing is written
    unless `ecrire`, and nothing either when `strict` and a line was rejected;
    everything is written in one transaction. `progression` wraps the rows (a bar).
    """
    rapport = RapportImport()
    lignes = _lire_structures(fichier, rapport, type_par_defaut.strip().upper(), progression)
    if rapport.erreurs:
        return rapport
    existantes = {
        s.siret: s
        for s in Structure.objects.filter(siret__in=[ligne.siret for ligne in lignes])
        .select_related("type")
        .prefetch_related("autres_types")
        .order_by()
    }
    edites = _champs_edites(list(existantes.values()))
    maintenant = timezone.now()
    a_creer, a_mettre_a_jour, champs_modifies = [], [], set()
    autres_types = []  # (structure, kind)
    for ligne in lignes:
        structure = existantes.get(ligne.siret)
        if structure is None:
            structure = Structure(
                siret=ligne.siret,
                type=ligne.types[0],
                commune_id=ligne.commune_id,
                verifiee=verifiees,
                created_at=maintenant,
                updated_at=maintenant,
                **ligne.valeurs,
            )
            a_creer.append(structure)
            autres_types += [(structure, type_) for type_ in ligne.types[1:]]
            continue
        connus = {structure.type_id, *(t.pk for t in structure.autres_types.all())}
        nouveaux = [(structure, t) for t in ligne.types if t.pk not in connus]
        autres_types += nouveaux
        cibles = dict(ligne.valeurs)
        if ligne.commune_id is not None:
            cibles["commune_id"] = ligne.commune_id
        if verifiees:
            cibles["verifiee"] = True
        differents = []
        for nom, valeur in cibles.items():
            if getattr(structure, nom) == valeur:
                continue
            if nom.removesuffix("_id") in edites.get(structure.pk, ()):
                rapport.preserves.append((structure.siret, nom.removesuffix("_id")))
                continue
            differents.append(nom)
        if not differents and not nouveaux:
            rapport.inchangees += 1
            continue
        if differents:
            for nom in differents:
                setattr(structure, nom, cibles[nom])
            structure.updated_at = maintenant  # bulk_update skips auto_now
            # A member's form opened before the import then sees it as a conflict.
            structure.version += 1
            champs_modifies.update(differents)
            a_mettre_a_jour.append(structure)
        rapport.mises_a_jour += 1
    rapport.creees = len(a_creer)
    rapport.types_ajoutes = len(autres_types)
    rapport.refuse = strict and bool(rapport.rejets)
    if not ecrire or rapport.refuse:
        return rapport
    with transaction.atomic():
        # Bulk writes send no signal: scorecards list the structures of their commune.
        transaction.on_commit(cache.invalider_tout)
        Structure.objects.bulk_create(a_creer, batch_size=TAILLE_LOT)
        if a_creer and any(s.pk is None for s in a_creer):
            # Backends that do not return the keys of a bulk insert.
            cles = dict(
                Structure.objects.filter(siret__in=[s.siret for s in a_creer]).values_list(
                    "siret", "pk"
                )
            )
            for structure in a_creer:
                structure.pk = cles[structure.siret]
        _historiser_creations([s.pk for s in a_creer], maintenant)
        if a_mettre_a_jour:
            bulk_update_with_history(
                a_mettre_a_jour,
                Structure,
                sorted(champ.removesuffix("_id") for champ in champs_modifies)
                + ["updated_at", "version"],
                batch_size=TAILLE_LOT,
                default_change_reason=RAISON_IMPORT,
                default_date=maintenant,
            )
        Lien = Structure.autres_types.through
        Lien.objects.bulk_create(
            [Lien(structure_id=s.pk, typestructure_id=t.pk) for s, t in autres_types],
            batch_size=TAILLE_LOT,
            ignore_conflicts=True,
        )
        structures_creees.send(sender=Structure, structures=[(s.pk, s.siret) for s in a_creer])
    rapport.ecrit = True
    return rapport
