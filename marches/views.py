"""Member pages of a commune's contracts: /espace/communes/<code INSEE>/marches/.

Members of any role and platform staff read; éditeurs and admins change contracts and
their social clauses; the staff of a structure holding a contract also read it and
report the hours done under its clauses. Permissions are checked (404, then 403)
before anything is read from the request, so a refused request writes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_filters.views import FilterView

from commune import perms as perms_commune
from commune.concurrence import ConflitDeVersion, conflit_preparer, valeurs_de

from . import perms, services
from .export import marches_exporter, nom_du_fichier
from .filters import MarcheFilter
from .forms import ClauseSocialeForm, MarcheForm, SuiviHeuresForm, TitulaireFormSet
from .indicateurs import indicateurs_commune
from .models import ClauseSociale, Marche, SuiviHeures

PAR_PAGE = 25
PREFIXE_TITULAIRES = "titulaires"
HISTORIQUE_MAX = 10
OPERATIONS = {"+": "création", "~": "modification", "-": "suppression"}


def parametres_sans_page(request):
    parametres = request.GET.copy()
    parametres.pop("page", None)
    return parametres.urlencode()


def _cadre(user, marche):
    """Members of the commune see its sub-navigation; holders' staff a page of their own."""
    est_membre = perms.can_view_marches(user, marche.commune)
    gabarit = "espace/base_commune.html" if est_membre else "marches/espace/base_titulaire.html"
    return {"gabarit": gabarit, "est_membre": est_membre}


def _historique(versions):
    return [
        {
            "date": version.history_date,
            "auteur": (
                version.history_user.nom_affiche if version.history_user else "la plateforme"
            ),
            "operation": OPERATIONS.get(version.history_type, ""),
            "raison": version.history_change_reason or "",
        }
        for version in versions.select_related("history_user").order_by("-history_date")[
            :HISTORIQUE_MAX
        ]
    ]


def _url_detail(marche, ancre=""):
    url = reverse("espace:marches:detail", args=[marche.commune.code_insee, marche.pk])
    return f"{url}#{ancre}" if ancre else url


def _url_clause(marche, clause, ancre=""):
    url = reverse("espace:marches:clause", args=[marche.commune.code_insee, marche.pk, clause.pk])
    return f"{url}#{ancre}" if ancre else url


# Contracts -----------------------------------------------------------------------


class ListeMarches(LoginRequiredMixin, FilterView):
    filterset_class = MarcheFilter
    template_name = "marches/espace/liste.html"
    paginate_by = PAR_PAGE
    strict = False
    http_method_names = ["get", "head"]

    def get(self, request, *args, code_insee, **kwargs):
        self.commune = perms_commune.commune_pour(request.user, code_insee)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return Marche.objects.filter(commune=self.commune).recents_d_abord()

    def get_context_data(self, **kwargs):
        contexte = super().get_context_data(**kwargs)
        annee = self.filterset.annee_choisie
        contexte.update(
            commune=self.commune,
            annee=annee,
            indicateurs=indicateurs_commune(self.commune, annee, publies_seulement=False),
            peut_modifier=perms.can_edit_marches(self.request.user, self.commune),
            parametres=parametres_sans_page(self.request),
        )
        return contexte


def _page_formulaire(
    request, commune, formulaire, titulaires, marche=None, identifiant="", conflit=None
):
    erreurs = []
    if formulaire.is_bound:
        erreurs = formulaire.resume_erreurs() + titulaires.resume_erreurs()
    contexte = {
        "commune": commune,
        "marche": marche,
        # The identifier as saved: a refused form may have changed the instance's.
        "identifiant": identifiant or (marche.id_decp if marche else ""),
        "formulaire": formulaire,
        "titulaires": titulaires,
        "erreurs": erreurs,
        "conflit": conflit,
    }
    return render(
        request,
        "marches/espace/marche_formulaire.html",
        contexte,
        status=409 if conflit else 200,
    )


