"""Import of the DECP (données essentielles de la commande publique), v1 and v2.

- lecture: the records of a file, streamed, whatever its published shape;
- vocabulaire: the v1 words mapped onto the v2 ones;
- champs: one record read, rejected with its reasons or kept (incomplete if need be);
- ecriture: a batch written, lots told apart, re-imports idempotent;
- rapport: the summary, reasons grouped.

What happens to a record
- Its buyer (`acheteur.id`, or `autoriteConcedante.id` for a concession, a SIRET) is
  matched to a commune's `siret_mairie`, else its first 9 digits (the SIREN) to a
  commune's SIREN (a merged commune's SIREN leads to the commune it merged into), else to
  an EPCI's SIREN: an EPCI's contracts are the EPCI's. A contract of another buyer (State,
  hospital, département…) is counted as « autres acheteurs », whatever else it holds: a
  national file is mostly theirs, and their mistakes are not ours to refuse.
- Each record is imported or rejected on its own, with its place in the file, its id and
  its reasons (see champs). Concessions (`contrat-concession`, and the v1 concessions and
  délégations de service public) are stored as contracts of nature « Contrat de
  concession »: concédant as buyer, concessionnaires as holders, valeur globale as amount.
- The same contract (buyer, id, lot key) met again further in the file is counted as a
  duplicate and left alone: the first one read stands, so that a second import of the
  file finds every contract as it left it (0 created, 0 updated).

The whole import runs in one transaction. A dry run (`ecrire=False`) does every write and
rolls them back, so its summary is exactly what the real import would do. By default the
valid records are written and the rejected ones reported; with `strict=True` a single
rejected record rolls everything back. A file that is not valid JSON (cut short, say), or
that holds no list of contracts, is never written, in either mode.

Memory holds one batch of 2,000 contracts, the buyers and structures by SIRET (as many as
the country has, whatever the file), 8 bytes per contract of a followed buyer (to tell
duplicates, see vus), and at most 1,000 detailed error messages.
"""

from collections.abc import Callable, Iterable

import ijson
from django.db import connection, transaction
from django.utils import timezone

from commune import cache
from commune.models import EPCI, Commune
from structures.models import Structure

from .champs import acheteur_siret, est_concession, lire, texte
from .ecriture import RAISON_IMPORT_DECP, TAILLE_LOT, copier, ecrire_lot
from .lecture import SansMarches, enregistrements
from .rapport import RapportDECP
from .vus import Vus

__all__ = ["RAISON_IMPORT_DECP", "TAILLE_LOT", "RapportDECP", "copier", "decp_importer"]


class _Annuler(Exception):
    """Rolls back the import's transaction: a dry run, or a refused strict import."""


def _communes_par(communes, champ):
    """{value of `champ`: commune}, a merged commune standing for the one it merged into."""
    return {
        cle: fusionnee_dans or pk
        for cle, pk, fusionnee_dans in communes.values_list(champ, "pk", "fusionnee_dans")
    }


class _References:
    """Buyers we know: mairies by SIRET, communes and EPCI by SIREN (the SIRET's first 9
    digits); and the structures of the directory by SIRET, to link holders to them.

    Read once: their number is that of the country's communes and structures, whatever
    the size of the file.
    """

    def __init__(self):
        self.communes = _communes_par(Commune.objects.exclude(siret_mairie=""), "siret_mairie")
        self.sirens = _communes_par(Commune.objects.exclude(siren=""), "siren")
        self.epci = dict(EPCI.objects.values_list("siren", "pk"))
        self.structures = dict(Structure.objects.values_list("siret", "pk"))

    def trouver(self, siret):
        """(commune_id, epci_id), or None for a buyer we do not follow."""
        commune_id = self.communes.get(siret) or self.sirens.get(siret[:9])
        if commune_id is not None:
            return commune_id, None
        epci_id = self.epci.get(siret[:9])
        if epci_id is not None:
            return None, epci_id
        return None


def decp_importer(
    *,
    fichier,
    ecrire: bool,
    strict: bool = False,
    by=None,
    taille_lot: int = TAILLE_LOT,
    suivre: Callable[[Iterable], Iterable] | None = None,
) -> RapportDECP:
    """Imports the contracts of a DECP JSON file (`fichier` opened in binary).

    Dry run unless `ecrire`; record by record unless `strict` (see the module's
    docstring). `by` is recorded as the author in the history; `suivre` wraps the
    records (a progress bar). Returns a RapportDECP.
    """
    rapport = RapportDECP(strict=strict)
    references = _References()
    maintenant = timezone.now()
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # The tables grow within this transaction faster than their statistics:
                # left alone, the planner would scan the whole table to look up each
                # batch's contracts and holders, and the import would slow down as it
                # goes. Only this transaction's lookups are concerned.
                with connection.cursor() as curseur:
                    curseur.execute("SET LOCAL enable_seqscan = off")
            _importer(fichier, rapport, references, maintenant, by, taille_lot, suivre)
            if not ecrire or rapport.refuse:
                raise _Annuler
            # COPY and bulk writes send no signal: the contract indicators of the
            # public pages must be computed again.
            transaction.on_commit(cache.invalider_tout)
            rapport.ecrit = True
    except _Annuler:
        pass
    return rapport


def _importer(fichier, rapport, references, maintenant, by, taille_lot, suivre):
    def ecrire(lot):
        ecrire_lot(lot, rapport, maintenant=maintenant, by=by, structures=references.structures)

    lot, vus = [], Vus()
    index = -1
    try:
        lus = enregistrements(fichier)
        if suivre is not None:
            lus = suivre(lus)
        for index, (genre, brut) in enumerate(lus):
            rapport.lus += 1
            if not isinstance(brut, dict):
                rapport.invalide(index, "", ["l'enregistrement n'est pas un objet JSON"])
                continue
            concession = est_concession(brut, genre)
            siret, raison = acheteur_siret(brut, concession)
            if raison:
                rapport.invalide(index, texte(brut.get("id")), [raison])
                continue
            acheteur = references.trouver(siret)
            if acheteur is None:
                rapport.ignores += 1
                continue
            lu, notes = lire(brut, siret=siret, acheteur=acheteur, concession=concession)
            if lu is None:
                rapport.invalide(index, texte(brut.get("id")), notes)
                continue
            cle = hash((lu.acheteur_siret, lu.id_decp, lu.cle_lot))
            if cle in vus:
                rapport.doublons += 1
                continue
            vus.add(cle)
            if notes:
                rapport.incomplet(index, lu.id_decp, notes)
            if concession:
                rapport.concessions += 1
            lot.append(lu)
            if len(lot) >= taille_lot:
                ecrire(lot)
                lot = []
    except ijson.JSONError as erreur:
        apres = f"après le marché n° {index}" if index >= 0 else "dès le début"
        rapport.erreur_fichier = f"Le fichier n'est pas un JSON valide ({apres}) : {erreur}"
        return
    except SansMarches:
        rapport.erreur_fichier = (
            "Le fichier ne contient pas de liste de marchés : ni « marches » (DECP v1 ou v2) "
            "ni liste de marchés à la racine."
        )
        return
    if lot:
        ecrire(lot)
