"""Root URLs. Each app mounts its own ``urls.py``; API surfaces mount under ``api/``."""

from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from studio import views
from studio.media import media_file

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url=static("icons/favicon.ico"), permanent=True)),
    path("readyz", views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("billing/", include("billing.urls")),
    path("brands/", include("brands.urls")),
    path("", include("studio.app_urls")),
    path("", include("generations.urls")),
    path("", include("api.urls")),
    # Public API surfaces and their OpenAPI schema and docs (Swagger UI from static files).
    path("v1/", include("api.surfaces.dessert.urls")),
    path("api/v1/", include("api.v1_urls")),
    path("api/platform/", include("api.surfaces.adcreator.urls")),
    # Agents: the same operations as MCP tools (Streamable HTTP, the same API keys).
    path("mcp", include("api.mcp.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script as a file: the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
         name="api-docs"),
]

if settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
    # Local media: a workspace's brand logos and product photos, for its members only
    # (studio.media). Everything else is served only through signed URLs (generations.files).
    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", media_file, name="media"))

handler404 = "studio.errors.not_found"
handler500 = "studio.errors.server_error"
