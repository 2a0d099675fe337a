"""Reading a DECP file: its records one at a time, whatever its published shape.

- DECP v1: `{"marches": [...]}`, concessions mixed in the list;
- DECP v2: `{"marches": {"marche": [...], "contrat-concession": [...]}}`, the two lists in
  either order, or a lone record instead of a list (as XML converters write it);
- a bare list of records;
- any other top-level key, before or after `marches` (the DGFiP's PES flux files start
  with `"$schema"`).

The file is read as a stream (ijson), so memory holds one record at a time, however big
the file: the national consolidated files run to several GB. Its first bytes tell where
the records are (a list under `marches`, or the two lists of v2); the records are then
built by ijson's C parser (for v2, one parser per list, fed the same bytes). A file whose `marches`
comes after more than TAILLE_TETE bytes of other keys is read event by event in Python,
four times slower, but read all the same. A bare `NaN` (or `Infinity`) written for an
unknown number is read as null.
"""

import io
import re

import ijson
from ijson.common import ObjectBuilder

MARCHE = "marché"
CONCESSION = "concession"

# Where records sit, by ijson prefix, and what they are. A v1 list may hold concessions:
# the reader of a record tells them apart by their fields.
LISTES = {
    "item": MARCHE,
    "marches.item": MARCHE,
    "marches.marche.item": MARCHE,
    "marches.contrat-concession.item": CONCESSION,
}
SEULS = {"marches.marche": MARCHE, "marches.contrat-concession": CONCESSION}
CONTENEURS = {("", "start_array"), ("marches", "start_array"), ("marches", "start_map")}
SCALAIRES = {"string", "number", "boolean", "null"}
TAILLE_TETE = 256 * 1024
TAILLE_MORCEAU = 256 * 1024


class SansMarches(Exception):
    """The file is JSON, but holds no list of contracts where the DECP put it."""


class _SansNaN:
    """The file with the bare `NaN` and `Infinity` that some producers write for an
    unknown number (JSON has no such value, and ijson refuses them) read as `null`.

    Only a value is replaced (after `:`, `[` or `,`, before `,`, `}` or `]`: the same
    words inside a text are left alone, unless written exactly so); the last bytes of
    each read wait for the next one, so that a value cut between two reads is seen whole."""

    ATTENTE = 32
    VALEUR = re.compile(rb"([:\[,]\s*)-?(?:NaN|Infinity)(\s*[,}\]])")

    def __init__(self, fichier):
        self.fichier = fichier
        self.reste = b""

    def read(self, taille=-1):
        while True:
            lu = self.fichier.read(taille)
            if isinstance(lu, str):
                raise TypeError("Le fichier DECP doit être ouvert en binaire ('rb').")
            morceau = self._remplacer(self.reste + lu)
            if not lu:
                self.reste = b""
                return morceau
            self.reste = morceau[-self.ATTENTE :]
            morceau = morceau[: -self.ATTENTE]
            if morceau:
                return morceau

    def _remplacer(self, morceau):
        if b"NaN" in morceau or b"Infinity" in morceau:
            # Twice: `[NaN,NaN]` shares the comma between two matches.
            for _ in range(2):
                morceau = self.VALEUR.sub(rb"\1null\2", morceau)
        return morceau


class _Recolle:
    """A file whose first bytes were already read (to check them and drop a BOM)."""

    def __init__(self, tete, fichier):
        self.tete = tete
        self.fichier = fichier

    def read(self, taille=-1):
        if not self.tete:
            return self.fichier.read(taille)
        if taille is None or taille < 0:
            morceau, self.tete = self.tete + self.fichier.read(), b""
            return morceau
        morceau, self.tete = self.tete[:taille], self.tete[taille:]
        return morceau


def enregistrements(fichier):
    """(kind, record) for each record of a DECP file opened in binary.

    Raises ijson.JSONError when the file is not valid JSON (cut short, say), where it
    stops being so, and SansMarches when no list of contracts is met.
    """
    fichier = _SansNaN(fichier)
    tete = fichier.read(TAILLE_TETE)
    tete = tete.removeprefix(b"\xef\xbb\xbf")
    listes = _listes(tete, entier=len(tete) < TAILLE_TETE)
    flux = _Recolle(tete, fichier)
    if listes is None:
        return _evenement_par_evenement(flux)
    return _par_listes(flux, listes)


def _listes(tete, *, entier):
    """Where the records are, read from the file's first bytes: [(prefix, kind)], or None
    when they do not tell (then the slow path reads the whole file event by event)."""
    try:
        for prefixe, evenement, _ in ijson.parse(io.BytesIO(tete)):
            if (prefixe, evenement) == ("", "start_array"):
                return [("item", MARCHE)]
            if (prefixe, evenement) == ("marches", "start_array"):
                return [("marches.item", MARCHE)]
            if (prefixe, evenement) == ("marches", "start_map"):
                return [
                    ("marches.marche.item", MARCHE),
                    ("marches.contrat-concession.item", CONCESSION),
                ]
    except ijson.JSONError:
        return None
    if entier:
        raise SansMarches
    return None


def _par_listes(flux, listes):
    """The records of each list, built by ijson's C parser: one parser per list, each fed
    the same bytes (a single list goes through `ijson.items`, twice as fast)."""
    if len(listes) == 1:
        ((prefixe, genre),) = listes
        for enregistrement in ijson.items(flux, prefixe, use_float=False):
            yield genre, enregistrement
        return
    parseurs = []
    for prefixe, genre in listes:
        sortie = ijson.sendable_list()
        parseurs.append((ijson.items_coro(sortie, prefixe, use_float=False), sortie, genre))
    while morceau := flux.read(TAILLE_MORCEAU):
        for parseur, sortie, genre in parseurs:
            parseur.send(morceau)
            for enregistrement in sortie:
                yield genre, enregistrement
            del sortie[:]
    for parseur, sortie, genre in parseurs:
        parseur.close()
        for enregistrement in sortie:
            yield genre, enregistrement


def _evenement_par_evenement(flux):
    evenements = ijson.parse(flux, use_float=False)
    trouve = False
    constructeur = debut = genre = None
    for prefixe, evenement, valeur in evenements:
        if constructeur is not None:
            constructeur.event(evenement, valeur)
            if prefixe == debut and evenement in ("end_map", "end_array"):
                yield genre, constructeur.value
                constructeur = None
            continue
        if (prefixe, evenement) in CONTENEURS:
            trouve = True
        genre = LISTES.get(prefixe)
        if genre is None:
            genre = SEULS.get(prefixe)
            if genre is None or evenement != "start_map":
                continue
        if evenement in SCALAIRES:
            yield genre, valeur
        elif evenement in ("start_map", "start_array"):
            constructeur, debut = ObjectBuilder(), prefixe
            constructeur.event(evenement, valeur)
    if not trouve:
        raise SansMarches
