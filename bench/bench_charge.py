"""Load on the scorecard under gunicorn (2 workers), next to a static baseline.

    .venv/bin/python bench/bench_charge.py [--connexions 64] [--duree 30]

Creates a throwaway PostgreSQL database (ce_bench_charge) with the demo data,
serves the site with gunicorn.conf.py and the production settings (Redis as the
cache), and sends `connexions` concurrent keep-alive clients at a scorecard for
`duree` seconds; then the same against the same gunicorn serving the
scorecard's pre-rendered bytes from a minimal WSGI app. Prints requests per
second, p50 and p95 latency, errors and 5xx for both, and their ratio; writes
them to bench/results.json under "charge". The load generator shares the
machine's 2 cores with the server: compare the two runs, not absolute figures.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"
BASE = "ce_bench_charge"
PAGE = "/communes/35238/"


def port_libre():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def executer(*commande, env):
    subprocess.run(commande, cwd=RACINE, env=env, check=True, stdout=subprocess.DEVNULL)


def demarrer(module, env, port):
    processus = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            module,
        ],
        cwd=RACINE,
        env={**env, "WEB_CONCURRENCY": "2"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    limite = time.monotonic() + 30
    while time.monotonic() < limite:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{PAGE}", timeout=5).read()
            return processus
        except OSError:
            time.sleep(0.3)
    processus.kill()
    raise RuntimeError(f"{module} n'a pas démarré")


def charger(port, connexions, duree):
    latences, erreurs, codes_5xx = [], [0], [0]
    verrou = threading.Lock()
    fin = time.monotonic() + duree

    def client():
        connexion = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        locales, err, cinq = [], 0, 0
        while time.monotonic() < fin:
            debut = time.perf_counter()
            try:
                connexion.request("GET", PAGE, headers={"Host": "127.0.0.1"})
                reponse = connexion.getresponse()
                reponse.read()
                if reponse.status >= 500:
                    cinq += 1
                elif reponse.status != 200:
                    err += 1
                locales.append(time.perf_counter() - debut)
            except (OSError, http.client.HTTPException):
                err += 1
                connexion.close()
                connexion = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        with verrou:
            latences.extend(locales)
            erreurs[0] += err
            codes_5xx[0] += cinq

    fils = [threading.Thread(target=client) for _ in range(connexions)]
    debut = time.monotonic()
    for f in fils:
        f.start()
    for f in fils:
        f.join()
    ecoule = time.monotonic() - debut
    latences.sort()
    return {
        "requetes": len(latences),
        "requetes_par_seconde": round(len(latences) / ecoule, 1),
        "p50_ms": round(statistics.median(latences) * 1000, 1) if latences else None,
        "p95_ms": round(latences[int(len(latences) * 0.95) - 1] * 1000, 1) if latences else None,
        "erreurs": erreurs[0],
        "reponses_5xx": codes_5xx[0],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connexions", type=int, default=64)
    parser.add_argument("--duree", type=int, default=30)
    options = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="bench-charge-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DATABASE_URL": f"{PG}/{BASE}",
        "REDIS_CACHE_URL": "redis://127.0.0.1:6379/13",
        "SECRET_KEY": "bench-seulement-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
        "VAR_DIR": str(var),
        "LOG_LEVEL": "WARNING",
    }
    executer("dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", BASE, env=env)
    executer("createdb", "-h", "127.0.0.1", "-U", "postgres", BASE, env=env)
    executer(sys.executable, "manage.py", "migrate", "--noinput", env=env)
    executer(sys.executable, "manage.py", "seed_demo", "--force", env=env)
    executer(sys.executable, "manage.py", "collectstatic", "--noinput", env=env)

    port = port_libre()
    site = demarrer("config.wsgi", env, port)
    try:
        page = var / "scorecard.html"
        page.write_bytes(urllib.request.urlopen(f"http://127.0.0.1:{port}{PAGE}").read())
        resultat_site = charger(port, options.connexions, options.duree)
    finally:
        site.terminate()
        site.wait()
    port = port_libre()
    statique = demarrer("bench.statique_wsgi", {**env, "BENCH_PAGE": str(page)}, port)
    try:
        resultat_statique = charger(port, options.connexions, options.duree)
    finally:
        statique.terminate()
        statique.wait()
    executer("dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", BASE, env=env)

    ratio = resultat_site["requetes_par_seconde"] / resultat_statique["requetes_par_seconde"]
    for nom, r in (("scorecard", resultat_site), ("référence statique", resultat_statique)):
        print(
            f"{nom:>20} : {r['requetes_par_seconde']} req/s, p50 {r['p50_ms']} ms, "
            f"p95 {r['p95_ms']} ms, {r['erreurs']} erreur(s), {r['reponses_5xx']} réponse(s) 5xx"
        )
    print(
        f"{'rapport':>20} : {ratio:.2f} du débit de la référence "
        f"({options.connexions} connexions, {options.duree} s)"
    )
    fichier = RACINE / "bench" / "results.json"
    resultats = json.loads(fichier.read_text()) if fichier.exists() else {}
    resultats["charge"] = {
        "connexions": options.connexions,
        "duree_s": options.duree,
        "scorecard": resultat_site,
        "reference_statique": resultat_statique,
        "rapport_debit": round(ratio, 3),
    }
    fichier.write_text(json.dumps(resultats, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
