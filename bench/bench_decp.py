"""Bench of the DECP import: speed, and memory that does not grow with the file.

Generates a DECP v2 file of N contracts (deterministic for a seed; buyers drawn among
the communes' `siret_mairie`, so that every contract matches), imports it with
`ecrire=True` into the configured database, and does the same for N/4. Each import
runs in a fresh process, so that its peak resident memory (getrusage maxrss) is its
own; the memory of the process once Django is loaded is printed beside it, and the CPU
time of the importing process (the database server's work is not in it). Then the N
file is imported again: every contract is unchanged.

    DJANGO_SETTINGS_MODULE=config.settings.dev DATABASE_URL=postgres://… \\
        .venv/bin/python bench/bench_decp.py [--n 100000] [--seed 2026]

The database needs communes with a mairie SIRET (manage.py seed_demo). The contracts
stay in the database afterwards: bench on a throwaway one.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent

PROCEDURES = (
    "Procédure adaptée",
    "Appel d'offres ouvert",
    "Appel d'offres restreint",
    "Procédure avec négociation",
    "Marché passé sans publicité ni mise en concurrence préalable",
    "Dialogue compétitif",
)
CPV = ("77310000-6", "90910000-9", "55523100-3", "45233140-2", "79710000-4", "90511000-2")
SOCIALES = ("Clause sociale", "Critère social", "Marché réservé")
ENVIRONNEMENTALES = ("Clause environnementale", "Critère environnemental")
FORMES = ("Unitaire", "Forfaitaire", "Mixte")


def preparer_django():
    sys.path.insert(0, str(RACINE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()


def memoire_mio():
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def siret(rng):
    from stdnum import luhn

    base = f"{rng.randrange(10**12, 10**13):013d}"
    return base + luhn.calc_check_digit(base)


def contrat(rng, numero, prefixe, acheteurs, structures):
    considerations = [v for v in SOCIALES if rng.random() < 0.15] or [
        "Pas de considération sociale"
    ]
    titulaires = [
        {
            "titulaire": {
                "typeIdentifiant": "SIRET",
                "id": rng.choice(structures) if structures and rng.random() < 0.1 else siret(rng),
            }
        }
        for _ in range(rng.choice((1, 1, 1, 2, 3)))
    ]
    marche = {
        "id": f"{prefixe}-{numero:07d}",
        "acheteur": {"id": rng.choice(acheteurs)},
        "nature": "Marché",
        "objet": f"Marché de test n° {numero} : prestations diverses pour la commune",
        "codeCPV": rng.choice(CPV),
        "procedure": rng.choice(PROCEDURES),
        "lieuExecution": {"code": f"35{rng.randrange(1000):03d}", "typeCode": "Code commune"},
        "dureeMois": rng.randrange(1, 61),
        "dateNotification": f"{rng.choice((2024, 2025, 2026))}-{rng.randrange(1, 13):02d}-"
        f"{rng.randrange(1, 29):02d}",
        "datePublicationDonnees": "2026-06-30",
        "montant": round(rng.uniform(40000, 5_000_000), 2),
        "formePrix": rng.choice(FORMES),
        "titulaires": titulaires,
        "considerationsSociales": {"considerationSociale": considerations},
        "considerationsEnvironnementales": {
            "considerationEnvironnementale": [v for v in ENVIRONNEMENTALES if rng.random() < 0.2]
            or ["Pas de considération environnementale"]
        },
    }
    if rng.random() < 0.1:
        marche["modifications"] = [
            {
                "modification": {
                    "id": 1,
                    "montant": round(marche["montant"] * rng.uniform(0.8, 1.2), 2),
                    "dureeMois": marche["dureeMois"] + 6,
                    "dateNotificationModificationModification": "2026-09-01",
                }
            }
        ]
    return marche


def generer(chemin, nombre, seed, prefixe, acheteurs, structures):
    """Writes the file one contract at a time: the generator does not hold it either."""
    rng = random.Random(seed)
    with open(chemin, "w", encoding="utf-8") as fichier:
        fichier.write('{"marches": {"marche": [\n')
        for numero in range(nombre):
            if numero:
                fichier.write(",\n")
            fichier.write(
                json.dumps(contrat(rng, numero, prefixe, acheteurs, structures), ensure_ascii=False)
            )
        fichier.write("\n]}}\n")


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
    parser.add_argument("--n", type=int, default=100_000, help="contracts (default 100000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--mesurer", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.mesurer:
        mesurer(options.mesurer)
        return

    preparer_django()
    from django.db import connection

    from commune.models import Commune
    from structures.models import Structure

    acheteurs = sorted(
        Commune.objects.exclude(siret_mairie="").values_list("siret_mairie", flat=True)
    )
    if not acheteurs:
        sys.exit("Aucune commune avec un SIRET de mairie : lancez d'abord manage.py seed_demo.")
    structures = sorted(Structure.objects.values_list("siret", flat=True))
    print(
        f"Base : {connection.vendor} ({connection.settings_dict['NAME']}), "
        f"{len(acheteurs)} acheteurs, {len(structures)} structures."
    )
    connection.close()

    horodatage = int(time.time())
    with tempfile.TemporaryDirectory() as dossier:
        mesures = []
        for nombre in (options.n // 4, options.n):
            chemin = Path(dossier) / f"decp-{nombre}.json"
            debut = time.perf_counter()
            generer(
                chemin, nombre, options.seed, f"BENCH{horodatage}-{nombre}", acheteurs, structures
            )
            taille = chemin.stat().st_size / 1024**2
            print(
                f"Fichier de {nombre} marchés : {taille:.1f} Mio, "
                f"généré en {time.perf_counter() - debut:.1f} s."
            )
            mesures.append((f"import de {nombre} marchés", lancer(chemin)))
        mesures.append((f"réimport des {options.n} (inchangés)", lancer(chemin)))

    print()
    print(
        f"{'':36} {'marchés/s':>10} {'secondes':>9} {'dont CPU Python':>16} "
        f"{'mémoire de base':>16} {'pic':>9}"
    )
    for libelle, m in mesures:
        print(
            f"{libelle:36} {m['lus'] / m['secondes']:>10,.0f} {m['secondes']:>9.1f} "
            f"{m['cpu']:>14.1f} s {m['memoire_base_mio']:>12.0f} Mio "
            f"{m['memoire_pic_mio']:>5.0f} Mio"
        )
        print(
            f"{'':36} créés {m['crees']}, mis à jour {m['mis_a_jour']}, "
            f"inchangés {m['inchanges']}, invalides {m['invalides']}, écrit : {m['ecrit']}"
        )


if __name__ == "__main__":
    main()
