from django.urls import path

from api import views

app_name = "api"

urlpatterns = [
    path("settings/webhooks/", views.webhook_log, name="webhooks"),
    path("settings/webhooks/<int:pk>/redeliver/", views.webhook_redeliver,
         name="webhook_redeliver"),
]
