app_name = "teams"
urlpatterns: list = []
