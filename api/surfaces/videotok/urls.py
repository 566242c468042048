app_name = "videotok"

urlpatterns: list = []
