"""The territories of the official découpage administratif: régions, départements,
EPCI, communes (SIREN, population, EPCI, postcodes), and the communes déléguées and
associées and municipal arrondissements that lead to their commune.

Source: the npm package `@etalab/decoupage-administratif` (JSON files built by
Etalab from INSEE's COG, the DGCL's list of EPCI and La Poste's base of postcodes;
Licence Ouverte), pinned in package.json and installed in node_modules/. Another
folder of the same files may be given (a later vintage, an excerpt for the tests).

Record by record: a record that cannot be read is counted under its reason and the
rest goes on. Rows are created or updated in place by their natural key (code,
SIREN), so what hangs on a commune (engagements, members, contracts) stays put, and
a second run changes nothing. A commune of the database that the file lists as
déléguée or associée, or among a commune's former codes, has been merged: what was
attached to it moves to its commune (`commune.fusion`).
"""

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import cache
from .enums import NatureEPCI, TypeRattachement
from .fusion import RapportFusion, commune_fusionner
from .models import EPCI, CodePostal, Commune, CommuneRattachee, Departement, Region

DOSSIER_PAR_DEFAUT = Path(settings.BASE_DIR) / "node_modules/@etalab/decoupage-administratif/data"
FICHIERS = ("regions.json", "departements.json", "epci.json", "communes.json")
RAISON = "Import du découpage administratif (INSEE, DGCL)"
TAILLE_LOT = 1000

TYPES_RATTACHES = {
    "commune-deleguee": TypeRattachement.DELEGUEE,
    "commune-associee": TypeRattachement.ASSOCIEE,
    "arrondissement-municipal": TypeRattachement.ARRONDISSEMENT,
}
NATURES = {nature.value: nature for nature in NatureEPCI}
CHAMPS_COMMUNE = ("nom", "slug", "departement_id", "population", "siren", "epci_id")

Progression = Callable[[Iterable, int, str], Iterable]


def sans_progression(elements, total, titre):
    return elements


class FichierIllisible(Exception):
    """A file of the folder is missing or is not the JSON list it should be."""


@dataclass
class RapportTerritoires:
    """What an import did, kind by kind, and what it left out, reason by reason."""

    crees: Counter = field(default_factory=Counter)
    modifies: Counter = field(default_factory=Counter)
    supprimes: Counter = field(default_factory=Counter)
    inchanges: Counter = field(default_factory=Counter)
    ecartes: Counter = field(default_factory=Counter)
    exemples: dict = field(default_factory=dict)
    fusions: list[RapportFusion] = field(default_factory=list)
    absentes: list[str] = field(default_factory=list)
    epci_absents: list[str] = field(default_factory=list)
    ecrit: bool = False

    def ecarter(self, raison, exemple):
        self.ecartes[raison] += 1
        self.exemples.setdefault(raison, exemple)

    def en_donnees(self) -> dict:
        """The summary for a script (`import_territoires --format json`)."""
        return {
            "ecrit": self.ecrit,
            "crees": dict(self.crees),
            "modifies": dict(self.modifies),
            "supprimes": dict(self.supprimes),
            "inchanges": dict(self.inchanges),
            "ecartes": {
                raison: {"nombre": nombre, "exemple": str(self.exemples[raison])}
                for raison, nombre in self.ecartes.items()
            },
            "fusions": [fusion.en_donnees() for fusion in self.fusions],
            "communes_absentes": self.absentes,
            "epci_absents": self.epci_absents,
            "changements": self.changements,
        }

    @property
    def changements(self) -> int:
        return (
            sum(self.crees.values())
            + sum(self.modifies.values())
            + sum(self.supprimes.values())
            + len(self.fusions)
        )


def _lire(dossier: Path, nom: str) -> list[dict]:
    chemin = dossier / nom
    try:
        with chemin.open(encoding="utf-8") as flux:
            donnees = json.load(flux)
    except FileNotFoundError as erreur:
        raise FichierIllisible(f"Fichier introuvable : {chemin}") from erreur
    except (UnicodeDecodeError, json.JSONDecodeError) as erreur:
        raise FichierIllisible(f"{chemin} n'est pas un fichier JSON lisible : {erreur}") from erreur
    if not isinstance(donnees, list):
        raise FichierIllisible(f"{chemin} devrait contenir une liste.")
    return [element for element in donnees if isinstance(element, dict)]


def _texte(valeur) -> str:
    return valeur.strip() if isinstance(valeur, str) else ""


def _entier(valeur):
    return valeur if isinstance(valeur, int) and valeur >= 0 else None


