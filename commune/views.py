"""The public pages: home, commune directory and comparison, scorecard, action page,
département overview, methodology and open data. Read-only, anonymous, cached
per commune (see commune/cache.py)."""

import csv
import json
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import (
    DecimalField,
    Exists,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe
from django_filters.views import FilterView

from axes.enums import Statut, TypeReferentiel
from axes.models import (
    Action,
    Axe,
    Engagement,
    Jalon,
    Preuve,
    Referentiel,
    Signature,
)
from axes.scoring import arrondi, calculer_score, statut_effectif
from axes.selectors import (
    actions_du_referentiel,
    entrees,
    figures_des_signataires,
    scores_des_communes,
)
from axes.views_avis import AvisForm
from structures.models import Structure

from . import cache, opendata
from .filters import TRANCHES_SCORE, CommuneFilter, demande_le_score
from .health import etat_des_services
from .models import Commune, Departement

MAX_COMPARAISON = 4
# Codes read from the comparison address at most: the rest is not even looked up.
MAX_CODES_LUS = 20


def _guide_ou_404():
    guide = Referentiel.objects.guide()
    if guide is None:
        raise Http404("Aucun référentiel actif.")
    return guide


def _nombre(valeur):
    return None if valeur is None else float(arrondi(valeur))


# Home ---------------------------------------------------------------------------------


def _contexte_accueil(guide):
    axes = list(guide.axes.order_by("numero"))
    figures = figures_des_signataires(
        guide, [axe.numero for axe in axes], [(v, bas, haut) for v, _, bas, haut in TRANCHES_SCORE]
    )
    tranches = [
        {"valeur": valeur, "libelle": libelle, "nombre": figures["tranches"][valeur]}
        for valeur, libelle, _, _ in TRANCHES_SCORE
    ]
    for tranche in tranches:
        tranche["part"] = 100 * tranche["nombre"] / figures["nombre"] if figures["nombre"] else 0
    return {
        "guide": guide,
        "nombre_communes": Commune.objects.actuelles().count(),
        "nombre_signataires": figures["nombre"],
        "nombre_structures": Structure.objects.published().count(),
        "moyennes": [{"axe": axe, "moyenne": figures["par_axe"][axe.numero]} for axe in axes],
        "moyenne_globale": figures["moyenne"],
        "repartition": tranches,
    }


@require_safe
@cache.page_du_site
def accueil(request):
    guide = _guide_ou_404()
    contexte = cache.memoiser(f"accueil:{guide.pk}", lambda: _contexte_accueil(guide))
    return render(request, "commune/accueil.html", contexte)


# Directory ----------------------------------------------------------------------------


def avec_score_courant(communes, guide):
    """The communes annotated with `score`, the avancement of their current snapshot
    of the guide (0 without one: a commune that never filled anything scores 0), to
    sort and filter on. A join, not a lookup per commune: the whole country sorts at
    once. The signals keep the current snapshot equal to the current score."""
    return communes.annotate(
        instantane=FilteredRelation(
            "snapshots", condition=Q(snapshots__referentiel=guide, snapshots__courant=True)
        ),
        score=Coalesce(
            "instantane__avancement",
            Value(Decimal(0)),
            output_field=DecimalField(max_digits=6, decimal_places=3),
        ),
    )


def derniere_modification(guide):
    # `action_id IN (…)` rather than a join on the action: the commune's engagements
    # are then read newest first off an index, and the first one of the guide ends it.
    return Subquery(
        Engagement.objects.filter(
            commune=OuterRef("pk"), action__in=Action.objects.filter(referentiel=guide)
        )
        .order_by("-updated_at")
        .values("updated_at")[:1]
    )


class CommuneListView(FilterView):
    """Filtered in the database (the score from the current snapshot); the figures shown
    are computed from the engagements of the page's communes, like on the scorecard."""

    filterset_class = CommuneFilter
    template_name = "commune/commune_list.html"
    paginate_by = 25
    strict = False

    def get_queryset(self):
        self.guide = _guide_ou_404()
        signee = Signature.objects.filter(
            commune=OuterRef("pk"), referentiel__type=TypeReferentiel.GUIDE
        )
        communes = (
            Commune.objects.actuelles()
            .select_related("departement")
            .annotate(signe=Exists(signee), maj=derniere_modification(self.guide))
        )
        if demande_le_score(self.request.GET):
            communes = avec_score_courant(communes, self.guide)
        return communes.order_by("nom", "code_insee")

    def get_context_data(self, **kwargs):
        contexte = super().get_context_data(**kwargs)
        communes = contexte["object_list"]
        scores = scores_des_communes([c.pk for c in communes], self.guide)
        contexte["lignes"] = [(c, scores[c.pk]) for c in communes]
        contexte["parametres"] = _parametres_sans_page(self.request)
        # Filtered by département: the page links to that département's overview.
        formulaire = self.filterset.form
        contexte["departement_choisi"] = (
            formulaire.cleaned_data.get("departement") if formulaire.is_valid() else None
        )
        return contexte


def _parametres_sans_page(request):
    parametres = request.GET.copy()
    parametres.pop("page", None)
    return parametres.urlencode()


# Comparison ---------------------------------------------------------------------------


def _codes_demandes(request):
    codes = []
    for code in request.GET.getlist("c")[:MAX_CODES_LUS]:
        code = code.strip().upper()
        if code and code not in codes:
            codes.append(code)
    return codes


def _communes_comparees(codes, guide):
    """(codes, {code: commune}) of the current communes asked for; the code of a merged
    commune, a commune déléguée or an arrondissement stands for its commune's (looked up
    only for the codes that are not a commune's)."""
    signee = Signature.objects.filter(commune=OuterRef("pk"), referentiel=guide)
    communes = (
        Commune.objects.actuelles().select_related("departement").annotate(signe=Exists(signee))
    )
    trouvees = {c.code_insee: c for c in communes.filter(code_insee__in=codes)}
    remplacees = {}
    for code in codes:
        if code not in trouvees and (commune := Commune.actuelle_pour_le_code(code)):
            remplacees[code] = commune.code_insee
    if remplacees:
        trouvees |= {c.code_insee: c for c in communes.filter(code_insee__in=remplacees.values())}
    return list(dict.fromkeys(remplacees.get(code, code) for code in codes)), trouvees


@require_safe
def comparer(request):
    guide = _guide_ou_404()
    codes, trouvees = _communes_comparees(_codes_demandes(request), guide)
    inconnus = [code for code in codes if code not in trouvees]
    connues = [trouvees[code] for code in codes if code in trouvees]
    communes, ignorees = connues[:MAX_COMPARAISON], connues[MAX_COMPARAISON:]
    actions = actions_du_referentiel(guide)
    scores = scores_des_communes([c.pk for c in communes], guide, actions)
    colonnes = [
        {
            "commune": commune,
            "score": scores[commune.pk],
            "retrait": urlencode([("c", c.code_insee) for c in communes if c != commune]),
        }
        for commune in communes
    ]
    axes = list(Axe.objects.filter(referentiel=guide).order_by("numero"))
    lignes_axes = [
        {"axe": axe, "scores": [c["score"].axe(axe.numero) for c in colonnes]} for axe in axes
    ]
    lignes_statuts = [
        {"statut": statut, "nombres": [c["score"].comptes[statut] for c in colonnes]}
        for statut in Statut.values
    ]
    contexte = {
        "guide": guide,
        "colonnes": colonnes,
        "lignes_axes": lignes_axes,
        "lignes_statuts": lignes_statuts,
        "inconnus": inconnus,
        "ignorees": ignorees,
        "max_comparaison": MAX_COMPARAISON,
        "peut_ajouter": len(communes) < MAX_COMPARAISON,
    }
    return render(request, "commune/comparer.html", contexte)


# Scorecard ----------------------------------------------------------------------------


def elu_referent(commune):
    try:
        return commune.elu_referent
    except Commune.elu_referent.RelatedObjectDoesNotExist:
        return None


def _commune_du_scorecard(code_insee):
    return get_object_or_404(
        Commune.objects.actuelles().select_related("departement__region", "epci", "elu_referent"),
        code_insee=code_insee,
    )


def _contexte_scorecard(commune):
    """The declared commitments (seven queries whatever the amount of evidence and
    milestones; five when nothing is filled), and what comes from the other tables,
    cached per version of the commune (five more queries and those of the contract
    indicators on a miss)."""
    guide = _guide_ou_404()
    signature = Signature.objects.filter(commune=commune, referentiel=guide).first()
    actions = actions_du_referentiel(guide)
    engagements = {
        e.action_id: e
        for e in Engagement.objects.filter(commune=commune, action__referentiel=guide)
        .defer("note_interne")
        .annotate(a_preuve=Exists(Preuve.objects.filter(engagement=OuterRef("pk"))))
        .prefetch_related(
            Prefetch("preuves", queryset=Preuve.objects.filter(publique=True)),
            Prefetch("jalons", queryset=Jalon.objects.order_by("date", "pk")),
        )
    }
    score = calculer_score(entrees(actions, engagements))
    donnees = opendata.donnees_commune(commune, guide)
    statuts = {
        action.code: statut_effectif(engagements[action.pk].statut, engagements[action.pk].a_preuve)
        for action in actions
        if action.pk in engagements
    }
    constats = opendata.constats(statuts, donnees)
    axes = []
    for axe in Axe.objects.filter(referentiel=guide).order_by("numero"):
        axes.append(
            {
                "axe": axe,
                "score": score.axe(axe.numero),
                "actions": [
                    {
                        "action": action,
                        "engagement": engagements.get(action.pk),
                        "constat": constats.get(action.code),
                        "nombre_avis": donnees["avis"].get(action.pk, 0),
                    }
                    for action in actions
                    if action.axe_id == axe.pk
                ],
            }
        )
    return {
        "commune": commune,
        "guide": guide,
        "signature": signature,
        "referent": elu_referent(commune),
        "score": score,
        "axes": axes,
        "donnees": donnees,
        "derniere_maj": max((e.updated_at for e in engagements.values()), default=None),
    }


@require_safe
def scorecard(request, code_insee):
    """Anonymous visitors share the page, kept whole per version of the commune."""
    commune = _commune_du_scorecard(code_insee)
    return cache.page_gardee(
        cache.cles_commune(commune.pk),
        lambda: render(request, "commune/scorecard.html", _contexte_scorecard(commune)),
    )


def _scorecard_en_donnees(request, contexte):
    """The scorecard as plain data, for its JSON and CSV downloads."""
    commune = contexte["commune"]
    signature, referent = contexte["signature"], contexte["referent"]
    axes = []
    for bloc in contexte["axes"]:
        score_axe = bloc["score"]
        actions = []
        for ligne in bloc["actions"]:
            action, engagement, constat = ligne["action"], ligne["engagement"], ligne["constat"]
            preuves = (
                [opendata.preuve_publique(p) for p in engagement.preuves.all()]
                if engagement
                else []
            )
            actions.append(
                {
                    "code": action.code,
                    "titre": action.titre,
                    "poids": action.poids,
                    "statut_declare": engagement.statut if engagement else Statut.NON_RENSEIGNE,
                    "statut_retenu": (
                        statut_effectif(engagement.statut, engagement.a_preuve)
                        if engagement
                        else Statut.NON_RENSEIGNE
                    ),
                    "avancement": engagement.avancement
                    if engagement and engagement.statut == Statut.EN_COURS
                    else None,
                    "date_cible": engagement.date_cible if engagement else None,
                    "description": engagement.description if engagement else "",
                    "justification": engagement.justification
                    if engagement and engagement.statut == Statut.NON_CONCERNE
                    else "",
                    "url": request.build_absolute_uri(
                        f"{commune.get_absolute_url()}actions/{action.code}/"
                    ),
                    "preuves": [
                        {
                            "titre": p["titre"],
                            "nature": p["nature"],
                            "date": p["date"],
                            "url": request.build_absolute_uri(
                                opendata.url_preuve(commune, action.code, p)
                            ),
                        }
                        for p in preuves
                    ],
                    "jalons": [
                        {"date": j.date, "titre": j.titre, "atteint": j.atteint}
                        for j in (engagement.jalons.all() if engagement else [])
                    ],
                    "donnees": _constat_en_donnees(constat),
                }
            )
        axes.append(
            {
                "numero": bloc["axe"].numero,
                "titre": bloc["axe"].titre,
                "exclu": score_axe.exclu,
                "avancement": None if score_axe.exclu else _nombre(score_axe.avancement),
                "taux_engagement": None if score_axe.exclu else _nombre(score_axe.taux_engagement),
                "comptes": score_axe.comptes,
                "actions": actions,
            }
        )
    donnees = contexte["donnees"]
    return {
        "commune": {
            "code_insee": commune.code_insee,
            "nom": commune.nom,
            "departement": commune.departement.nom,
            "code_departement": commune.departement.code,
            "region": commune.departement.region.nom,
            "epci": commune.epci.nom if commune.epci else None,
            "population": commune.population,
            "url": request.build_absolute_uri(commune.get_absolute_url()),
        },
        "guide": {"titre": contexte["guide"].titre, "version": contexte["guide"].version},
        "signature": {
            "date": signature.date_signature,
            "deliberation_numero": signature.deliberation_numero,
            "deliberation_date": signature.deliberation_date,
        }
        if signature
        else None,
        "elu_referent": {"nom": referent.nom, "mandat": referent.mandat, "depuis": referent.depuis}
        if referent
        else None,
        "score": {
            "avancement": _nombre(contexte["score"].avancement),
            "taux_engagement": _nombre(contexte["score"].taux_engagement),
            "comptes": contexte["score"].comptes,
        },
        "axes": axes,
        "structures": [
            {
                "nom": s["nom"],
                "type": s["type"],
                "implantee_dans_la_commune": s["implantee"],
                "url": request.build_absolute_uri(s["url"]),
            }
            for s in donnees["structures"]
        ],
        "evolution": [
            {
                "date": p["date"],
                "avancement": _nombre(p["avancement"]),
                "taux_engagement": _nombre(p["taux_engagement"]),
            }
            for p in donnees["evolution"]
        ],
        "rapport": request.build_absolute_uri(donnees["rapport"]["url"])
        if donnees["rapport"]
        else None,
        "derniere_mise_a_jour": contexte["derniere_maj"],
        "licence": opendata.LICENCE,
        "source": request.build_absolute_uri(commune.get_absolute_url()),
    }


def _constat_en_donnees(constat):
    if constat is None:
        return None
    return {
        "source": constat.source,
        "constat": constat.resume,
        "details": list(constat.details),
        "soutiens": [
            {
                "structure": s["structure"],
                "type": s["type"],
                "montant": s["montant"],
                "annee": s["annee"],
                "description": s["description"],
            }
            for s in constat.soutiens
        ],
        "verdict": constat.verdict,
        "message": constat.message,
    }


COLONNES_SCORECARD = (
    "code_insee",
    "commune",
    "axe",
    "titre_axe",
    "avancement_axe",
    "code_action",
    "titre_action",
    "poids",
    "statut_declare",
    "statut_retenu",
    "avancement",
    "date_cible",
    "description",
    "justification",
    "preuves_publiques",
    "jalons",
    "donnees_disponibles",
    "constat",
    "page",
)


@require_safe
def scorecard_json(request, code_insee):
    donnees = _scorecard_en_donnees(request, _contexte_scorecard(_commune_du_scorecard(code_insee)))
    reponse = JsonResponse(
        donnees, encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    reponse["Content-Disposition"] = f'inline; filename="commune-{code_insee}.json"'
    return reponse


@require_safe
def scorecard_csv(request, code_insee):
    donnees = _scorecard_en_donnees(request, _contexte_scorecard(_commune_du_scorecard(code_insee)))
    commune = donnees["commune"]
    reponse = HttpResponse(content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = f'attachment; filename="commune-{code_insee}.csv"'
    reponse.write("\ufeff")
    ecrivain = csv.writer(reponse, delimiter=";")
    ecrivain.writerow(COLONNES_SCORECARD)
    for axe in donnees["axes"]:
        for action in axe["actions"]:
            constat = action["donnees"]
            ligne = [
                commune["code_insee"],
                commune["nom"],
                axe["numero"],
                axe["titre"],
                axe["avancement"],
                action["code"],
                action["titre"],
                action["poids"],
                action["statut_declare"],
                action["statut_retenu"],
                action["avancement"],
                action["date_cible"],
                action["description"],
                action["justification"],
                " | ".join(
                    f"{p['titre']} ({p['date'].isoformat()}) {p['url']}" for p in action["preuves"]
                ),
                " | ".join(
                    f"{j['date'].isoformat()} {j['titre']}{' (atteint)' if j['atteint'] else ''}"
                    for j in action["jalons"]
                ),
                constat["constat"] if constat else "",
                constat["message"] if constat else "",
                action["url"],
            ]
            ecrivain.writerow([opendata.valeur_csv(v) for v in ligne])
    return reponse


# One action ---------------------------------------------------------------------------


def _commune_publique(code_insee):
    return get_object_or_404(
        Commune.objects.actuelles().select_related("departement", "elu_referent"),
        code_insee=code_insee,
    )


@require_safe
def action(request, code_insee, code):
    commune = _commune_publique(code_insee)
    donnees = opendata.action_publique(commune, code)
    if donnees is None:
        raise Http404("Action inconnue.")
    contexte = {"commune": commune, **donnees, "formulaire": AvisForm()}
    return render(request, "commune/action.html", contexte)


# Département --------------------------------------------------------------------------


def _contexte_departement(departement, guide):
    signee = Signature.objects.filter(commune=OuterRef("pk"), referentiel=guide)
    remplie = Engagement.objects.filter(commune=OuterRef("pk"), action__referentiel=guide)
    communes = list(
        Commune.objects.actuelles()
        .filter(departement=departement)
        .annotate(signe=Exists(signee), remplie=Exists(remplie))
        .order_by("nom", "code_insee")
    )
    participantes = [c for c in communes if c.signe or c.remplie]
    scores = scores_des_communes([c.pk for c in participantes], guide)
    classement = sorted(
        ((c, scores[c.pk]) for c in participantes),
        key=lambda ligne: (-ligne[1].avancement, -ligne[1].taux_engagement, ligne[0].nom),
    )
    signataires = [score for commune, score in classement if commune.signe]
    structures = list(
        Structure.objects.published()
        .filter(Q(commune__departement=departement) | Q(zones_departements=departement))
        .distinct()
        .select_related("type", "commune")
        .order_by("nom", "pk")
    )
    return {
        "departement": departement,
        "guide": guide,
        "nombre_communes": len(communes),
        "classement": classement,
        "autres": [c for c in communes if not (c.signe or c.remplie)],
        "nombre_signataires": len(signataires),
        "moyenne": sum(s.avancement for s in signataires) / len(signataires)
        if signataires
        else None,
        "structures": structures,
    }


@require_safe
def departement(request, code):
    departement = get_object_or_404(Departement.objects.select_related("region"), code=code)
    guide = _guide_ou_404()
    contexte = cache.memoiser(
        f"departement:{departement.pk}:{guide.pk}",
        lambda: _contexte_departement(departement, guide),
    )
    return render(request, "commune/departement.html", contexte)


# Methodology and open data ------------------------------------------------------------


@require_safe
def methodologie(request):
    guide = _guide_ou_404()
    axes = (
        Axe.objects.filter(referentiel=guide)
        .annotate(poids_total=Sum("actions__poids"))
        .prefetch_related("actions")
        .order_by("numero")
    )
    return render(request, "commune/methodologie.html", {"guide": guide, "axes": axes})


def _colonnes_du_fichier(guide):
    actions = actions_du_referentiel(guide)
    return opendata.colonnes(actions, sorted({a.axe.numero for a in actions}))


@require_safe
def donnees(request):
    guide = _guide_ou_404()
    contexte = {
        "guide": guide,
        "colonnes": _colonnes_du_fichier(guide),
        "colonnes_scorecard": COLONNES_SCORECARD,
        "licence": opendata.LICENCE,
        "licence_url": opendata.LICENCE_URL,
        "colonnes_structures": opendata.COLONNES_STRUCTURES,
        "colonnes_marches": opendata.COLONNES_MARCHES,
    }
    return render(request, "commune/donnees.html", contexte)


class _Tampon:
    """A file-like object whose write() returns the text, for csv.writer in a generator."""

    def write(self, texte):
        return texte


def _nom_du_fichier(extension):
    return f"communes-engagees-{timezone.localdate().isoformat()}.{extension}"


@require_safe
def donnees_csv(request):
    guide = _guide_ou_404()
    noms = [nom for nom, _, _ in _colonnes_du_fichier(guide)]

    def contenu():
        ecrivain = csv.writer(_Tampon(), delimiter=";")
        yield "\ufeff" + ecrivain.writerow(noms)
        for ligne in opendata.lignes_communes(guide):
            yield ecrivain.writerow([opendata.valeur_csv(ligne[nom]) for nom in noms])

    reponse = StreamingHttpResponse(contenu(), content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = f'attachment; filename="{_nom_du_fichier("csv")}"'
    return reponse


@require_safe
def donnees_json(request):
    guide = _guide_ou_404()
    colonnes = _colonnes_du_fichier(guide)
    entete = {
        "licence": opendata.LICENCE,
        "licence_url": opendata.LICENCE_URL,
        "source": request.build_absolute_uri("/donnees/"),
        "genere_le": timezone.now().isoformat(timespec="seconds"),
        "referentiel": {"titre": guide.titre, "version": guide.version},
        "colonnes": [{"nom": n, "type": t, "description": d} for n, t, d in colonnes],
    }

    def contenu():
        yield json.dumps(entete, ensure_ascii=False)[:-1] + ', "communes": ['
        separateur = "\n"
        for ligne in opendata.lignes_communes(guide):
            valeurs = {nom: opendata.valeur_json(valeur) for nom, valeur in ligne.items()}
            yield separateur + json.dumps(valeurs, ensure_ascii=False)
            separateur = ",\n"
        yield "\n]}\n"

    reponse = StreamingHttpResponse(contenu(), content_type="application/json")
    reponse["Content-Disposition"] = f'inline; filename="{_nom_du_fichier("json")}"'
    return reponse


def _reponse_csv(nom_fichier, entete, lignes):
    """A streamed CSV file, UTF-8 with a BOM and `;`, like the communes file."""

    def contenu():
        ecrivain = csv.writer(_Tampon(), delimiter=";")
        yield "\ufeff" + ecrivain.writerow(entete)
        for ligne in lignes:
            yield ecrivain.writerow(ligne)

    reponse = StreamingHttpResponse(contenu(), content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = f'attachment; filename="{nom_fichier}"'
    return reponse


def _reponse_json(request, nom_fichier, cle, colonnes, lignes):
    """A streamed JSON object: licence, source and columns, then the rows as an array."""
    entete = {
        "licence": opendata.LICENCE,
        "licence_url": opendata.LICENCE_URL,
        "source": request.build_absolute_uri("/donnees/"),
        "genere_le": timezone.now().isoformat(timespec="seconds"),
        "colonnes": [
            {"nom": n, "type": t, "description": d, "exemple": e} for n, t, d, e in colonnes
        ],
    }

    def contenu():
        yield json.dumps(entete, ensure_ascii=False)[:-1] + f', "{cle}": ['
        separateur = "\n"
        for ligne in lignes:
            valeurs = {nom: opendata.valeur_json(valeur) for nom, valeur in ligne.items()}
            yield separateur + json.dumps(valeurs, ensure_ascii=False)
            separateur = ",\n"
        yield "\n]}\n"

    reponse = StreamingHttpResponse(contenu(), content_type="application/json")
    reponse["Content-Disposition"] = f'inline; filename="{nom_fichier}"'
    return reponse


def _nom_du_fichier_de(quoi, extension):
    return f"{quoi}-{timezone.localdate().isoformat()}.{extension}"


@require_safe
def donnees_structures_csv(request):
    noms = opendata.noms(opendata.COLONNES_STRUCTURES)
    lignes = (
        [opendata.valeur_csv(ligne[nom]) for nom in noms] for ligne in opendata.lignes_structures()
    )
    return _reponse_csv(_nom_du_fichier_de("structures", "csv"), noms, lignes)


@require_safe
def donnees_structures_json(request):
    return _reponse_json(
        request,
        _nom_du_fichier_de("structures", "json"),
        "structures",
        opendata.COLONNES_STRUCTURES,
        opendata.lignes_structures(),
    )


@require_safe
def donnees_marches_csv(request):
    noms = opendata.noms(opendata.COLONNES_MARCHES)
    return _reponse_csv(
        _nom_du_fichier_de("marches-consideration-sociale", "csv"),
        noms,
        opendata.lignes_marches_csv(),
    )


@require_safe
def donnees_marches_json(request):
    return _reponse_json(
        request,
        _nom_du_fichier_de("marches-consideration-sociale", "json"),
        "marches",
        opendata.COLONNES_MARCHES,
        opendata.lignes_marches_json(),
    )


@require_safe
def healthz(request):
    etat = etat_des_services()
    return JsonResponse(etat, status=200 if etat["ok"] else 503)
