from django.urls import path, re_path

from api.surfaces.dessert import views

app_name = "dessert"

urlpatterns = [
    path("ads/generate", views.GenerateView.as_view(), name="generate"),
    path("deliveries/<str:delivery_id>", views.DeliveryView.as_view(), name="delivery"),
    path("brands", views.BrandsView.as_view(), name="brands"),
    path("brands/<str:brand_id>", views.BrandView.as_view(), name="brand"),
    path("styles", views.StylesView.as_view(), name="styles"),
    path("styles/search", views.StyleSearchView.as_view(), name="styles_search"),
    path("balance", views.BalanceView.as_view(), name="balance"),
    path("usage", views.UsageView.as_view(), name="usage"),
    re_path(r"^.*$", views.UnknownPathView.as_view(), name="unknown"),
]