class _Import:
    def __init__(self, dossier: Path, progression: Progression):
        self.dossier = dossier
        self.progression = progression
        self.rapport = RapportTerritoires()
        self.maintenant = timezone.now()

    # Régions and départements: a hundred rows, written one by one.

    def regions(self):
        for brute in _lire(self.dossier, "regions.json"):
            code, nom = _texte(brute.get("code")), _texte(brute.get("nom"))
            if not code or len(code) > 3 or not nom:
                self.rapport.ecarter("région sans code ou sans nom", brute)
                continue
            self._enregistrer(Region, {"code": code}, {"nom": nom}, "régions")
        self.regions_par_code = {r.code: r for r in Region.objects.all()}

    def departements(self):
        for brute in _lire(self.dossier, "departements.json"):
            code, nom = _texte(brute.get("code")), _texte(brute.get("nom"))
            region = self.regions_par_code.get(_texte(brute.get("region")))
            if not code or len(code) > 3 or not nom:
                self.rapport.ecarter("département sans code ou sans nom", brute)
            elif region is None:
                self.rapport.ecarter("département d'une région inconnue", brute)
            else:
                self._enregistrer(
                    Departement, {"code": code}, {"nom": nom, "region": region}, "départements"
                )
        self.departements_par_code = {d.code: d.pk for d in Departement.objects.all()}

    def _enregistrer(self, modele, cles, valeurs, quoi):
        objet = modele.objects.filter(**cles).first()
        if objet is None:
            modele.objects.create(**cles, **valeurs)
            self.rapport.crees[quoi] += 1
        elif any(getattr(objet, nom) != valeur for nom, valeur in valeurs.items()):
            for nom, valeur in valeurs.items():
                setattr(objet, nom, valeur)
            objet.save()
            self.rapport.modifies[quoi] += 1
        else:
            self.rapport.inchanges[quoi] += 1

    # EPCI: 1,255 rows, and the EPCI of every member commune.

    def epci(self):
        existants = {e.siren: e for e in EPCI.objects.all()}
        a_creer, a_modifier, vus = [], [], set()
        self.epci_des_communes = {}
        brutes = _lire(self.dossier, "epci.json")
        for brute in self.progression(brutes, len(brutes), "EPCI"):
            siren, nom = _texte(brute.get("code")), _texte(brute.get("nom"))
            nature = NATURES.get(_texte(brute.get("type")))
            if not (len(siren) == 9 and siren.isdigit()):
                self.rapport.ecarter("EPCI au SIREN invalide", brute.get("code"))
                continue
            if not nom or nature is None:
                self.rapport.ecarter("EPCI sans nom ou de nature inconnue", siren)
                continue
            if siren in vus:
                self.rapport.ecarter("EPCI en double dans le fichier", siren)
                continue
            vus.add(siren)
            valeurs = {
                "nom": nom[: EPCI._meta.get_field("nom").max_length],
                "nature": nature,
                "population": _entier(brute.get("populationMunicipale")),
            }
            epci = existants.get(siren)
            if epci is None:
                a_creer.append(EPCI(siren=siren, **valeurs))
            elif any(getattr(epci, nom) != valeur for nom, valeur in valeurs.items()):
                for nom_champ, valeur in valeurs.items():
                    setattr(epci, nom_champ, valeur)
                a_modifier.append(epci)
            else:
                self.rapport.inchanges["EPCI"] += 1
            for membre in brute.get("membres") or ():
                code = _texte(membre.get("code")) if isinstance(membre, dict) else ""
                if code:
                    self.epci_des_communes[code] = siren
        EPCI.objects.bulk_create(a_creer, batch_size=TAILLE_LOT)
        EPCI.objects.bulk_update(a_modifier, ["nom", "nature", "population"], TAILLE_LOT)
        self.rapport.crees["EPCI"] += len(a_creer)
        self.rapport.modifies["EPCI"] += len(a_modifier)
        # Kept: contracts and structures' zones may point to them; staff decide.
        self.rapport.epci_absents = sorted(str(e) for s, e in existants.items() if s not in vus)
        self.epci_par_siren = dict(EPCI.objects.values_list("siren", "pk"))

    # Communes: 35,000 rows, bulk written with their history.

    def communes(self):
        brutes = _lire(self.dossier, "communes.json")
        actuelles, rattachees, anciens_codes = {}, [], {}
        for brute in self.progression(brutes, len(brutes), "Communes"):
            type_ = _texte(brute.get("type"))
            code = _texte(brute.get("code"))
            if type_ == "commune-actuelle":
                valeurs = self._commune(brute)
                if valeurs is None:
                    continue
                if code in actuelles:
                    self.rapport.ecarter("commune en double dans le fichier", code)
                    continue
                actuelles[code] = valeurs
                for ancien in brute.get("anciensCodes") or ():
                    anciens_codes[_texte(ancien)] = code
            elif type_ in TYPES_RATTACHES:
                rattachees.append(brute)
            else:
                self.rapport.ecarter(f"type « {type_} » inconnu", code)

        existantes = {c.code_insee: c for c in Commune.objects.all()}
        self._ecrire_communes(actuelles, existantes)
        self.commune_par_code = dict(
            Commune.objects.filter(code_insee__in=actuelles).values_list("code_insee", "pk")
        )
        self._ecrire_rattachees(rattachees)
        self._ecrire_codes_postaux(actuelles)
        self._fusionner(actuelles, existantes, rattachees, anciens_codes)

    def _commune(self, brute):
        code, nom = _texte(brute.get("code")), _texte(brute.get("nom"))
        departement_id = self.departements_par_code.get(_texte(brute.get("departement")))
        if len(code) != 5 or not nom:
            self.rapport.ecarter("commune sans code ou sans nom", code or brute.get("nom"))
            return None
        if departement_id is None:
            self.rapport.ecarter("commune d'un département inconnu", code)
            return None
        siren = _texte(brute.get("siren"))
        if siren and not (len(siren) == 9 and siren.isdigit()):
            self.rapport.ecarter("SIREN de commune invalide (commune gardée sans SIREN)", code)
            siren = ""
        epci_siren = self.epci_des_communes.get(code)
        codes_postaux = sorted(
            {c for c in brute.get("codesPostaux") or () if isinstance(c, str) and len(c) == 5}
        )
        nom = nom[: Commune._meta.get_field("nom").max_length]
        return {
            "nom": nom,
            "slug": slugify(nom)[:200],
            "departement_id": departement_id,
            "population": _entier(brute.get("population")),
            "siren": siren,
            "epci_id": self.epci_par_siren.get(epci_siren) if epci_siren else None,
            "codes_postaux": codes_postaux,
        }

    def _ecrire_communes(self, actuelles, existantes):
        # A SIREN moves when a commune nouvelle takes over its chef-lieu's: free it first,
        # for the unique constraint, on the communes that no longer hold it.
        siren_voulus = {v["siren"]: code for code, v in actuelles.items() if v["siren"]}
        liberees = []
        for code, commune in existantes.items():
            if commune.siren and siren_voulus.get(commune.siren, code) != code:
                commune.siren = ""
                liberees.append(commune)
        Commune.objects.bulk_update(liberees, ["siren"], batch_size=TAILLE_LOT)

        a_creer, a_modifier = [], []
        for code, valeurs in actuelles.items():
            commune = existantes.get(code)
            champs = {nom: valeurs[nom] for nom in CHAMPS_COMMUNE}
            if commune is None:
                a_creer.append(Commune(code_insee=code, **champs))
                continue
            change = commune.fusionnee_dans_id is not None  # back on the map
            for nom, valeur in champs.items():
                if getattr(commune, nom) != valeur:
                    setattr(commune, nom, valeur)
                    change = True
            if change:
                commune.fusionnee_dans_id = None
                commune.fusionnee_le = None
                commune.updated_at = self.maintenant  # bulk_update skips auto_now
                a_modifier.append(commune)
            else:
                self.rapport.inchanges["communes"] += 1
        bulk_create_with_history(
            a_creer,
            Commune,
            batch_size=TAILLE_LOT,
            default_change_reason=RAISON,
            default_date=self.maintenant,
        )
        bulk_update_with_history(
            a_modifier,
            Commune,
            [*CHAMPS_COMMUNE, "fusionnee_dans_id", "fusionnee_le", "updated_at"],
            batch_size=TAILLE_LOT,
            default_change_reason=RAISON,
            default_date=self.maintenant,
        )
        self.rapport.crees["communes"] += len(a_creer)
        self.rapport.modifies["communes"] += len(a_modifier)

    def _ecrire_rattachees(self, brutes):
        existantes = {(r.type, r.code): r for r in CommuneRattachee.objects.all()}
        vues, a_creer, a_modifier = set(), [], []
        for brute in brutes:
            type_ = TYPES_RATTACHES[_texte(brute.get("type"))]
            code, nom = _texte(brute.get("code")), _texte(brute.get("nom"))
            parent = _texte(brute.get("commune") or brute.get("chefLieu"))
            commune_id = self.commune_par_code.get(parent)
            if len(code) != 5 or not nom:
                self.rapport.ecarter("commune déléguée ou associée sans code ou sans nom", code)
                continue
            if commune_id is None:
                self.rapport.ecarter("commune déléguée ou associée d'une commune inconnue", code)
                continue
            if (type_, code) in vues:
                self.rapport.ecarter("commune déléguée ou associée en double", code)
                continue
            vues.add((type_, code))
            nom = nom[:200]
            rattachee = existantes.get((type_, code))
            if rattachee is None:
                a_creer.append(
                    CommuneRattachee(type=type_, code=code, nom=nom, commune_id=commune_id)
                )
            elif rattachee.nom != nom or rattachee.commune_id != commune_id:
                rattachee.nom, rattachee.commune_id = nom, commune_id
                a_modifier.append(rattachee)
            else:
                self.rapport.inchanges["communes déléguées, associées, arrondissements"] += 1
        quoi = "communes déléguées, associées, arrondissements"
        CommuneRattachee.objects.bulk_create(a_creer, batch_size=TAILLE_LOT)
        CommuneRattachee.objects.bulk_update(a_modifier, ["nom", "commune"], TAILLE_LOT)
        perimees = [r.pk for cle, r in existantes.items() if cle not in vues]
        CommuneRattachee.objects.filter(pk__in=perimees).delete()
        self.rapport.crees[quoi] += len(a_creer)
        self.rapport.modifies[quoi] += len(a_modifier)
        self.rapport.supprimes[quoi] += len(perimees)

    def _ecrire_codes_postaux(self, actuelles):
        voulus = {
            (code_postal, self.commune_par_code[code])
            for code, valeurs in actuelles.items()
            for code_postal in valeurs["codes_postaux"]
        }
        communes = set(self.commune_par_code.values())
        existants = {
            (code, commune_id): pk
            for pk, code, commune_id in CodePostal.objects.values_list("pk", "code", "commune_id")
            if commune_id in communes
        }
        a_creer = [CodePostal(code=code, commune_id=c) for code, c in voulus - existants.keys()]
        perimes = [pk for cle, pk in existants.items() if cle not in voulus]
        CodePostal.objects.bulk_create(a_creer, batch_size=TAILLE_LOT)
        for debut in range(0, len(perimes), TAILLE_LOT):
            CodePostal.objects.filter(pk__in=perimes[debut : debut + TAILLE_LOT]).delete()
        self.rapport.crees["codes postaux"] += len(a_creer)
        self.rapport.supprimes["codes postaux"] += len(perimes)
        self.rapport.inchanges["codes postaux"] += len(voulus) - len(a_creer)

    def _fusionner(self, actuelles, existantes, rattachees, anciens_codes):
        """Communes of the database that are no longer on the map: merged, when the file
        says into which commune; listed for staff otherwise."""
        parents = dict(anciens_codes)
        for brute in rattachees:
            if _texte(brute.get("type")) != "arrondissement-municipal":
                parents[_texte(brute.get("code"))] = _texte(brute.get("chefLieu"))
        disparues = sorted(
            (c for code, c in existantes.items() if code not in actuelles and c.est_actuelle),
            key=lambda c: c.code_insee,
        )
        for commune in disparues:
            parent_id = self.commune_par_code.get(parents.get(commune.code_insee))
            if parent_id is None:
                self.rapport.absentes.append(str(commune))
                continue
            parent = Commune.objects.get(pk=parent_id)
            self.rapport.fusions.append(commune_fusionner(ancienne=commune, commune=parent))


def territoires_importer(
    *,
    dossier: Path | None = None,
    ecrire: bool = True,
    progression: Progression = sans_progression,
) -> RapportTerritoires:
    """Loads (or, with `ecrire=False`, simulates loading) the découpage of `dossier`."""
    dossier = Path(dossier or DOSSIER_PAR_DEFAUT)
    for nom in FICHIERS:
        if not (dossier / nom).is_file():
            raise FichierIllisible(f"Fichier introuvable : {dossier / nom}")
    etapes = _Import(dossier, progression)
    with transaction.atomic():
        etapes.regions()
        etapes.departements()
        etapes.epci()
        etapes.communes()
        if not ecrire:
            transaction.set_rollback(True)
        elif etapes.rapport.changements:
            # Bulk writes send no signal: every public page may show a commune or an EPCI.
            transaction.on_commit(cache.invalider_tout)
    etapes.rapport.ecrit = ecrire
    return etapes.rapport
