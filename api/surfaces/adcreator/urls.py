"""adcreator.ai's platform surface at ``/api/platform/``."""

from django.urls import path, re_path

from api.surfaces.adcreator import views

app_name = "adcreator"

urlpatterns = [
    path("credits", views.CreditsView.as_view(), name="credits"),
    path("models", views.ModelsView.as_view(), name="models"),
    path("video-models", views.VideoModelsView.as_view(), name="video_models"),
    path("styles", views.StylesView.as_view(), name="styles"),
    path("upload", views.UploadView.as_view(), name="upload"),
    path("generate", views.GenerateView.as_view(), name="generate"),
    path("generations", views.GenerationsView.as_view(), name="generations"),
    path("generations/<str:generation_id>", views.GenerationView.as_view(), name="generation"),
    path("videos", views.VideosView.as_view(), name="videos"),
    path("videos/<str:video_id>", views.VideoView.as_view(), name="video"),
    re_path(r"^.*$", views.UnknownPathView.as_view(), name="unknown"),
]