def _enregistrer_marche(request, commune, marche):
    """Validates the contract and its holders and saves them: (None, the contract) when
    saved, (the page with the errors, None) when refused."""
    creation = marche.pk is None
    identifiant = marche.id_decp
    conflit = None
    formulaire = MarcheForm(request.POST, instance=marche, commune=commune)
    titulaires = TitulaireFormSet(request.POST, instance=marche, prefix=PREFIXE_TITULAIRES)
    # Both checked, so that every error shows at once.
    valides = [formulaire.is_valid(), titulaires.is_valid()]
    if all(valides):
        marche = formulaire.save(commit=False)
        try:
            services.marche_enregistrer(
                commune=commune,
                marche=marche,
                titulaires=titulaires.save(commit=False),
                retires=titulaires.deleted_objects,
                by=request.user,
                version=formulaire.version_lue(),
            )
        except ConflitDeVersion as refus:
            saisies = valeurs_de(marche, formulaire.champs_du_marche())
            conflit = conflit_preparer(refus, formulaire, saisies)
        except IntegrityError:
            # Another request took the same identifier since the form was checked.
            formulaire.add_error(
                "id_decp", "Un marché de cet acheteur vient d'être enregistré avec cet identifiant."
            )
        else:
            verbe = "ajouté" if creation else "enregistré"
            messages.success(request, f"Marché « {marche.id_decp} » {verbe}.")
            return None, marche
    page = _page_formulaire(
        request,
        commune,
        formulaire,
        titulaires,
        None if creation else marche,
        identifiant,
        conflit,
    )
    return page, None


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def creer(request, code_insee):
    if request.method == "POST":
        with transaction.atomic():
            commune = perms_commune.commune_pour(request.user, code_insee, perms.can_edit_marches)
            page, marche = _enregistrer_marche(request, commune, Marche(commune=commune))
        return page or redirect(_url_detail(marche))
    commune = perms_commune.commune_pour(request.user, code_insee, perms.can_edit_marches)
    marche = Marche(commune=commune)
    return _page_formulaire(
        request,
        commune,
        MarcheForm(instance=marche, commune=commune),
        TitulaireFormSet(instance=marche, prefix=PREFIXE_TITULAIRES),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def modifier(request, code_insee, pk):
    if request.method == "POST":
        with transaction.atomic():
            marche = perms.marche_pour(request.user, code_insee, pk, perms.can_edit_marche)
            page, marche = _enregistrer_marche(request, marche.commune, marche)
        return page or redirect(_url_detail(marche))
    marche = perms.marche_pour(request.user, code_insee, pk, perms.can_edit_marche)
    return _page_formulaire(
        request,
        marche.commune,
        MarcheForm(instance=marche, commune=marche.commune),
        TitulaireFormSet(instance=marche, prefix=PREFIXE_TITULAIRES),
        marche,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@transaction.atomic
def supprimer(request, code_insee, pk):
    marche = perms.marche_pour(request.user, code_insee, pk, perms.can_edit_marche)
    if request.method == "POST":
        services.marche_supprimer(marche=marche, by=request.user)
        messages.success(request, f"Marché « {marche.id_decp} » supprimé.")
        return redirect("espace:marches:liste", marche.commune.code_insee)
    contexte = {
        "commune": marche.commune,
        "marche": marche,
        "nombre_clauses": marche.clauses.count(),
    }
    return render(request, "marches/espace/marche_supprimer.html", contexte)


def _clauses_avec_totaux(marche):
    clauses = list(
        marche.clauses.annotate(
            total_realise=Sum("suivis__heures_realisees"), periodes=Count("suivis")
        ).order_by("pk")
    )
    for clause in clauses:
        clause.depassement = (
            clause.heures_prevues is not None
            and clause.total_realise is not None
            and clause.total_realise > clause.heures_prevues
        )
    return clauses


@require_safe
@login_required
def detail(request, code_insee, pk):
    marche = perms.marche_pour(request.user, code_insee, pk)
    contexte = {
        **_cadre(request.user, marche),
        "commune": marche.commune,
        "marche": marche,
        "titulaires": list(marche.titulaires.select_related("structure").order_by("pk")),
        "clauses": _clauses_avec_totaux(marche),
        "historique": _historique(marche.history.filter(id=marche.pk)),
        "peut_modifier": perms.can_edit_marche(request.user, marche),
        "peut_modifier_clauses": perms.can_edit_clauses(request.user, marche),
        "peut_suivre": perms.can_edit_suivis(request.user, marche),
    }
    return render(request, "marches/espace/detail.html", contexte)


@require_safe
@login_required
def export(request, code_insee):
    commune = perms_commune.commune_pour(request.user, code_insee, perms.can_export_marches)
    nom = nom_du_fichier(commune, publics=False)
    reponse = StreamingHttpResponse(
        marches_exporter(marches=Marche.objects.filter(commune=commune)),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{nom}"',
            # Unpublished contracts are in it: no shared cache may keep a copy.
            "Cache-Control": "private, no-store",
        },
    )
    return reponse


# Social clauses ------------------------------------------------------------------


def _clause_ou_404(marche, pk):
    clause = get_object_or_404(ClauseSociale, pk=pk, marche=marche)
    clause.marche = marche  # already read, with its commune
    return clause


def _page_clause_formulaire(request, marche, formulaire, clause=None):
    contexte = {
        **_cadre(request.user, marche),
        "commune": marche.commune,
        "marche": marche,
        "clause": clause,
        "formulaire": formulaire,
    }
    return render(request, "marches/espace/clause_formulaire.html", contexte)


def _enregistrer_clause(request, marche, clause):
    formulaire = ClauseSocialeForm(request.POST, instance=clause)
    if formulaire.is_valid():
        clause = formulaire.save(commit=False)
        try:
            services.clause_enregistrer(clause=clause, by=request.user)
        except ValidationError as erreur:
            formulaire.add_error(None, erreur)
        else:
            messages.success(request, f"Clause sociale {clause.base_legale} enregistrée.")
            return redirect(_url_clause(marche, clause))
    return _page_clause_formulaire(request, marche, formulaire, clause if clause.pk else None)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@transaction.atomic
def clause_creer(request, code_insee, pk):
    marche = perms.marche_pour(request.user, code_insee, pk, perms.can_edit_clauses)
    if request.method == "POST":
        return _enregistrer_clause(request, marche, ClauseSociale(marche=marche))
    return _page_clause_formulaire(
        request, marche, ClauseSocialeForm(instance=ClauseSociale(marche=marche))
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@transaction.atomic
def clause_modifier(request, code_insee, pk, clause):
    marche = perms.marche_pour(request.user, code_insee, pk, perms.can_edit_clauses)
    clause = _clause_ou_404(marche, clause)
    if request.method == "POST":
        return _enregistrer_clause(request, marche, clause)
    return _page_clause_formulaire(request, marche, ClauseSocialeForm(instance=clause), clause)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@transaction.atomic
def clause_supprimer(request, code_insee, pk, clause):
    marche = perms.marche_pour(request.user, code_insee, pk, perms.can_edit_clauses)
    clause = _clause_ou_404(marche, clause)
    if request.method == "POST":
        services.clause_supprimer(clause=clause, by=request.user)
        messages.success(request, f"Clause sociale {clause.base_legale} supprimée.")
        return redirect(_url_detail(marche, "clauses"))
    contexte = {
        **_cadre(request.user, marche),
        "commune": marche.commune,
        "marche": marche,
        "clause": clause,
        "periodes": clause.suivis.count(),
    }
    return render(request, "marches/espace/clause_supprimer.html", contexte)


def _page_clause(request, marche, clause, formulaire=None):
    suivis = list(clause.suivis.select_related("saisi_par").order_by("periode_debut", "pk"))
    total = sum((suivi.heures_realisees for suivi in suivis), 0)
    peut_suivre = perms.can_edit_suivis(request.user, marche)
    if peut_suivre and formulaire is None:
        formulaire = SuiviHeuresForm(clause=clause)
    historique = _historique(ClauseSociale.history.filter(id=clause.pk)) + _historique(
        SuiviHeures.history.filter(clause_id=clause.pk)
    )
    historique.sort(key=lambda entree: entree["date"], reverse=True)
    contexte = {
        **_cadre(request.user, marche),
        "commune": marche.commune,
        "marche": marche,
        "clause": clause,
        "suivis": suivis,
        "total_realise": total,
        "depassement": clause.heures_prevues is not None and total > clause.heures_prevues,
        "peut_modifier": perms.can_edit_clauses(request.user, marche),
        "peut_suivre": peut_suivre,
        "formulaire": formulaire,
        "historique": historique[:HISTORIQUE_MAX],
    }
    return render(request, "marches/espace/clause.html", contexte)


@require_safe
@login_required
def clause(request, code_insee, pk, clause):
    marche = perms.marche_pour(request.user, code_insee, pk)
    return _page_clause(request, marche, _clause_ou_404(marche, clause))


# Follow-up of hours ----------------------------------------------------------------


def _enregistrer_suivi(request, marche, clause, suivi):
    formulaire = SuiviHeuresForm(request.POST, instance=suivi, clause=clause)
    if formulaire.is_valid():
        suivi = formulaire.save(commit=False)
        try:
            services.suivi_enregistrer(suivi=suivi, by=request.user)
        except ValidationError as erreur:
            formulaire.add_error(None, erreur)
        else:
            messages.success(
                request,
                f"Période du {suivi.periode_debut:%d/%m/%Y} au {suivi.periode_fin:%d/%m/%Y} "
                "enregistrée.",
            )
            return None
    return formulaire


@require_POST
@login_required
@transaction.atomic
def suivi_ajouter(request, code_insee, pk, clause):
    marche = perms.marche_pour(request.user, code_insee, pk, perms.can_edit_suivis)
    clause = _clause_ou_404(marche, clause)
    formulaire = _enregistrer_suivi(request, marche, clause, SuiviHeures(clause=clause))
    if formulaire is None:
        return redirect(_url_clause(marche, clause, "suivi"))
    return _page_clause(request, marche, clause, formulaire)


def _suivi_ou_404(clause, pk):
    return get_object_or_404(SuiviHeures, pk=pk, clause=clause)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@transaction.atomic
def suivi_modifier(request, code_insee, pk, clause, suivi):
    marche = perms.marche_pour(request.user, code_insee, pk, perms.can_edit_suivis)
    clause = _clause_ou_404(marche, clause)
    suivi = _suivi_ou_404(clause, suivi)
    if request.method == "POST":
        formulaire = _enregistrer_suivi(request, marche, clause, suivi)
        if formulaire is None:
            return redirect(_url_clause(marche, clause, "suivi"))
    else:
        formulaire = SuiviHeuresForm(instance=suivi, clause=clause)
    contexte = {
        **_cadre(request.user, marche),
        "commune": marche.commune,
        "marche": marche,
        "clause": clause,
        "suivi": suivi,
        "formulaire": formulaire,
    }
    return render(request, "marches/espace/suivi_modifier.html", contexte)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@transaction.atomic
def suivi_supprimer(request, code_insee, pk, clause, suivi):
    marche = perms.marche_pour(request.user, code_insee, pk, perms.can_edit_suivis)
    clause = _clause_ou_404(marche, clause)
    suivi = _suivi_ou_404(clause, suivi)
    if request.method == "POST":
        services.suivi_supprimer(suivi=suivi, by=request.user)
        messages.success(request, "Période supprimée.")
        return redirect(_url_clause(marche, clause, "suivi"))
    contexte = {
        **_cadre(request.user, marche),
        "commune": marche.commune,
        "marche": marche,
        "clause": clause,
        "suivi": suivi,
    }
    return render(request, "marches/espace/suivi_supprimer.html", contexte)
