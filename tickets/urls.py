from tickets.views import escalations, knowledge, macros, notifications, queues, search, ticket

app_name = "tickets"
urlpatterns = [
    *search.urlpatterns,
    *ticket.urlpatterns,
    *queues.urlpatterns,
    *macros.urlpatterns,
    *knowledge.urlpatterns,
    *notifications.urlpatterns,
    *escalations.urlpatterns,
]
