from django.urls import path

from brands import views

app_name = "brands"

urlpatterns = [
    path("", views.brand_list, name="list"),
    path("new/", views.brand_new, name="new"),
    path("<int:brand_id>/", views.brand_detail, name="detail"),
    path("<int:brand_id>/onboarding/", views.brand_progress, name="progress"),
    path("<int:brand_id>/onboarding/status/", views.brand_progress_status,
         name="progress_status"),
    path("<int:brand_id>/review/", views.brand_review, name="review"),
    path("<int:brand_id>/review/logo/", views.brand_use_logo, name="use_logo"),
    path("<int:brand_id>/products/", views.brand_products_step, name="products"),
    path("<int:brand_id>/products/new/", views.product_new, name="product_new"),
    path("<int:brand_id>/products/<int:product_id>/", views.product_edit, name="product_edit"),
    path("<int:brand_id>/products/<int:product_id>/toggle/", views.product_toggle,
         name="product_toggle"),
    path("<int:brand_id>/products/<int:product_id>/images/<int:image_id>/delete/",
         views.product_image_remove, name="product_image_delete"),
    path("<int:brand_id>/finish/", views.brand_finish, name="finish"),
    path("<int:brand_id>/rescrape/", views.brand_rescrape, name="rescrape"),
    path("<int:brand_id>/default/", views.brand_make_default, name="make_default"),
    path("<int:brand_id>/delete/", views.brand_delete, name="delete"),
]
