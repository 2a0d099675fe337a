"""CSV export of contracts, one row per contract, columns named after the DECP v2 fields.

UTF-8 with a BOM and `;` as separator (what French spreadsheets open right), like
the project's other CSV files. Lists are joined with `|`: `titulaires` holds the
holders' identifiers, `considerationsSociales` and `considerationsEnvironnementales`
the DECP values ("Pas de considération sociale" when there is none). Dates are
AAAA-MM-JJ, amounts in euros HT with a dot and two decimals.
"""

import csv
from collections.abc import Iterator

from django.db.models import Prefetch

from .models import Titulaire

COLONNES = (
    "id",
    "acheteur.id",
    "nature",
    "objet",
    "codeCPV",
    "procedure",
    "lieuExecution.code",
    "lieuExecution.typeCode",
    "dureeMois",
    "dateNotification",
    "datePublicationDonnees",
    "montant",
    "formePrix",
    "titulaires",
    "considerationsSociales",
    "considerationsEnvironnementales",
)
SEPARATEUR = ";"
SEPARATEUR_LISTE = "|"
TAILLE_MORCEAU = 2000
# A spreadsheet runs a cell that starts with one of these as a formula: free text
# gets a leading apostrophe (the only free text here is the object).
DEBUTS_DE_FORMULE = ("=", "+", "-", "@", "\t", "\r")


class _Tampon:
    """A file-like object whose write() returns what it was given, for streaming."""

    def write(self, valeur):
        return valeur


def _texte_libre(valeur):
    return "'" + valeur if valeur.startswith(DEBUTS_DE_FORMULE) else valeur


def _ligne(marche):
    return [
        marche.id_decp,
        marche.acheteur_siret,
        marche.nature,
        _texte_libre(marche.objet),
        marche.code_cpv,
        marche.procedure,
        marche.lieu_code,
        marche.lieu_type_code,
        "" if marche.duree_mois is None else marche.duree_mois,
        marche.date_notification.isoformat() if marche.date_notification else "",
        marche.date_publication.isoformat() if marche.date_publication else "",
        "" if marche.montant is None else f"{marche.montant:.2f}",
        marche.forme_prix,
        SEPARATEUR_LISTE.join(t.identifiant for t in marche.titulaires.all()),
        SEPARATEUR_LISTE.join(marche.considerations_sociales),
        SEPARATEUR_LISTE.join(marche.considerations_environnementales),
    ]


def marches_exporter(*, marches) -> Iterator[str]:
    """The CSV text of the contracts of the queryset `marches`, chunk by chunk.

    Read by chunks of 2,000 contracts with their holders (two queries a chunk), so a
    large export neither loads every row at once nor queries once per contract.
    """
    ecrivain = csv.writer(_Tampon(), delimiter=SEPARATEUR, lineterminator="\r\n")
    yield "\ufeff" + ecrivain.writerow(COLONNES)
    requete = marches.recents_d_abord().prefetch_related(
        Prefetch("titulaires", queryset=Titulaire.objects.order_by("pk"))
    )
    for marche in requete.iterator(chunk_size=TAILLE_MORCEAU):
        yield ecrivain.writerow(_ligne(marche))


def nom_du_fichier(commune, *, publics):
    suffixe = "" if publics else "-membres"
    return f"marches-{commune.code_insee}{suffixe}.csv"
