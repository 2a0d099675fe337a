"""Where a line of a national list is: its département and its commune, from what files
write (`001`, `59L`, « ST MALO CEDEX », « MARSEILLE 16 »), for `structures.imports`."""

import functools
import re
import unicodedata

from commune.models import CodePostal, Commune, CommuneRattachee

LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})


def sans_accents(texte: str) -> str:
    decompose = unicodedata.normalize("NFKD", texte.translate(LIGATURES))
    return "".join(c for c in decompose if not unicodedata.combining(c))


def code_departement(valeur: str) -> str:
    """The INSEE code of a département as files write it: `1`, `001` → `01`, `02A` →
    `2A`, `59L` / `59V` (the ASP's two halves of the Nord) → `59`; `975` stays."""
    valeur = valeur.strip().upper()
    if re.fullmatch(r"59[LV]", valeur):
        return "59"
    if len(valeur) == 3 and valeur.startswith("0"):
        return valeur[1:]
    return valeur.zfill(2) if valeur.isdigit() and len(valeur) == 1 else valeur


ABREVIATIONS = {"ST": "SAINT", "STE": "SAINTE", "STS": "SAINTS", "STES": "SAINTES"}
CEDEX = re.compile(r"\bCEDEX\b.*$")
# « MARSEILLE 16 », « PARIS 15E », « LYON 3EME », « MARSEILLE 16E ARRONDISSEMENT »
ARRONDISSEMENT = re.compile(r"^(PARIS|MARSEILLE|LYON) \d{1,2}( ?(E|ER|EME))?( ARRONDISSEMENT)?$")


@functools.lru_cache(maxsize=65536)
def nom_normalise(nom: str) -> str:
    """A commune's name as files write it, reduced to what they agree on: « ST MALO
    CEDEX », « Saint-Malo » → « SAINT MALO »; « MARSEILLE 16 » → « MARSEILLE »."""
    texte = re.sub(r"[^A-Z0-9]+", " ", sans_accents(nom).upper()).strip()
    texte = CEDEX.sub("", texte).strip()
    texte = " ".join(ABREVIATIONS.get(mot, mot) for mot in texte.split())
    if ARRONDISSEMENT.match(texte):
        texte = texte.split(" ", 1)[0]
    return texte


def departement_du_code_postal(code_postal: str) -> list[str]:
    """The départements a postcode may belong to (Corsica's 20xxx: both)."""
    if code_postal.startswith("20"):
        return ["2A", "2B"]
    if code_postal[:2] in ("97", "98"):
        return [code_postal[:3]]
    return [code_postal[:2]]


class IndexCommunes:
    """What the import needs to place its lines in their communes. It reads the communes
    of the file's postcodes and INSEE codes at once, then a département's communes only
    when a line is not placed by its postcode (a CEDEX postcode, a misspelt one)."""

    def __init__(self, *, codes_postaux: set[str], codes_insee: set[str]):
        self.noms: dict[int, set[str]] = {}  # commune → its names, normalised
        self.par_code_postal: dict[str, set[int]] = {}
        self.par_code: dict[str, int] = {}  # INSEE code → current commune
        self.par_nom: dict[tuple[str, str], set[int]] = {}  # (département, name) → communes
        self.departements_lus: set[str] = set()

        # Merged communes are left out here, not in SQL: SQLite then scans every commune.
        par_code_postal = (
            CodePostal.objects.filter(code__in=codes_postaux)
            .values_list("code", "commune_id", "commune__nom", "commune__fusionnee_dans")
            .order_by()
        )
        for code, pk, nom, fusionnee_dans in par_code_postal:
            if fusionnee_dans is not None:
                continue
            self.par_code_postal.setdefault(code, set()).add(pk)
            if pk not in self.noms:
                self.noms[pk] = {nom_normalise(nom)}
        for pk, nom in (
            CommuneRattachee.objects.filter(commune__in=self.noms)
            .values_list("commune_id", "nom")
            .order_by()
        ):
            self.noms[pk].add(nom_normalise(nom))
        if codes_insee:
            communes = Commune.objects.filter(code_insee__in=codes_insee).select_related(
                "fusionnee_dans"
            )
            self.par_code.update({c.code_insee: c.actuelle().pk for c in communes})
            for rattachee in (
                CommuneRattachee.objects.filter(code__in=codes_insee)
                .exclude(code__in=self.par_code)
                .select_related("commune")
                .order_by("type")
            ):
                self.par_code.setdefault(rattachee.code, rattachee.commune.actuelle().pk)

    def _lire_departement(self, departement: str) -> None:
        self.departements_lus.add(departement)
        for pk, nom in (
            Commune.objects.actuelles()
            .filter(departement__code=departement)
            .values_list("pk", "nom")
            .order_by()
        ):
            self.par_nom.setdefault((departement, nom_normalise(nom)), set()).add(pk)
        for pk, nom, fusionnee_dans in (
            CommuneRattachee.objects.filter(commune__departement__code=departement)
            .values_list("commune_id", "nom", "commune__fusionnee_dans")
            .order_by()
        ):
            if fusionnee_dans is None:
                cle = (departement, nom_normalise(nom))
                self.par_nom.setdefault(cle, set()).add(pk)

    def _par_nom(self, departement: str, nom: str) -> set[int]:
        if departement not in self.departements_lus:
            self._lire_departement(departement)
        return self.par_nom.get((departement, nom), set())

    def trouver(
        self, *, code_insee: str = "", code_postal: str = "", ville: str = "", departement=""
    ) -> int | None:
        if code_insee:
            return self.par_code.get(code_insee)
        nom = nom_normalise(ville)
        par_code_postal = self.par_code_postal.get(code_postal, set())
        if nom:
            candidates = {pk for pk in par_code_postal if nom in self.noms[pk]}
            if len(candidates) == 1:
                return candidates.pop()
            # A commune renamed since the file was written: « LOUHANS » for
            # Louhans-Châteaurenaud, « PARSAC RIMONDEIX » for Parsac.
            candidates = {
                pk
                for pk in par_code_postal
                for autre in self.noms[pk]
                if autre.startswith(f"{nom} ") or nom.startswith(f"{autre} ")
            }
            if len(candidates) == 1:
                return candidates.pop()
            departements = departement_du_code_postal(code_postal) if code_postal else []
            for code in dict.fromkeys([*departements, departement]):
                candidates = self._par_nom(code, nom) if code else set()
                if len(candidates) == 1:
                    return next(iter(candidates))
        if len(par_code_postal) == 1:
            return next(iter(par_code_postal))
        return None
