from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import perms
from .models import MembreCommune


@require_safe
@login_required
def accueil(request):
    """My communes (and, later, my structures)."""
    adhesions = (
        MembreCommune.objects.filter(user=request.user)
        .select_related("commune__departement")
        .order_by("commune__nom")
    )
    return render(request, "espace/accueil.html", {"adhesions": adhesions})


@require_safe
@login_required
def tableau_de_bord(request, code_insee):
    commune = perms.commune_pour(request.user, code_insee)
    return render(
        request,
        "espace/tableau_de_bord.html",
        {"commune": commune, "role": perms.role_de(request.user, commune)},
    )
