"""Citizens' opinions on an action.

`urlpatterns` is the moderation page of a commune's admins, included by
commune/urls_espace.py under /espace/communes/<code INSEE>/avis/.
`publiques` is the form of the public action page, included by commune/urls.py
under /communes/<code INSEE>/actions/<action code>/avis/.
"""

from django.urls import path

from . import views_avis

app_name = "avis"

urlpatterns = [
    path("", views_avis.moderation, name="moderation"),
    path("<int:pk>/moderer/", views_avis.moderer, name="moderer"),
]

publiques = (
    [
        path("", views_avis.deposer, name="deposer"),
        path("merci/", views_avis.merci, name="merci"),
    ],
    "avis",
)
