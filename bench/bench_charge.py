"""Load generator and gunicorn starter of the benches (used by bench_echelle.py).

`serveur()` runs an application with gunicorn.conf.py (2 sync workers) on a free port;
`charger()` sends `connexions` concurrent keep-alive clients at a list of paths, taken
in turn, for `duree` seconds, and returns requests per second, p50 and p95 latency,
errors and 5xx. The load generator shares the machine's cores with the server: compare
runs made on the same machine, not absolute figures.
"""

import collections
import contextlib
import http.client
import itertools
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
HOTE = "127.0.0.1"


def port_libre():
    with socket.socket() as s:
        s.bind((HOTE, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serveur(module, env, chemin_pret, workers=2):
    """Gunicorn serving `module` (a WSGI module path); yields its port once
    `chemin_pret` answers, stops it at the end."""
    port = port_libre()
    processus = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"{HOTE}:{port}",
            "--access-logfile",
            "/dev/null",
            module,
        ],
        cwd=RACINE,
        env={**env, "WEB_CONCURRENCY": str(workers)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        limite = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://{HOTE}:{port}{chemin_pret}", timeout=30).read()
                break
            except OSError:
                if time.monotonic() > limite or processus.poll() is not None:
                    raise RuntimeError(f"{module} n'a pas démarré") from None
                time.sleep(0.3)
        yield port
    finally:
        processus.terminate()
        processus.wait()


def centile(triees, fraction):
    """The value under which `fraction` of the sorted values lie (nearest rank)."""
    if not triees:
        return None
    return triees[max(0, min(len(triees) - 1, round(len(triees) * fraction) - 1))]


def charger(port, chemins, connexions, duree, requetes=None):
    """`connexions` clients for `duree` seconds, or until `requetes` requests were sent;
    each request takes the next of `chemins`."""
    suivant = enumerate(itertools.cycle(chemins))
    verrou = threading.Lock()
    latences, erreurs, codes_5xx = [], [0], [0]
    statuts = collections.Counter()
    fin = time.monotonic() + duree

    def client():
        connexion = http.client.HTTPConnection(HOTE, port, timeout=30)
        locales, err, cinq, autres = [], 0, 0, collections.Counter()
        while time.monotonic() < fin:
            with verrou:
                rang, chemin = next(suivant)
            if requetes is not None and rang >= requetes:
                break
            debut = time.perf_counter()
            try:
                connexion.request("GET", chemin, headers={"Host": HOTE})
                reponse = connexion.getresponse()
                reponse.read()
                if reponse.status >= 500:
                    cinq += 1
                elif reponse.status != 200:
                    err += 1
                if reponse.status != 200:
                    autres[reponse.status] += 1
                locales.append(time.perf_counter() - debut)
            except (OSError, http.client.HTTPException):
                err += 1
                autres["connexion"] += 1
                connexion.close()
                connexion = http.client.HTTPConnection(HOTE, port, timeout=30)
        connexion.close()
        with verrou:
            latences.extend(locales)
            erreurs[0] += err
            codes_5xx[0] += cinq
            statuts.update(autres)

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
        "p95_ms": round(centile(latences, 0.95) * 1000, 1) if latences else None,
        "erreurs": erreurs[0],
        "reponses_5xx": codes_5xx[0],
        # What the requests that did not get a 200 got: status, or "connexion".
        "hors_200": {str(cle): n for cle, n in sorted(statuts.items(), key=str)},
    }


def medianes(mesures):
    """The median of each figure over several runs of `charger`; counts are summed."""
    hors_200 = collections.Counter()
    for m in mesures:
        hors_200.update(m["hors_200"])
    return (
        {
            cle: round(statistics.median(m[cle] for m in mesures), 1)
            if all(m[cle] is not None for m in mesures)
            else None
            for cle in ("requetes_par_seconde", "p50_ms", "p95_ms")
        }
        | {cle: sum(m[cle] for m in mesures) for cle in ("requetes", "erreurs", "reponses_5xx")}
        | {"hors_200": dict(sorted(hors_200.items()))}
    )


def ligne(m):
    """One run (or the medians) on one line, with what was not a 200 (status × count)."""
    return (
        f"{m['requetes_par_seconde']:>7} req/s  p50 {m['p50_ms']:>6} ms  p95 {m['p95_ms']:>6} ms"
        + (
            "  hors 200 : " + ", ".join(f"{cle}×{n}" for cle, n in m["hors_200"].items())
            if m["hors_200"]
            else ""
        )
    )
