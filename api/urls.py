from django.urls import path

from api import views

app_name = "api"

urlpatterns = [
    path("settings/api-keys/", views.api_keys, name="keys"),
    path("settings/api-keys/<int:pk>/revoke/", views.api_key_revoke_view, name="key_revoke"),
    path("settings/webhooks/", views.webhook_log, name="webhooks"),
    path("settings/webhooks/<int:pk>/redeliver/", views.webhook_redeliver,
         name="webhook_redeliver"),
]
