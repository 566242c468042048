from django.urls import path

from generations import views

app_name = "generations"

urlpatterns = [
    path("create/", views.create, name="create"),
    path("create/price/", views.create_price, name="create_price"),
    path("create/brand/", views.create_brand_parts, name="create_brand_parts"),
    path("create/ugc/", views.create_ugc, name="create_ugc"),
    path("create/presenters/", views.avatar_upload, name="avatar_upload"),
    path("create/previews/<int:brand_id>/<slug:slug>.webp", views.brand_template_preview,
         name="brand_template_preview"),
    path("queue/", views.queue, name="queue"),
    path("jobs/<str:public_id>/", views.job_detail, name="job"),
    path("jobs/<str:public_id>/cancel/", views.job_cancel, name="job_cancel"),
    path("jobs/<str:public_id>/delete/", views.job_delete, name="job_delete"),
    path("jobs/<str:public_id>/share/", views.job_share, name="job_share"),
    path("jobs/<str:public_id>/download.zip", views.job_zip, name="job_zip"),
    path("concepts/<str:public_id>/regenerate/", views.concept_regenerate,
         name="concept_regenerate"),
    path("gallery/", views.gallery, name="gallery"),
    path("gallery/search/", views.gallery_search, name="gallery_search"),
    path("v/<str:token>/", views.shared_job, name="shared"),
    path("v/<str:token>/download.zip", views.shared_job_zip, name="shared_zip"),
    path("files/<str:token>", views.file, name="file"),
]
