from tickets.views import knowledge, macros, notifications, quality, queues, search, ticket

app_name = "tickets"
urlpatterns = [
    *search.urlpatterns,
    *ticket.urlpatterns,
    *queues.urlpatterns,
    *macros.urlpatterns,
    *knowledge.urlpatterns,
    *notifications.urlpatterns,
    *quality.urlpatterns,
]
