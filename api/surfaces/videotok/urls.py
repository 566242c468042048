"""videotok's generations surface at ``/api/v1/``."""

from django.urls import path

from api.surfaces.videotok import views

app_name = "videotok"

urlpatterns = [
    path("generations", views.GenerationsView.as_view(), name="generations"),
    path("generations/<str:generation_id>", views.GenerationView.as_view(), name="generation"),
    path("models", views.ModelsView.as_view(), name="models"),
    path("assets", views.AssetsView.as_view(), name="assets"),
    path("slideshows", views.SlideshowsView.as_view(), name="slideshows"),
    path("slideshows/<str:slideshow_id>", views.SlideshowView.as_view(), name="slideshow"),
]
