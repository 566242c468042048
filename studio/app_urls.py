from django.urls import path

from studio import views

app_name = "studio"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("settings/", views.workspace_settings, name="settings"),
    path("settings/rename/", views.workspace_rename, name="workspace_rename"),
    path("settings/webhook-secret/rotate/", views.webhook_secret_rotate,
         name="webhook_secret_rotate"),
    path("settings/invitations/", views.invitation_create, name="invitation_create"),
    path("settings/invitations/<int:pk>/revoke/", views.invitation_revoke,
         name="invitation_revoke"),
    path("settings/members/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
    path("workspaces/switch/", views.workspace_switch, name="workspace_switch"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
