app_name = "pi"

urlpatterns: list = []
