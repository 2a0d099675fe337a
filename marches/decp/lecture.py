"""Reading a DECP file: its records one at a time, whatever its published shape.

- DECP v1: `{"marches": [...]}`, concessions mixed in the list;
- DECP v2: `{"marches": {"marche": [...], "contrat-concession": [...]}}`, the two lists in
  either order, or a lone record instead of a list (as XML converters write it);
- a bare list of records;
- any other top-level key, before or after `marches` (the DGFiP's PES flux files start
  with `"$schema"`).

The file is read as a stream of JSON events (ijson), so memory holds one record at a time,
however big the file: the national consolidated files run to several GB.
"""

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
TAILLE_TETE = 4096


class SansMarches(Exception):
    """The file is JSON, but holds no list of contracts where the DECP put it."""


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
    stops being so, and SansMarches at the end when no list of contracts was met.
    """
    tete = fichier.read(TAILLE_TETE)
    if isinstance(tete, str):
        raise TypeError("Le fichier DECP doit être ouvert en binaire ('rb').")
    # use_float=False: amounts come as Decimal, exactly as written.
    evenements = ijson.parse(_Recolle(tete.removeprefix(b"\xef\xbb\xbf"), fichier), use_float=False)
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
