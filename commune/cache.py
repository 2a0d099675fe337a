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

The scorecard, the home page and the directory are also kept whole, as the
bytes and headers sent to anonymous visitors: the views mark what may be kept
(`page_gardee`, `page_du_site`) and `commune.middleware.PagesPubliquesMiddleware`,
first of the stack, keeps it and serves it: a hit costs two cache round trips,
no query and no other middleware.
The entry records the versions read before the page was computed, so a bump
during the computation leaves it stale from the start.
Entries under an old version are never read again and expire on their own.
Version numbers come from the clock, never from a counter, so a version key
evicted and recreated can never bring back an old entry.

With several server processes the cache must be shared (REDIS_CACHE_URL):
a per-process memory cache would not see the bumps of the other processes
until its entries expire.

When the cache cannot be reached (`config.cache_redis` then answers every call as
a miss), a version reads as None: what depends on it is computed and not kept, and
a bump that could not be written is written again, with a new version, by the next
read of this process that reaches the cache.
"""

import functools
import hashlib
import time

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

PREFIXE = "public"
CLE_SITE = f"{PREFIXE}:version:site"
CLE_SOCLE = f"{PREFIXE}:version:socle"
# Bounds how stale a page can be when a bump was missed (bulk writes without
# signals, a per-process cache): explicit bumps are the rule, this the safety net.
DUREE_COMMUNE = 60 * 60
DUREE_SITE = 10 * 60

_ABSENT = object()

# Bumps this process could not write (the cache was down): {key: None}.
_bumps_en_retard = {}


def cle_commune(commune_id):
    return f"{PREFIXE}:version:commune:{commune_id}"


def _nouvelle_version():
    return time.time_ns()


def _ecrire_bumps(cles):
    nouvelle = _nouvelle_version()
    non_ecrites = cache.set_many(dict.fromkeys(cles, nouvelle), timeout=None) or []
    _bumps_en_retard.update(dict.fromkeys(non_ecrites))
    return non_ecrites


def _versions(cles):
    """The current version under each key, created when missing: one round trip.
    None for a key that the cache could not give."""
    if _bumps_en_retard:
        en_retard = list(_bumps_en_retard)
        _bumps_en_retard.clear()
        _ecrire_bumps(en_retard)
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
    if None in versions:
        return calcul()
    # Communes bumped together share a version number: the key names its owner too.
    cle = f"{PREFIXE}:{proprietaire}:{nom}:" + ":".join(str(v) for v in versions)
    valeur = cache.get(cle, _ABSENT)
    if valeur is _ABSENT:
        valeur = calcul()
        cache.set(cle, valeur, duree)
    return valeur


def memoiser_par_commune(nom, commune_ids, calcul):
    """{commune_id: value}, each kept per version of its commune and of the socle:
    `calcul(ids)` returns {commune_id: value} for the communes whose value is not
    kept. Two cache round trips when every value is kept, whatever their number."""
    commune_ids = list(commune_ids)
    if not commune_ids:
        return {}
    socle, *versions_communes = _versions([CLE_SOCLE, *map(cle_commune, commune_ids)])
    if socle is None or None in versions_communes:
        return calcul(commune_ids)
    cles = {
        pk: f"{PREFIXE}:commune:{pk}:{nom}:{socle}:{version}"
        for pk, version in zip(commune_ids, versions_communes, strict=True)
    }
    trouvees = cache.get_many(list(cles.values()))
    resultat = {pk: trouvees[cle] for pk, cle in cles.items() if cle in trouvees}
    manquantes = [pk for pk in commune_ids if pk not in resultat]
    if manquantes:
        calculees = calcul(manquantes)
        cache.set_many({cles[pk]: calculees[pk] for pk in manquantes}, DUREE_COMMUNE)
        resultat.update(calculees)
    return resultat


def cles_commune(commune_id):
    """The versions a page of one commune depends on."""
    return [CLE_SOCLE, cle_commune(commune_id)]


# The versions a page of many communes depends on.
CLES_SITE = [CLE_SOCLE, CLE_SITE]


def page_partageable(request):
    """Whether every visitor sending this request gets the same bytes: anonymous,
    no session (no signed-in menu, no form token) and no message waiting."""
    return request.method in ("GET", "HEAD") and not (
        request.COOKIES.keys() & {settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name}
    )


def _cle_page(request):
    # The whole address: the page shows it (og:url), host and query string included.
    adresse = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"{PREFIXE}:page:{adresse}"


# Headers not kept with a page: its length is counted again, and a response that
# sets a cookie is never kept.
_ENTETES_NON_GARDES = {"set-cookie", "content-length"}


def page_lue(request):
    """The response kept for this address, when still current; None otherwise."""
    entree = cache.get(_cle_page(request))
    if entree is None:
        return None
    cles, versions_lues, contenu, entetes = entree
    actuelles = cache.get_many(cles)
    if [actuelles.get(cle) for cle in cles] != versions_lues:
        return None
    reponse = HttpResponse(contenu)
    for nom, valeur in entetes:
        reponse[nom] = valeur
    # Like the page it copies: a signed-in visitor gets another page.
    patch_vary_headers(reponse, ["Cookie"])
    return reponse


def page_ecrite(request, reponse):
    """Keeps the response that a view marked with `page_gardee` for the next anonymous
    visitors of its address, under the versions read before it was computed."""
    cles, versions_lues = reponse.garde_publique
    if None in versions_lues or reponse.status_code != 200 or reponse.streaming or reponse.cookies:
        return
    entetes = [(n, v) for n, v in reponse.items() if n.lower() not in _ENTETES_NON_GARDES]
    entree = (cles, versions_lues, reponse.content, entetes)
    duree = DUREE_SITE if cles == CLES_SITE else DUREE_COMMUNE
    cache.set(_cle_page(request), entree, duree)


def page_gardee(cles, rendre):
    """`rendre()`'s response, marked as the same for every anonymous visitor until one
    of the versions `cles` moves: `PagesPubliquesMiddleware` keeps it. The versions
    are read first, so that a change made meanwhile leaves the page stale at once."""
    versions_lues = _versions(cles)
    reponse = rendre()
    reponse.garde_publique = (cles, versions_lues)
    return reponse


def page_du_site(vue):
    """Decorates a view of many communes: its page is kept whole per version of the site."""

    @functools.wraps(vue)
    def enveloppe(request, *args, **kwargs):
        return page_gardee(CLES_SITE, lambda: vue(request, *args, **kwargs))

    return enveloppe


def invalider_communes(*commune_ids):
    """Drops what is cached about these communes, and the site-wide pages.

    Signals call it on every save and delete; code that writes without
    signals (bulk_create, update) must call it itself."""
    _ecrire_bumps([*(cle_commune(pk) for pk in commune_ids if pk is not None), CLE_SITE])


def invalider_tout():
    """Drops every cached public page: the referential, a structure or the
    geography changed, which many communes show."""
    _ecrire_bumps([CLE_SOCLE, CLE_SITE])
