from tickets.views import queues

app_name = "tickets"
urlpatterns = [
    *queues.urlpatterns,
]
