from teams.views import people, training

app_name = "teams"
urlpatterns: list = [*people.urlpatterns, *training.urlpatterns]
