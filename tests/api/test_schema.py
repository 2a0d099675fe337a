"""The OpenAPI document and its browsable documentation."""

import re

import pytest
from django.core.management import call_command

from tests.api.conftest import client_api

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(db):
    reponse = client_api().get("/api/schema/", {"format": "json"})
    assert reponse.status_code == 200
    return reponse.json()


def test_schema_is_valid_and_generated_without_any_warning(db, tmp_path):
    # --fail-on-warn: a warning of the generator (an untyped field, a guessed parameter)
    # fails the test, as it fails `make quality`.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.0.3")


def test_every_operation_is_described_in_french_with_its_errors(schema):
    assert schema["info"]["title"] == "API Commune engagée"
    operations = [
        (chemin, methode, operation)
        for chemin, methodes in schema["paths"].items()
        for methode, operation in methodes.items()
    ]
    assert len(operations) >= 45
    for chemin, methode, operation in operations:
        assert chemin.startswith("/api/v1/")
        assert operation.get("summary"), (chemin, methode)
        reponses = operation["responses"]
        assert "429" in reponses, (chemin, methode)
        assert all(reponses[code]["description"] for code in reponses if code >= "400")
        if methode in ("post", "patch", "delete"):
            assert {"401", "403", "404"} <= reponses.keys(), (chemin, methode)
        for parametre in operation.get("parameters", []):
            if parametre["in"] == "path":
                assert parametre.get("description"), (chemin, parametre["name"])
    erreur = schema["components"]["schemas"]["Erreur"]["properties"]["detail"]
    assert erreur["description"] == "Ce qui ne va pas, en français."


def test_filters_are_documented_parameters(schema):
    communes = schema["paths"]["/api/v1/communes/"]["get"]["parameters"]
    noms = {p["name"]: p for p in communes}
    assert {"departement", "region", "population", "signe", "score", "page", "page_size"} <= set(
        noms
    )
    assert noms["score"]["schema"]["enum"] == ["", "0-25", "25-50", "50-75", "75-100"]
    assert noms["population"]["description"].startswith("Population")
    structures = {p["name"] for p in schema["paths"]["/api/v1/structures/"]["get"]["parameters"]}
    assert {"type", "groupe", "secteur", "departement", "commune", "reseau"} <= structures


def test_token_authentication_is_declared(schema):
    jeton = schema["components"]["securitySchemes"]["jeton"]
    assert (jeton["type"], jeton["scheme"]) == ("http", "bearer")
    assert "Mon compte" in jeton["description"]


def test_docs_page_has_no_inline_script_or_style_and_serves_its_own_assets(db):
    reponse = client_api().get("/api/docs/")
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "<style" not in page
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all(
        'src="' in attributs and not corps.strip() for attributs, corps in scripts
    )
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert 'src="/api/docs/?script="' in page
    assert "/static/api/swagger-ui.css" in page
    politique = reponse["Content-Security-Policy"]
    assert "script-src 'self'" in politique and "unsafe-inline" not in politique
    script = client_api().get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    assert '"/api/schema/"' in script.content.decode()
