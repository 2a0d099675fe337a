"""The site at national scale, on PostgreSQL: queries per page, latency, load, plans, territories.

    .venv/bin/python bench/bench_echelle.py [--communes 3000 --structures 400 --marches 20000]

On throwaway databases of its own (dropped at the end, unless --garder):

1. ce_bench_echelle, migrated then filled by `seed_scale` (its size options pass
   through), timed: it loads the real territories (35,000 communes, 1,255 EPCI) and
   draws the rest on them, `--communes` being the size of its sample of communes;
2. SQL queries of the main pages and API lists (Django's test client, cache emptied
   before the first request, warm for the second), beside the same pages on
   ce_bench_demo filled by `seed_demo`; a line is flagged when the counts differ;
3. latency of the directory and the API communes list filtered by département
   (rotating over the départements, some at page 2) under gunicorn, 2 workers,
   production settings, Redis cache: one pass with the cache emptied, then `--essais`
   runs of `--clients` clients;
4. the scorecard of a signed commune against its pre-rendered bytes served by the same
   gunicorn (bench/statique_wsgi.py): `--connexions` connections, runs alternated;
5. EXPLAIN (ANALYZE, BUFFERS) of the 3 slowest queries of the heaviest pages;
6. import_territoires (the official découpage of the npm package) into a fresh
   database, then again on the same database: nothing left to change.

Every figure of a run is the median of `--essais` runs, with the runs beside it; all
are written to bench/results.json under "echelle" (the previous run's figures are
printed beside the new ones). Numbers only: nothing is asserted. The load generator
shares the machine's cores with the server: compare runs of the same machine.
"""

import argparse
import contextlib
import datetime
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))

from bench.bench_charge import charger, ligne, medianes, serveur  # noqa: E402

PG = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/13"
VIERGE = "ce_bench_vierge"  # migrated once, the template of the others
ECHELLE = "ce_bench_echelle"
DEMO = "ce_bench_demo"
TERRITOIRES = "ce_bench_territoires"
RESULTATS = RACINE / "bench" / "results.json"
ETAPES = ("requetes", "latence", "charge", "explain", "territoires")
OPTIONS_SEED = ("communes", "structures", "marches", "part_engagees", "seed")


# Databases and processes ----------------------------------------------------------------


def admin(ordre, *parametres):
    """An order on the server's maintenance database; the rows it returns, if any."""
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as connexion:
        curseur = connexion.execute(ordre, parametres or None)
        return curseur.fetchall() if curseur.description else []


def existe(nom):
    return bool(admin("SELECT 1 FROM pg_database WHERE datname = %s", nom))


