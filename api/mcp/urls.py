from django.urls import path

from api.mcp.views import McpView

urlpatterns = [
    path("", McpView.as_view(), name="mcp"),
]
