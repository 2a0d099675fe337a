"""The browsable documentation, /api/docs/: Swagger UI served by the site itself
(drf-spectacular-sidecar), under the site's Content-Security-Policy as it is.

drf-spectacular's split view loads its init script from a second request
(?script=) instead of an inline <script>; the page template here is the package's,
less its inline <style>, whose three rules come from a static file.
"""

from drf_spectacular.views import SpectacularSwaggerSplitView


class Documentation(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    title = "API Commune engagée — documentation"
