"""What the import commands of every app show: a progress bar (on the error output, so
that a summary piped to a file stays clean; hidden when that output is not a terminal),
short lists, the summary as JSON for a script."""

import json
import sys

from tqdm import tqdm


def barre(elements, total, titre, unite=" lignes"):
    """`total` None when a stream does not say its size beforehand."""
    return tqdm(elements, total=total, desc=titre, unit=unite, file=sys.stderr, disable=None)


MONTRES = 20


def apercu(elements):
    """'a, b, c' — or the first twenty 'et 12 autres'."""
    reste = len(elements) - MONTRES
    texte = ", ".join(elements[:MONTRES])
    return f"{texte} et {reste} autres" if reste > 0 else texte


def ajouter_format(parser):
    parser.add_argument(
        "--format",
        choices=["texte", "json"],
        default="texte",
        help="json : le même résumé en JSON, pour un script.",
    )


def ecrire_json(sortie, donnees):
    sortie.write(json.dumps(donnees, ensure_ascii=False, indent=2, default=str))


def ecrire_fusions(sortie, fusions):
    """What each merger moved, and what it left for staff to resolve."""
    if fusions:
        sortie.write(f"Communes fusionnées ({len(fusions)}) :")
        for fusion in fusions:
            sortie.write(f"  {fusion.resume()}")
