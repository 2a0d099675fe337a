"""Report build time, in-process and through real Celery workers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ce_bench_rapports \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/bench_rapports.py

Prints the median seconds to build one report (in-process, N builds) and the
reports per minute that 2 worker processes build over 200 communes. Writes the
figures to bench/results.json under "rapports". The database named in
DATABASE_URL is dropped and created again: never point it at real data.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")


def preparer_base():
    import psycopg

    url = os.environ["DATABASE_URL"]
    base, nom = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as connexion:
        connexion.execute(f'DROP DATABASE IF EXISTS "{nom}"')
        connexion.execute(f'CREATE DATABASE "{nom}"')


def communes_signataires(nombre):
    """Copies Rennes's engagements onto `nombre` generated communes that signed the guide."""
    from axes.models import Engagement, Referentiel, Signature
    from commune.models import Commune, Departement

    guide = Referentiel.objects.guide()
    rennes = Commune.objects.get(code_insee="35238")
    modele = list(Engagement.objects.filter(commune=rennes))
    departement = Departement.objects.get(code="35")
    communes = Commune.objects.bulk_create(
        Commune(
            code_insee=f"35{600 + i:03d}",
            nom=f"Commune de mesure {i}",
            slug=f"mesure-{i}",
            departement=departement,
            population=1000 + i,
        )
        for i in range(nombre)
    )
    Signature.objects.bulk_create(
        Signature(commune=c, referentiel=guide, date_signature="2026-01-15") for c in communes
    )
    Engagement.objects.bulk_create(
        Engagement(
            commune=c,
            action_id=e.action_id,
            statut=e.statut,
            avancement=e.avancement,
            date_cible=e.date_cible,
            description=e.description,
            justification=e.justification,
        )
        for c in communes
        for e in modele
    )
    return communes


def mediane_en_processus(essais):
    from axes.models import Referentiel
    from commune.models import Commune, Rapport
    from commune.rapports import contexte_du_rapport, dessiner_pdf

    rapport = Rapport.objects.create(
        commune=Commune.objects.get(code_insee="35238"), referentiel=Referentiel.objects.guide()
    )
    durees = []
    for _ in range(essais):
        debut = time.perf_counter()
        dessiner_pdf(contexte_du_rapport(rapport))
        durees.append(time.perf_counter() - debut)
    rapport.delete()
    return statistics.median(durees), durees


def debit_avec_workers(communes, processus):
    from commune.enums import StatutRapport
    from commune.models import Rapport
    from commune.services import rapports_demander
    from config.celery import app

    app.control.purge()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel",
            "warning",
            "--concurrency",
            str(processus),
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=RACINE,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev"},
    )
    try:
        time.sleep(3)  # let the worker connect before the clock starts
        debut = time.perf_counter()
        rapports_demander(communes=communes, by=None)
        ids = list(Rapport.objects.filter(commune__in=communes).values_list("pk", flat=True))
        while True:
            restants = Rapport.objects.filter(
                pk__in=ids, statut__in=[StatutRapport.EN_ATTENTE, StatutRapport.EN_COURS]
            ).count()
            if restants == 0:
                break
            time.sleep(0.5)
        duree = time.perf_counter() - debut
        echecs = Rapport.objects.filter(pk__in=ids, statut=StatutRapport.ECHEC).count()
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    return len(ids) / duree * 60, duree, echecs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--essais", type=int, default=15)
    parser.add_argument("--communes", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get(
        "CELERY_BROKER_URL"
    ):
        sys.exit("DATABASE_URL (PostgreSQL) et CELERY_BROKER_URL (Redis) sont nécessaires.")

    preparer_base()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--force", verbosity=0)
    communes = communes_signataires(options.communes)

    mediane, durees = mediane_en_processus(options.essais)
    print(
        f"rapport (en processus) : médiane {mediane:.3f} s sur {options.essais} constructions "
        f"(min {min(durees):.3f} s, max {max(durees):.3f} s)"
    )
    par_minute, duree, echecs = debit_avec_workers(communes, options.workers)
    print(
        f"rapports avec {options.workers} processus worker : {options.communes} en {duree:.1f} s, "
        f"soit {par_minute:.0f} rapports/minute ({echecs} échec(s))"
    )

    fichier = RACINE / "bench" / "results.json"
    resultats = json.loads(fichier.read_text()) if fichier.exists() else {}
    resultats["rapports"] = {
        "mediane_s": round(mediane, 3),
        "essais": options.essais,
        "rapports_par_minute": round(par_minute, 1),
        "communes": options.communes,
        "workers": options.workers,
        "echecs": echecs,
    }
    fichier.write_text(json.dumps(resultats, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
