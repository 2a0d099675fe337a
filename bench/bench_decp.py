"""Bench of the DECP import: speed, and memory that does not grow with the file.

Builds a DECP v1 file of at least --gio GiB (1 by default) from real records: those of the
excerpts in tests/fixtures/decp (see their README), or of the published files given with
--source (the national consolidated files, say). Each copy gets a new id (`B<run><n>-<id>`)
and a buyer drawn among the communes' `siret_mairie`, so that every contract matches;
everything else is the published record, odd values included. The file starts with a
`"$schema"` key, as the DGFiP's PES flux files do.

Imports it with `ecrire=True` into the configured database, then again (every contract
unchanged). Each import runs in a fresh process, so that its peak resident memory
(getrusage maxrss) is its own; the memory of the process once Django is loaded is printed
beside it, and the CPU time of the importing process (the database server's work is not
in it).

    DJANGO_SETTINGS_MODULE=config.settings.dev DATABASE_URL=postgres://… \\
        .venv/bin/python bench/bench_decp.py [--gio 1] [--source fichier.json …]

The database needs communes with a mairie SIRET (manage.py seed_demo). The contracts
stay in the database afterwards: bench on a throwaway one.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent

FIXTURES = RACINE / "tests" / "fixtures" / "decp"
SCHEMA = "https://raw.githubusercontent.com/etalab/format-commande-publique/master/sch%C3%A9mas/json/paquet.json"


def preparer_django():
    sys.path.insert(0, str(RACINE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()


def memoire_mio():
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def enregistrements_reels(sources):
    """The records of the real files, as published (their lists, whatever the shape)."""
    reels = []
    for source in sources:
        with open(source, encoding="utf-8") as fichier:
            donnees = json.load(fichier)
        marches = donnees.get("marches", donnees) if isinstance(donnees, dict) else donnees
        if isinstance(marches, dict):
            marches = [
                *marches.get("marche", []),
                *marches.get("contrat-concession", []),
            ]
        reels += [marche for marche in marches if isinstance(marche, dict)]
    return reels


def generer(chemin, octets, reels, acheteurs):
    """Writes copies of the real records until the file holds `octets`, one at a time:
    the generator does not hold the file either. Returns the number of records. The ids
    carry the time of the run: each run creates its contracts."""
    numero, serie = 0, f"{int(time.time()) % 10**6:06d}"
    with open(chemin, "w", encoding="utf-8") as fichier:
        fichier.write(f'{{"$schema": "{SCHEMA}",\n"marches": [\n')
        taille = 0
        while taille < octets:
            marche = dict(reels[numero % len(reels)])
            marche["id"] = f"B{serie}{numero:08d}-{marche.get('id')}"[:64]
            cle = "autoriteConcedante" if "autoriteConcedante" in marche else "acheteur"
            marche[cle] = {"id": acheteurs[numero % len(acheteurs)]}
            ligne = (",\n" if numero else "") + json.dumps(marche, ensure_ascii=False)
            fichier.write(ligne)
            taille += len(ligne.encode())
            numero += 1
        fichier.write("\n]}\n")
    return numero


def mesurer(chemin):
    """Child process: imports `chemin`, prints a JSON line with the figures."""
    preparer_django()
    from django.conf import settings

    from marches.decp import decp_importer

    # With DEBUG, Django keeps the SQL of the last 9,000 queries in memory: that is the
    # development server's memory, not the import's.
    settings.DEBUG = False
    base = memoire_mio()
    avant = resource.getrusage(resource.RUSAGE_SELF)
    debut = time.perf_counter()
    with open(chemin, "rb") as fichier:
        rapport = decp_importer(fichier=fichier, ecrire=True)
    duree = time.perf_counter() - debut
    apres = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (apres.ru_utime - avant.ru_utime) + (apres.ru_stime - avant.ru_stime)
    print(
        json.dumps(
            {
                "lus": rapport.lus,
                "crees": rapport.crees,
                "mis_a_jour": rapport.mis_a_jour,
                "inchanges": rapport.inchanges,
                "invalides": rapport.invalides,
                "incomplets": rapport.incomplets,
                "doublons": rapport.doublons,
                "ecrit": rapport.ecrit,
                "secondes": duree,
                "cpu": cpu,
                "memoire_base_mio": base,
                "memoire_pic_mio": memoire_mio(),
            }
        )
    )


def lancer(chemin):
    resultat = subprocess.run(
        [sys.executable, __file__, "--mesurer", str(chemin)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    return json.loads(resultat.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gio", type=float, default=1.0, help="size of the file (GiB)")
    parser.add_argument(
        "--source",
        type=Path,
        nargs="*",
        help="real DECP files to copy records from (default: tests/fixtures/decp)",
    )
    parser.add_argument("--dossier", type=Path, help="where to write the file (default: /tmp)")
    parser.add_argument("--mesurer", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.mesurer:
        mesurer(options.mesurer)
        return

    preparer_django()
    from django.db import connection

    from commune.models import Commune

    acheteurs = sorted(
        Commune.objects.exclude(siret_mairie="").values_list("siret_mairie", flat=True)
    )
    if not acheteurs:
        sys.exit("Aucune commune avec un SIRET de mairie : lancez d'abord manage.py seed_demo.")
    print(
        f"Base : {connection.vendor} ({connection.settings_dict['NAME']}), "
        f"{len(acheteurs)} acheteurs."
    )
    connection.close()
    sources = options.source or sorted(FIXTURES.glob("*.json"))
    reels = enregistrements_reels(sources)
    print(f"{len(reels)} enregistrements réels, de {len(sources)} fichiers.")

    with tempfile.TemporaryDirectory(dir=options.dossier) as dossier:
        chemin = Path(dossier) / "decp.json"
        debut = time.perf_counter()
        nombre = generer(chemin, int(options.gio * 1024**3), reels, acheteurs)
        taille = chemin.stat().st_size / 1024**2
        print(
            f"Fichier de {nombre} marchés : {taille:,.0f} Mio, "
            f"généré en {time.perf_counter() - debut:.0f} s."
        )
        mesures = [("import", lancer(chemin)), ("réimport (inchangés)", lancer(chemin))]

    print()
    print(
        f"{'':24} {'marchés/s':>10} {'secondes':>9} {'dont CPU Python':>16} "
        f"{'mémoire de base':>16} {'pic':>9}"
    )
    for libelle, m in mesures:
        print(
            f"{libelle:24} {m['lus'] / m['secondes']:>10,.0f} {m['secondes']:>9.1f} "
            f"{m['cpu']:>14.1f} s {m['memoire_base_mio']:>12.0f} Mio "
            f"{m['memoire_pic_mio']:>5.0f} Mio"
        )
        print(
            f"{'':24} lus {m['lus']}, créés {m['crees']}, mis à jour {m['mis_a_jour']}, "
            f"inchangés {m['inchanges']}, incomplets {m['incomplets']}, "
            f"rejetés {m['invalides']}, doublons {m['doublons']}, écrit : {m['ecrit']}"
        )


if __name__ == "__main__":
    main()
