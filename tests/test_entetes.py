"""The security headers of the production settings, on the main kinds of pages."""

import pytest

from tests.axes.factories import SignatureFactory

pytestmark = pytest.mark.django_db

PAGES = ["/", "/communes/35238/", "/api/v1/communes/"]


@pytest.fixture
def reglages_de_production(settings):
    # What config/settings/prod.py sets, minus the HTTPS redirect the test client cannot follow.
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_CONTENT_TYPE_NOSNIFF = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True


@pytest.mark.parametrize("url", PAGES)
def test_pages_carry_the_csp_and_security_headers(client, guide, url, reglages_de_production):
    SignatureFactory(commune__code_insee="35238", commune__nom="Rennes", referentiel=guide)
    reponse = client.get(url, secure=True)
    assert reponse.status_code == 200
    csp = reponse["Content-Security-Policy"]
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ]:
        assert directive in csp
    assert "unsafe-inline" not in csp and "http" not in csp
    assert reponse["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert reponse["X-Frame-Options"] == "DENY"
    assert reponse["X-Content-Type-Options"] == "nosniff"
    assert reponse["Referrer-Policy"] == "same-origin"
    assert "camera=()" in reponse["Permissions-Policy"]
    assert "geolocation=()" in reponse["Permissions-Policy"]
