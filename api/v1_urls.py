"""``/api/v1/`` is shared by three surfaces whose paths do not overlap: the inference tasks
(``run``, ``tasks``), videotok (``generations``, ``models``, ``assets``, ``slideshows``) and the
OpenAI-compatible one (``images/generations``, ``ads/generate``, ``jobs``, ``brands``,
``webhooks``), which comes last because it also answers any unknown path."""

from django.urls import include, path

urlpatterns = [
    path("", include("api.surfaces.inference.urls")),
    path("", include("api.surfaces.videotok.urls")),
    path("", include("api.surfaces.pi.urls")),
]
