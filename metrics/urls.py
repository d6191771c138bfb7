from django.urls import path

from metrics import views

app_name = "metrics"
urlpatterns = [
    path("board/", views.board, name="board"),
    path("desk/", views.desk, name="desk"),
]
