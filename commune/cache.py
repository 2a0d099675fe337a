"""The cache of the public pages: version numbers that the signals bump.

What a public page computes is stored under a key made of the version numbers
it depends on:

* one version per commune, bumped when any row of that commune changes
  (engagements, evidence, milestones, signature, référent, supports, contracts,
  opinions, snapshots, reports: see `commune/signals.py`);
* a site-wide version, bumped on every such change too, for the pages that
  show many communes (home, département pages);
* a "socle" version, bumped when what every commune page shows changes
  (the referential, the structures, the geography).

A bump makes the next read miss and recompute: the change is visible at once.
Entries under an old version are never read again and expire on their own.
Version numbers come from the clock, never from a counter, so a version key
evicted and recreated can never bring back an old entry.

With several server processes the cache must be shared (REDIS_CACHE_URL):
a per-process memory cache would not see the bumps of the other processes
until its entries expire.
"""

import time

from django.core.cache import cache

PREFIXE = "public"
CLE_SITE = f"{PREFIXE}:version:site"
CLE_SOCLE = f"{PREFIXE}:version:socle"
# Bounds how stale a page can be when a bump was missed (bulk writes without
# signals, a per-process cache): explicit bumps are the rule, this the safety net.
DUREE_COMMUNE = 60 * 60
DUREE_SITE = 10 * 60

_ABSENT = object()


def cle_commune(commune_id):
    return f"{PREFIXE}:version:commune:{commune_id}"


def _nouvelle_version():
    return time.time_ns()


def _versions(cles):
    """The current version under each key, created when missing: one round trip."""
    versions = cache.get_many(cles)
    for cle in cles:
        if cle not in versions:
            # add(): when two requests create it at once, both read the same winner.
            cache.add(cle, _nouvelle_version(), timeout=None)
            versions[cle] = cache.get(cle)
    return [versions[cle] for cle in cles]


def memoiser(nom, calcul, *, commune_id=None):
    """`calcul()`, computed once per version of the commune (or of the site when
    `commune_id` is None) and of the socle. `nom` tells apart what is cached."""
    if commune_id is None:
        cles, duree, proprietaire = [CLE_SOCLE, CLE_SITE], DUREE_SITE, "site"
    else:
        cles, duree = [CLE_SOCLE, cle_commune(commune_id)], DUREE_COMMUNE
        proprietaire = f"commune:{commune_id}"
    versions = _versions(cles)
    # Communes bumped together share a version number: the key names its owner too.
    cle = f"{PREFIXE}:{proprietaire}:{nom}:" + ":".join(str(v) for v in versions)
    valeur = cache.get(cle, _ABSENT)
    if valeur is _ABSENT:
        valeur = calcul()
        cache.set(cle, valeur, duree)
    return valeur


def invalider_communes(*commune_ids):
    """Drops what is cached about these communes, and the site-wide pages.

    Signals call it on every save and delete; code that writes without
    signals (bulk_create, update) must call it itself."""
    nouvelle = _nouvelle_version()
    valeurs = {cle_commune(pk): nouvelle for pk in commune_ids if pk is not None}
    valeurs[CLE_SITE] = nouvelle
    cache.set_many(valeurs, timeout=None)


def invalider_tout():
    """Drops every cached public page: the referential, a structure or the
    geography changed, which many communes show."""
    nouvelle = _nouvelle_version()
    cache.set_many({CLE_SOCLE: nouvelle, CLE_SITE: nouvelle}, timeout=None)
