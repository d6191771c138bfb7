from tickets.views import knowledge, macros, queues, search, ticket

app_name = "tickets"
urlpatterns = [
    *search.urlpatterns,
    *ticket.urlpatterns,
    *queues.urlpatterns,
    *macros.urlpatterns,
    *knowledge.urlpatterns,
]
