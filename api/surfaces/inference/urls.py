"""The inference.sh task surface running ``bria/ads-generate`` at ``/api/v1/``."""

from django.urls import path

from api.surfaces.inference import stream, views

app_name = "inference"

urlpatterns = [
    path("run", views.RunView.as_view(), name="run"),
    path("tasks", views.RunView.as_view(), name="tasks"),
    path("tasks/<str:task_id>", views.TaskView.as_view(), name="task"),
    path("tasks/<str:task_id>/stream", stream.task_stream, name="task_stream"),
    path("tasks/<str:task_id>/cancel", views.CancelView.as_view(), name="task_cancel"),
]
