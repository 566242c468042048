from django.urls import path, re_path

from api.surfaces.pi import views

app_name = "pi"

urlpatterns = [
    path("images/generations", views.ImagesGenerationsView.as_view(), name="images_generations"),
    path("ads/generate", views.AdsGenerateView.as_view(), name="ads_generate"),
    path("jobs/<str:job_id>", views.JobView.as_view(), name="job"),
    path("brands/extract", views.BrandExtractView.as_view(), name="brands_extract"),
    path("brands", views.BrandsView.as_view(), name="brands"),
    path("brands/<str:brand_id>", views.BrandView.as_view(), name="brand"),
    path("webhooks", views.WebhooksView.as_view(), name="webhooks"),
    path("webhooks/<str:webhook_id>", views.WebhookView.as_view(), name="webhook"),
    re_path(r"^.*$", views.UnknownPathView.as_view(), name="unknown"),
]
