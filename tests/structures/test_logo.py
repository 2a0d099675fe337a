"""Logos: checked from their content, shrunk to fit 400×400, re-encoded without their
metadata, stored under a generated name, served by the site."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from structures.logos import logo_prepare
from structures.models import Structure
from tests.structures.conftest import SIRET, photographie, texte
from tests.structures.test_profil import formulaire

pytestmark = pytest.mark.django_db

LOGO = Path(__file__).resolve().parent.parent / "data" / "logo.png"
URL = reverse("espace:structures_espace:profil", args=[SIRET])


def image(format_, taille=(800, 600), mode="RGB", **options):
    sortie = io.BytesIO()
    couleur = (200, 30, 30) if mode == "RGB" else 1
    Image.new(mode, taille, couleur).save(sortie, format=format_, **options)
    return sortie.getvalue()


def televerse(contenu, nom="logo.png", type_="image/png"):
    return SimpleUploadedFile(nom, contenu, content_type=type_)


def avec_exif():
    exif = Image.Exif()
    exif[0x010F] = "Appareil photo de test"  # Make
    exif[0x0112] = 6  # orientation: turn 90° to stand upright
    return image("JPEG", taille=(800, 400), exif=exif)


@pytest.mark.parametrize(
    ("format_", "type_", "extension"),
    [("PNG", "image/png", "png"), ("JPEG", "image/jpeg", "jpg"), ("WEBP", "image/webp", "webp")],
)
def test_png_jpeg_and_webp_are_accepted_and_shrunk_to_fit_400(format_, type_, extension):
    prepare = logo_prepare(televerse(image(format_), type_=type_))
    assert prepare.name.endswith(f".{extension}")
    assert len(prepare.name) == 32 + 1 + len(extension)  # a generated name
    resultat = Image.open(io.BytesIO(prepare.read()))
    assert resultat.format == format_
    assert resultat.size == (400, 300)


def test_a_small_logo_keeps_its_size():
    resultat = Image.open(io.BytesIO(logo_prepare(televerse(image("PNG", (120, 80)))).read()))
    assert resultat.size == (120, 80)


def test_metadata_is_stripped_and_the_image_turned_upright():
    prepare = logo_prepare(televerse(avec_exif(), "photo.jpg", "image/jpeg"))
    resultat = Image.open(io.BytesIO(prepare.read()))
    assert not resultat.getexif()
    assert b"Appareil photo de test" not in prepare.open().read()
    assert resultat.size == (200, 400)


def test_the_type_comes_from_the_content_not_the_name():
    with pytest.raises(ValidationError) as refus:
        logo_prepare(televerse(b"%PDF-1.4 ceci est un PDF", "logo.png", "image/png"))
    assert "n'est pas une image PNG, JPEG ou WebP" in refus.value.messages[0]
    # A GIF named .png is not one of the accepted types either.
    with pytest.raises(ValidationError):
        logo_prepare(televerse(image("GIF"), "logo.png"))


class FichierIllisible:
    """An upload whose content must not be read: only its size is known."""

    size = 2 * 1024 * 1024 + 1

    def read(self, *args):
        raise AssertionError("the file was read")

    seek = read


def test_a_file_over_2_mb_is_refused_before_reading():
    fichier = FichierIllisible()
    with pytest.raises(ValidationError) as refus:
        logo_prepare(fichier)
    assert refus.value.messages == ["Ce fichier pèse 2,1 Mo : un logo ne doit pas dépasser 2 Mo."]


@pytest.mark.parametrize("format_", ["PNG", "JPEG", "WEBP"])
@pytest.mark.parametrize("tronquer", [False, True])
def test_a_truncated_image_is_refused_in_french(format_, tronquer, monkeypatch):
    from PIL import ImageFile

    # WeasyPrint, once imported, lets Pillow pad truncated images: refused all the same.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", tronquer)
    contenu = image(format_)
    with pytest.raises(ValidationError) as refus:
        logo_prepare(televerse(contenu[: len(contenu) // 2]))
    assert "illisible ou endommagée" in refus.value.messages[0]


def test_absurd_dimensions_are_refused_before_decoding():
    contenu = image("PNG", taille=(6000, 6000), mode="1")
    with pytest.raises(ValidationError) as refus:
        logo_prepare(televerse(contenu))
    assert "trop grande (6000 × 6000 pixels)" in refus.value.messages[0]


# Through the editor -----------------------------------------------------------------------


def test_uploading_a_logo_through_the_editor_stores_it_and_serves_it(client, matrice_structure):
    structure = matrice_structure.structure
    client = matrice_structure.connecter(client, "membre")
    with LOGO.open("rb") as fichier:
        reponse = client.post(URL, {**formulaire(structure), "logo": fichier})
    assert reponse.status_code == 302
    structure.refresh_from_db()
    assert structure.logo.name.startswith("logos/") and structure.logo.name.endswith(".png")
    assert "logo" not in Path(structure.logo.name).stem
    assert structure.history.latest().logo == structure.logo.name

    client.logout()
    reponse = client.get(reverse("structures:logo", args=[SIRET]))
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "image/png"
    assert not reponse.has_header("Content-Disposition") or reponse[
        "Content-Disposition"
    ].startswith("inline")
    assert reponse["X-Content-Type-Options"] == "nosniff"
    assert reponse["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert Image.open(io.BytesIO(b"".join(reponse.streaming_content))).size == (400, 200)
    assert reverse("structures:logo", args=[SIRET]) in texte(
        client.get(structure.get_absolute_url())
    )


def test_a_refused_logo_is_explained_beside_its_field_and_nothing_is_saved(
    client, matrice_structure
):
    structure = matrice_structure.structure
    avant = photographie()
    reponse = matrice_structure.connecter(client, "membre").post(
        URL,
        {
            **formulaire(structure, description="Changée"),
            "logo": televerse(b"pas une image", "logo.png"),
        },
    )
    contenu = texte(reponse)
    assert 'id="id_logo_error"' in contenu and "n'est pas une image PNG" in contenu
    assert photographie() == avant


def test_the_logo_can_be_removed(client, matrice_structure):
    structure = matrice_structure.structure
    client = matrice_structure.connecter(client, "membre")
    with LOGO.open("rb") as fichier:
        client.post(URL, {**formulaire(structure), "logo": fichier})
    structure.refresh_from_db()
    client.post(URL, {**formulaire(structure), "supprimer_logo": "on"})
    structure.refresh_from_db()
    assert not structure.logo
    assert client.get(reverse("structures:logo", args=[SIRET])).status_code == 404


def test_the_logo_of_an_unpublished_structure_is_hidden_from_the_public(client, matrice_structure):
    structure = matrice_structure.structure
    client = matrice_structure.connecter(client, "membre")
    with LOGO.open("rb") as fichier:
        client.post(URL, {**formulaire(structure), "logo": fichier})
    Structure.objects.filter(pk=structure.pk).update(verifiee=False)
    url = reverse("structures:logo", args=[SIRET])
    reponse = client.get(url)
    assert b"".join(reponse.streaming_content)  # read to the end: the file gets closed
    assert reponse.status_code == 200 and reponse["Cache-Control"] == "private, no-store"
    client.logout()
    assert client.get(url).status_code == 404