def supprimer(nom):
    admin(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')


def creer(nom, modele=None):
    supprimer(nom)
    admin(f'CREATE DATABASE "{nom}"' + (f' TEMPLATE "{modele}"' if modele else ""))


def environnement(var, base):
    """Production settings, Redis as the cache, on `base`."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DATABASE_URL": f"{PG}/{base}",
        "REDIS_CACHE_URL": REDIS,
        "SECRET_KEY": "bench-seulement-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "False",
        "VAR_DIR": str(var),
        "LOG_LEVEL": "ERROR",
        "LOG_FORMAT": "ligne",
        # The API limits each address (60 requests a minute anonymous, 600 signed in, both
        # counted for an anonymous client): the bench's clients share one address. Per
        # second, the throttle's history of recent requests stays as short as in real use.
        "API_DEBIT_ANONYME": "100000/s",
        "API_DEBIT_UTILISATEUR": "100000/s",
        "CELERY_BROKER_URL": "",
    }


def executer(*commande, env):
    """Runs a command; its output is shown only when it fails."""
    resultat = subprocess.run(
        commande, cwd=RACINE, env=env, capture_output=True, text=True, check=False
    )
    if resultat.returncode:
        sys.stdout.write(resultat.stdout[-5000:])
        sys.stderr.write(resultat.stderr[-5000:])
        raise SystemExit(f"Échec de : {' '.join(map(str, commande))}")
    return resultat.stdout


def enfant(etape, env, var, **arguments):
    """Runs a step in a fresh process (its own settings and database); returns its JSON."""
    sortie = var / f"{etape}-{time.monotonic_ns()}.json"
    commande = [sys.executable, __file__, "--enfant", etape, "--sortie", str(sortie)]
    for nom, valeur in arguments.items():
        commande += [f"--{nom.replace('_', '-')}", str(valeur)]
    executer(*commande, env=env)
    return json.loads(sortie.read_text())


def preparer_django():
    import django

    django.setup()


def titre(texte):
    print(f"\n== {texte} ==", flush=True)


def milliers(n):
    return f"{n:,}".replace(",", " ")


# 1. Seed ---------------------------------------------------------------------------------


def semer(options, var):
    creer(ECHELLE, VIERGE)
    arguments = []
    for nom in OPTIONS_SEED:
        valeur = getattr(options, nom)
        if valeur is not None:
            arguments += [f"--{nom.replace('_', '-')}", str(valeur)]
    debut = time.perf_counter()
    sortie = executer(
        sys.executable, "manage.py", "seed_scale", *arguments, env=environnement(var, ECHELLE)
    )
    duree = time.perf_counter() - debut
    print(f"{' '.join(['seed_scale', *arguments])} : {duree:.1f} s")
    for texte in sortie.splitlines():
        print(f"   {texte}")
    return round(duree, 1)


# 2 and 5. Queries per page, and plans (child process) ------------------------------------

# (key, label, path, explained): {s} signed commune, {n} unsigned, {d} département,
# {t} band of avancement (that of the signed commune).
PAGES = (
    ("accueil", "accueil", "/", False),
    ("scorecard_signee", "scorecard, commune signataire", "/communes/{s}/", True),
    ("scorecard_non_signee", "scorecard, commune non signataire", "/communes/{n}/", False),
    ("action_signee", "action 1.1, signataire", "/communes/{s}/actions/1.1/", False),
    ("action_non_signee", "action 1.1, non signataire", "/communes/{n}/actions/1.1/", False),
    ("marches_commune", "marchés de la commune", "/communes/{s}/marches/", False),
    ("departement", "page du département", "/departements/{d}/", False),
    ("annuaire", "annuaire des communes", "/communes/", False),
    ("annuaire_departement", "annuaire, département", "/communes/?departement={d}", True),
    (
        "annuaire_tranche",
        "annuaire, tranche d'avancement",
        "/communes/?score={t}&tri=-score",
        True,
    ),
    ("structures", "annuaire des structures", "/structures/", False),
    ("api_communes", "API communes", "/api/v1/communes/", True),
    (
        "api_communes_departement",
        "API communes, département",
        "/api/v1/communes/?departement={d}",
        False,
    ),
    (
        "api_engagements",
        "API engagements d'une commune",
        "/api/v1/communes/{s}/engagements/",
        False,
    ),
    ("api_structures", "API structures", "/api/v1/structures/", False),
    ("api_marches", "API marchés", "/api/v1/marches/", True),
    (
        "api_marches_departement",
        "API marchés, département",
        "/api/v1/marches/?departement={d}",
        False,
    ),
)


def choisir():
    """The largest signed commune with engagements and contracts, the largest commune
    that has filled nothing, its département and the band of its avancement."""
    from django.db.models import Count, Exists, F, OuterRef

    from axes.models import Engagement, Referentiel, ScoreSnapshot, Signature
    from commune.filters import TRANCHES_SCORE
    from commune.models import Commune
    from marches.models import Marche

    guide = Referentiel.objects.guide()
    signee = Exists(Signature.objects.filter(commune=OuterRef("pk"), referentiel=guide))
    engagee = Exists(Engagement.objects.filter(commune=OuterRef("pk")))
    achete = Exists(Marche.objects.filter(commune=OuterRef("pk")))
    ordre = (F("population").desc(nulls_last=True), "code_insee")
    communes = Commune.objects.select_related("departement")
    s = (
        communes.filter(signee, engagee, achete).order_by(*ordre).first()
        or communes.filter(signee, engagee).order_by(*ordre).first()
    )
    n = communes.filter(~signee, ~engagee).order_by(*ordre).first()
    if s is None or n is None:
        raise SystemExit("Il faut une commune signataire et une commune sans engagement.")
    avancement = (
        ScoreSnapshot.objects.filter(commune=s, referentiel=guide)
        .order_by("-date")
        .values_list("avancement", flat=True)
        .first()
    ) or 0
    tranche = next(
        valeur
        for valeur, _, bas, haut in TRANCHES_SCORE
        if bas <= avancement and (haut is None or avancement < haut)
    )
    return {
        "signee": {
            "code": s.code_insee,
            "nom": s.nom,
            "population": s.population,
            "engagements": s.engagements.count(),
            "marches": s.marches.count(),
        },
        "non_signee": {"code": n.code_insee, "nom": n.nom, "population": n.population},
        "departement": s.departement.code,
        "tranche": tranche,
        # Code → number of communes, to ask for a page 2 only where there is one.
        "departements": dict(
            Commune.objects.order_by("departement__code")
            .values_list("departement__code")
            .annotate(nombre=Count("pk"))
        ),
    }


LIBELLES_TAILLES = {
    "communes": "communes",
    "departements": "départements",
    "epci": "EPCI",
    "structures": "structures",
    "marches": "marchés",
    "signatures": "signatures",
    "engagements": "engagements",
    "preuves": "preuves",
    "jalons": "jalons",
    "instantanes_de_score": "instantanés de score",
}


def tailles():
    from axes.models import Engagement, Jalon, Preuve, ScoreSnapshot, Signature
    from commune.models import EPCI, Commune
    from marches.models import Marche
    from structures.models import Structure

    return {
        "communes": Commune.objects.count(),
        "departements": Commune.objects.values("departement").distinct().count(),
        "epci": EPCI.objects.count(),
        "structures": Structure.objects.count(),
        "marches": Marche.objects.count(),
        "signatures": Signature.objects.count(),
        "engagements": Engagement.objects.count(),
        "preuves": Preuve.objects.count(),
        "jalons": Jalon.objects.count(),
        "instantanes_de_score": ScoreSnapshot.objects.count(),
    }


def plans(lectures, nombre=3):
    """EXPLAIN (ANALYZE, BUFFERS) of the `nombre` slowest reads among `lectures`."""
    from django.db import connection

    lectures = [q for q in lectures if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
    lectures.sort(key=lambda q: q["secondes"], reverse=True)
    resultat = []
    with connection.cursor() as curseur:
        for q in lectures[:nombre]:
            curseur.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            resultat.append(
                {
                    "ms": round(q["secondes"] * 1000, 2),
                    "sql": q["sql"],
                    "plan": [ligne for (ligne,) in curseur.fetchall()],
                }
            )
    return resultat


def demander(client, url):
    """One request: its status, its queries (SQL and precise duration), its duration."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    durees = []

    def chronometrer(execute, sql, params, many, contexte):
        debut = time.perf_counter()
        try:
            return execute(sql, params, many, contexte)
        finally:
            durees.append(time.perf_counter() - debut)

    # The captured SQL has its parameters in it; the durations it keeps are rounded
    # to the millisecond, so the wrapper times each query too (same order).
    with connection.execute_wrapper(chronometrer), CaptureQueriesContext(connection) as capture:
        debut = time.perf_counter()
        reponse = client.get(url)
        duree = time.perf_counter() - debut
    exception = getattr(reponse, "exc_info", None)
    if len(durees) != len(capture.captured_queries):
        durees = [float(q["time"]) for q in capture.captured_queries]
    return {
        "statut": reponse.status_code,
        "requetes": len(capture.captured_queries),
        "ms": round(duree * 1000, 1),
        "erreur": repr(exception[1])[:300] if exception else None,
        "lectures": [
            {"sql": q["sql"], "secondes": d}
            for q, d in zip(capture.captured_queries, durees, strict=True)
        ],
    }


def mesurer_requetes(sortie, expliquer):
    preparer_django()
    from django.core.cache import cache
    from django.test import Client

    choix = choisir()
    valeurs = {
        "s": choix["signee"]["code"],
        "n": choix["non_signee"]["code"],
        "d": choix["departement"],
        "t": choix["tranche"],
    }
    client = Client(raise_request_exception=False)
    urls = [modele.format(**valeurs) for _, _, modele, _ in PAGES]
    for url in urls:  # templates compiled, URLs resolved: the first page pays no more
        client.get(url)
    pages, explications = [], []
    for (cle, libelle, _, a_expliquer), url in zip(PAGES, urls, strict=True):
        cache.clear()
        froid, chaud = demander(client, url), demander(client, url)
        if expliquer and a_expliquer and froid["statut"] == 200:
            explications.append(
                {"page": cle, "libelle": libelle, "url": url, "requetes": plans(froid["lectures"])}
            )
        del froid["lectures"], chaud["lectures"]
        pages.append({"page": cle, "libelle": libelle, "url": url, "froid": froid, "chaud": chaud})
    sortie.write_text(
        json.dumps(
            {"choix": choix, "tailles": tailles(), "pages": pages, "explain": explications},
            ensure_ascii=False,
        )
    )


def afficher_requetes(echelle, demo):
    def requetes(p):
        texte = f"{p['froid']['requetes']:>3} / {p['chaud']['requetes']:<3}"
        statuts = {p["froid"]["statut"], p["chaud"]["statut"]}
        return texte + ("" if statuts == {200} else " HTTP " + "/".join(map(str, sorted(statuts))))

    titre("Requêtes SQL par page : 1re requête (cache vide) / 2e (cache chaud)")
    print(f"{'page':34} {'national':12} {'ms national':15} {'démo':12}")
    demo_par_page = {p["page"]: p for p in demo["pages"]}
    ecarts = []
    for p in echelle["pages"]:
        d = demo_par_page[p["page"]]
        difference = (p["froid"]["requetes"], p["chaud"]["requetes"]) != (
            d["froid"]["requetes"],
            d["chaud"]["requetes"],
        )
        if difference:
            ecarts.append(p["libelle"])
        print(
            f"{p['libelle']:34} {requetes(p):12} "
            f"{p['froid']['ms']:>5.0f} / {p['chaud']['ms']:<5.0f}   {requetes(d):12}"
            + ("  ≠ diffère" if difference else "")
        )
        for nom, m in (("national", p), ("démo", d)):
            for temps in ("froid", "chaud"):
                if m[temps]["erreur"]:
                    print(f"{'':34} {nom}, {temps} : {m[temps]['erreur']}")
    return ecarts


def abreger(sql):
    """The query on one line, without its list of selected columns when long (up to the
    FROM outside any parenthesis): it says little and hides the rest."""
    sql = " ".join(sql.split())
    profondeur = 0
    for i, caractere in enumerate(sql):
        if caractere == "(":
            profondeur += 1
        elif caractere == ")":
            profondeur -= 1
        elif profondeur == 0 and sql.startswith(" FROM ", i):
            if i < 80:  # short enough to say something (a COUNT, an EXISTS)
                return sql
            return ("SELECT DISTINCT …" if sql.startswith("SELECT DISTINCT") else "SELECT …") + sql[
                i:
            ]
    return sql


def afficher_explain(explications):
    titre("EXPLAIN (ANALYZE, BUFFERS) des 3 requêtes les plus lentes (cache vide)")
    for page in explications:
        print(f"\n-- {page['libelle']} : {page['url']}")
        for q in page["requetes"]:
            sql = abreger(q["sql"])
            sequentiels = sorted(set(re.findall(r"Seq Scan on (\S+)", "\n".join(q["plan"]))))
            print(f"\n   {q['ms']} ms : {sql[:400]}{' …' if len(sql) > 400 else ''}")
            print(
                "   parcours séquentiels : " + (", ".join(sequentiels) if sequentiels else "aucun")
            )
            for texte in q["plan"][:18]:
                print(f"   | {texte[:150]}")
            if len(q["plan"]) > 18:
                print(f"   | … ({len(q['plan']) - 18} lignes de plus)")


# 3 and 4. Under gunicorn ------------------------------------------------------------------


def vider_cache():
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def latences(options, env, choix):
    """The directory and the API communes list, rotating over the départements."""
    communes_par_departement = choix["departements"]
    departements = sorted(communes_par_departement)
    random.Random(1).shuffle(departements)
    # (path, rows per page: paginate_by of the directory, PAGE_SIZE of the API, label)
    listes = {
        "annuaire": ("/communes/?departement={}", 25, "annuaire /communes/?departement=…"),
        "api_communes": (
            "/api/v1/communes/?departement={}",
            50,
            "API /api/v1/communes/?departement=…",
        ),
    }
    titre(
        f"Latence sous gunicorn (2 workers) : {len(departements)} départements tour à tour, "
        f"une requête sur 4 en page 2 ; {options.essais} essais de {options.duree} s"
    )
    resultats = {}
    with serveur("config.wsgi", env, "/communes/") as port:
        for cle, (modele, par_page, libelle) in listes.items():
            chemins = [
                modele.format(d)
                + ("&page=2" if i % 4 == 3 and communes_par_departement[d] > par_page else "")
                for i, d in enumerate(departements)
            ]
            # Pages are cached whole: one pass with the cache emptied first, one client,
            # then the runs, on a warm cache like a site that has been up for a while.
            vider_cache()
            froid = charger(port, chemins, 1, 600, requetes=len(chemins))
            essais = [
                charger(port, chemins, options.clients, options.duree)
                for _ in range(options.essais)
            ]
            resultats[cle] = {"cache_vide": froid, "essais": essais, "mediane": medianes(essais)}
            print(libelle)
            lignes = [
                ("1er passage, cache vide, 1 client", froid),
                (f"médiane, {options.clients} clients", resultats[cle]["mediane"]),
                *((f"essai {numero}", m) for numero, m in enumerate(essais, 1)),
            ]
            for nom, m in lignes:
                print(f"   {nom:34} {ligne(m)}")
    return resultats


def charge(options, env, var, choix):
    """One signed commune's scorecard, against its bytes served by the same gunicorn."""
    page = f"/communes/{choix['signee']['code']}/"
    titre(
        f"Charge : scorecard {page} contre ses octets pré-rendus ({options.connexions} "
        f"connexions, {options.duree_charge} s × {options.essais}, en alternance)"
    )
    vider_cache()
    fichier = var / "scorecard.html"
    with contextlib.ExitStack() as pile:
        port_site = pile.enter_context(serveur("config.wsgi", env, page))
        fichier.write_bytes(urllib.request.urlopen(f"http://127.0.0.1:{port_site}{page}").read())
        port_statique = pile.enter_context(
            serveur("bench.statique_wsgi", {**env, "BENCH_PAGE": str(fichier)}, page)
        )
        site, statique = [], []
        for numero in range(1, options.essais + 1):
            for nom, port, mesures in (
                ("scorecard", port_site, site),
                ("référence statique", port_statique, statique),
            ):
                mesures.append(charger(port, [page], options.connexions, options.duree_charge))
                print(f"essai {numero}  {nom:20} {ligne(mesures[-1])}", flush=True)
    m_site, m_statique = medianes(site), medianes(statique)
    rapport = m_site["requetes_par_seconde"] / m_statique["requetes_par_seconde"]
    print(f"médiane  {'scorecard':20} {ligne(m_site)}")
    print(f"médiane  {'référence statique':20} {ligne(m_statique)}")
    print(f"rapport des débits médians : {rapport:.2f} ({fichier.stat().st_size} octets)")
    return {
        "page": page,
        "connexions": options.connexions,
        "duree_s": options.duree_charge,
        "octets": fichier.stat().st_size,
        "scorecard": {"essais": site, "mediane": m_site},
        "reference_statique": {"essais": statique, "mediane": m_statique},
        "rapport_debit": round(rapport, 3),
    }


# 6. Territories import -------------------------------------------------------------------

IMPORTS_TERRITOIRES = (
    ("chargement", "1er import (base neuve)"),
    ("reimport", "2e import (à l'identique)"),
)


def mesurer_territoires(sortie):
    preparer_django()
    from commune.models import EPCI, CodePostal, Commune, CommuneRattachee
    from commune.territoires import territoires_importer

    durees, changements = [], []
    for _ in IMPORTS_TERRITOIRES:
        debut = time.perf_counter()
        rapport = territoires_importer()
        durees.append(time.perf_counter() - debut)
        changements.append(rapport.changements)
    sortie.write_text(
        json.dumps(
            {
                "durees": durees,
                "changements": changements,
                "communes": Commune.objects.count(),
                "epci": EPCI.objects.count(),
                "rattachees": CommuneRattachee.objects.count(),
                "codes_postaux": CodePostal.objects.count(),
            }
        )
    )


def territoires(options, var):
    titre(
        "Import du découpage administratif (import_territoires, paquet npm) : "
        "base neuve à chaque essai, puis 2e import sur la même base"
    )
    essais = []
    for _ in range(options.essais):
        creer(TERRITOIRES, VIERGE)
        essais.append(enfant("territoires", environnement(var, TERRITOIRES), var))
    supprimer(TERRITOIRES)
    premier = essais[0]
    print(
        f"{milliers(premier['communes'])} communes, {milliers(premier['epci'])} EPCI, "
        f"{milliers(premier['rattachees'])} communes déléguées, associées et arrondissements, "
        f"{milliers(premier['codes_postaux'])} codes postaux"
    )
    resultat = {cle: premier[cle] for cle in ("communes", "epci", "rattachees", "codes_postaux")}
    for rang, (cle, libelle) in enumerate(IMPORTS_TERRITOIRES):
        durees = [e["durees"][rang] for e in essais]
        changements = [e["changements"][rang] for e in essais]
        mediane = statistics.median(durees)
        resultat[cle] = {
            "secondes": [round(d, 2) for d in durees],
            "mediane_s": round(mediane, 2),
            "communes_par_seconde": round(premier["communes"] / mediane),
            "changements": changements,
        }
        print(
            f"{libelle:26} médiane {mediane:5.1f} s, "
            f"{milliers(round(premier['communes'] / mediane)):>6} communes/s, "
            f"{milliers(changements[0])} changement(s)   "
            f"(essais : {' / '.join(f'{d:.1f}' for d in durees)} s)"
        )
    return resultat


# Summary and main --------------------------------------------------------------------


def presenter(echelle):
    print(
        "Taille : "
        + ", ".join(
            f"{milliers(n)} {LIBELLES_TAILLES[nom]}" for nom, n in echelle["tailles"].items()
        )
    )
    choix = echelle["choix"]
    s, n = choix["signee"], choix["non_signee"]
    print(
        f"Communes retenues : {s['code']} {s['nom']} (signataire, {s['engagements']} "
        f"engagements, {s['marches']} marchés), {n['code']} {n['nom']} (sans engagement) ; "
        f"département {choix['departement']} ; tranche d'avancement {choix['tranche']}"
    )


def comparer_a_la_demo(echelle, var):
    """The same pages on the demo data, in a database of their own."""
    creer(DEMO, VIERGE)
    env = environnement(var, DEMO)
    executer(sys.executable, "manage.py", "seed_demo", "--force", env=env)
    demo = enfant("requetes", env, var)
    print(
        f"Démo ({DEMO}, seed_demo) : {demo['choix']['signee']['code']} (signataire), "
        f"{demo['choix']['non_signee']['code']} (sans engagement), département "
        f"{demo['choix']['departement']}, {demo['tailles']['communes']} communes"
    )
    ecarts = afficher_requetes(echelle, demo)
    print(
        "Pages dont le nombre de requêtes diffère de la démo : "
        + (", ".join(ecarts) if ecarts else "aucune")
    )
    return {
        "echelle": {"pages": echelle["pages"]},
        "demo": {"choix": demo["choix"], "pages": demo["pages"]},
        "ecarts": ecarts,
    }


def resume(resultats):
    """The headline figures, flat, for the comparison with the previous run."""
    plat = {}
    if "seed_s" in resultats:
        plat["seed_scale (s)"] = resultats["seed_s"]
    for p in resultats.get("requetes", {}).get("echelle", {}).get("pages", []):
        plat[f"requêtes {p['libelle']}"] = f"{p['froid']['requetes']} / {p['chaud']['requetes']}"
    for cle, m in resultats.get("latence", {}).items():
        plat[f"{cle} cache vide p50 ms"] = m["cache_vide"]["p50_ms"]
        plat[f"{cle} req/s"] = m["mediane"]["requetes_par_seconde"]
        plat[f"{cle} p95 ms"] = m["mediane"]["p95_ms"]
    if "charge" in resultats:
        c = resultats["charge"]
        plat["scorecard req/s"] = c["scorecard"]["mediane"]["requetes_par_seconde"]
        plat["scorecard p95 ms"] = c["scorecard"]["mediane"]["p95_ms"]
        plat["statique req/s"] = c["reference_statique"]["mediane"]["requetes_par_seconde"]
        plat["rapport scorecard / statique"] = c["rapport_debit"]
    if "territoires" in resultats:
        for cle, libelle in IMPORTS_TERRITOIRES:
            plat[f"territoires {libelle} (s)"] = resultats["territoires"][cle]["mediane_s"]
    return plat


def afficher_resume(resultats, precedent):
    """The figures beside the previous run's; the query counts only when they moved."""
    plat = resultats["resume"]
    titre("Résumé" + (f" (avant : exécution du {precedent['date']})" if precedent else ""))
    if precedent and precedent.get("tailles") != resultats.get("tailles"):
        print("attention : la base de l'exécution précédente n'avait pas la même taille")
    ancien = precedent.get("resume", {}) if precedent else {}
    stables = 0
    for cle, valeur in plat.items():
        avant = ancien.get(cle)
        if cle.startswith("requêtes ") and avant in (None, valeur):
            stables += 1
            continue
        print(f"{cle:46} {valeur!s:>10}" + (f"   (avant : {avant})" if avant is not None else ""))
    if stables:
        print(
            f"requêtes par page : {stables} page(s) comme au tableau ci-dessus"
            + (" et avant" if ancien else "")
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--communes", type=int, help="seed_scale --communes (a sample of the real communes)"
    )
    parser.add_argument("--structures", type=int, help="seed_scale --structures")
    parser.add_argument("--marches", type=int, help="seed_scale --marches")
    parser.add_argument("--part-engagees", type=float, help="seed_scale --part-engagees")
    parser.add_argument("--seed", type=int, help="seed_scale --seed")
    parser.add_argument("--essais", type=int, default=3, help="runs of each measure (3)")
    parser.add_argument("--clients", type=int, default=4, help="clients of the latency (4)")
    parser.add_argument("--duree", type=int, default=15, help="seconds of a latency run (15)")
    parser.add_argument("--connexions", type=int, default=16, help="connections of the load")
    parser.add_argument("--duree-charge", type=int, default=20, help="seconds of a load run")
    parser.add_argument(
        "--etapes", default=",".join(ETAPES), help=f"among {','.join(ETAPES)} (all)"
    )
    parser.add_argument(
        "--reprendre",
        action="store_true",
        help=f"reuse {ECHELLE} when it exists instead of seeding it again",
    )
    parser.add_argument("--garder", action="store_true", help="keep the databases at the end")
    parser.add_argument("--enfant", help=argparse.SUPPRESS)
    parser.add_argument("--sortie", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--expliquer", type=int, default=0, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.enfant == "requetes":
        return mesurer_requetes(options.sortie, bool(options.expliquer))
    if options.enfant == "territoires":
        return mesurer_territoires(options.sortie)

    etapes = set(options.etapes.split(","))
    if etapes - set(ETAPES):
        parser.error(f"étapes inconnues : {', '.join(sorted(etapes - set(ETAPES)))}")
    debut = time.monotonic()
    var = Path(tempfile.mkdtemp(prefix="bench-echelle-"))
    resultats = {"date": datetime.datetime.now().isoformat(timespec="seconds")}
    resultats["options"] = {k: v for k, v in vars(options).items() if v is not None}
    for cle in ("enfant", "sortie", "expliquer"):
        resultats["options"].pop(cle, None)
    try:
        titre(f"Échelle nationale, sur PostgreSQL (base {ECHELLE})")
        creer(VIERGE)
        executer(
            sys.executable, "manage.py", "migrate", "--noinput", env=environnement(var, VIERGE)
        )
        executer(
            sys.executable, "manage.py", "collectstatic", "--noinput",
            env=environnement(var, VIERGE),
        )  # fmt: skip
        if options.reprendre and existe(ECHELLE):
            print(f"{ECHELLE} reprise telle quelle (pas de seed_scale)")
        else:
            resultats["seed_s"] = semer(options, var)
        env = environnement(var, ECHELLE)
        echelle = enfant("requetes", env, var, expliquer=int("explain" in etapes))
        choix = echelle["choix"]
        resultats["tailles"], resultats["choix"] = echelle["tailles"], choix
        presenter(echelle)
        if "requetes" in etapes:
            resultats["requetes"] = comparer_a_la_demo(echelle, var)
        if "latence" in etapes:
            resultats["latence"] = latences(options, env, choix)
        if "charge" in etapes:
            resultats["charge"] = charge(options, env, var, choix)
        if "explain" in etapes:
            afficher_explain(echelle["explain"])
            resultats["explain"] = [
                {**p, "requetes": [{**q, "plan": q["plan"][:60]} for q in p["requetes"]]}
                for p in echelle["explain"]
            ]
        if "territoires" in etapes:
            resultats["territoires"] = territoires(options, var)
    finally:
        if not options.garder:
            for base in (ECHELLE, DEMO, TERRITOIRES, VIERGE):
                supprimer(base)
        shutil.rmtree(var, ignore_errors=True)

    resultats["duree_s"] = round(time.monotonic() - debut)
    resultats["resume"] = resume(resultats)
    tout = json.loads(RESULTATS.read_text()) if RESULTATS.exists() else {}
    afficher_resume(resultats, tout.get("echelle"))
    tout["echelle"] = resultats
    RESULTATS.write_text(json.dumps(tout, indent=2, ensure_ascii=False) + "\n")
    print(
        f"\nDurée totale : {resultats['duree_s'] // 60} min {resultats['duree_s'] % 60:02d} s ; "
        f"chiffres écrits dans bench/results.json (clé « echelle »)."
    )


if __name__ == "__main__":
    main()
