"""Uploaded files that are public by nature, served with their type and a file name."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from axes.models import Signature

from .fichiers import reponse_fichier


@require_safe
def deliberation(request, code_insee, pk):
    """The council decision behind a commune's signature: a public act."""
    signature = get_object_or_404(
        Signature.objects.select_related("commune"), commune__code_insee=code_insee, pk=pk
    )
    if not signature.deliberation_fichier:
        raise Http404("Aucune délibération déposée.")
    try:
        contenu = signature.deliberation_fichier.open("rb")
    except FileNotFoundError as absent:
        raise Http404("Délibération introuvable.") from absent
    return reponse_fichier(
        contenu,
        type_mime="application/pdf",
        nom=f"deliberation-{signature.commune.slug}-{signature.date_signature:%Y-%m-%d}.pdf",
    )
