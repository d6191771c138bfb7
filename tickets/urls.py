from django.urls import path

from tickets import views

app_name = "tickets"
urlpatterns = [
    path("mine/", views.my_tickets, name="mine"),
    path("queue/", views.team_queue, name="team_queue"),
    path("<int:ticket_id>/", views.ticket_detail, name="detail"),
    path("my-requests/", views.client_home, name="client_home"),
]
