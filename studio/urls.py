"""Root URLs. Each app mounts its own ``urls.py``; API surfaces mount under ``api/``."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve as serve_file

from studio import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("studio.app_urls")),
]

if settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
    # Local media (embedded runtime). With S3 configured, files come from signed bucket URLs.
    urlpatterns.append(
        re_path(r"^media/(?P<path>.*)$", serve_file, {"document_root": settings.MEDIA_ROOT})
    )

handler404 = "studio.errors.not_found"
handler500 = "studio.errors.server_error"
