app_name = "adcreator"

urlpatterns: list = []
