"""Bench of `import_structures` on the ASP's list of SIAE: lines per second, and the share
of structures that find their commune.

Builds a list of N lines from the real records of tests/fixtures/siae (the ASP's list of
July 2019, see its README), with their SIRETs renamed (lines that share a SIRET in the
excerpt share the new one, so that the kinds of one SIRET stay together), or reads a
file as it is (`--fichier` the full list, `--lignes 0`). Loads the real territories
first when the database has none (import_territoires), then imports the list three
times: a dry run, the writing run, and the same file again (everything unchanged).

    DJANGO_SETTINGS_MODULE=config.settings.dev DATABASE_URL=postgres://… \\
        .venv/bin/python bench/bench_structures.py [--lignes 4000] [--fichier liste.csv]

The structures stay in the database afterwards: bench on a throwaway one.
"""

import argparse
import io
import itertools
import os
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
EXTRAIT = RACINE / "tests" / "fixtures" / "siae" / "liste_siae_asp_2019_07.csv"


def preparer_django():
    sys.path.insert(0, str(RACINE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()


def siret(n):
    from stdnum import luhn

    debut = f"8{n:07d}"
    siren = debut + luhn.calc_check_digit(debut)
    sans_cle = f"{siren}{n % 10000:04d}"
    return sans_cle + luhn.calc_check_digit(sans_cle)


def liste(chemin, nombre):
    """The lines of `chemin`, or `nombre` lines made of its records with new SIRETs."""
    lignes = chemin.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    if not nombre:
        return lignes
    entete, enregistrements = lignes[0], lignes[1:]
    rang = entete.rstrip("\r\n").split(";").index("SIRET")
    sortie, nouveaux, tour = [entete], {}, 0
    for ligne in itertools.cycle(enregistrements):
        if len(sortie) > nombre:
            break
        if ligne is enregistrements[0]:
            tour, nouveaux = tour + 1, {}
        cellules = ligne.split(";")
        cle = cellules[rang]
        if cle not in nouveaux:
            nouveaux[cle] = siret(tour * 100_000 + len(nouveaux))
        cellules[rang] = nouveaux[cle]
        sortie.append(";".join(cellules))
    return sortie


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fichier", type=Path, default=EXTRAIT)
    parser.add_argument("--lignes", type=int, default=4000, help="0 : le fichier tel quel")
    options = parser.parse_args()
    preparer_django()

    from django.conf import settings
    from django.core.management import call_command

    from commune.models import Commune
    from structures.imports import structures_importer

    # As in production: with DEBUG, Django also formats and keeps the SQL of each query.
    settings.DEBUG = False
    if not Commune.objects.exists():
        debut = time.perf_counter()
        call_command("import_territoires", stdout=io.StringIO())
        print(f"import_territoires : {time.perf_counter() - debut:.1f} s")
    lignes = liste(options.fichier, options.lignes)
    print(f"liste : {len(lignes) - 1} lignes ({options.fichier.name})")
    for titre, ecrire in (("simulation", False), ("écriture", True), ("réimport", True)):
        debut = time.perf_counter()
        rapport = structures_importer(fichier=lignes, ecrire=ecrire)
        duree = time.perf_counter() - debut
        print(
            f"{titre} : {duree:.2f} s, {rapport.lues / duree:.0f} lignes/s "
            f"(créées {rapport.creees}, mises à jour {rapport.mises_a_jour}, "
            f"inchangées {rapport.inchangees}, rejetées {rapport.rejetees})"
        )
    structures = rapport.creees + rapport.mises_a_jour + rapport.inchangees
    trouvees = structures - len(rapport.sans_commune)
    print(f"communes trouvées : {trouvees}/{structures} ({100 * trouvees / structures:.1f} %)")


if __name__ == "__main__":
    main()
