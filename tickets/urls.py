from tickets.views import knowledge, macros, notifications, queues, search, ticket, webhooks

app_name = "tickets"
urlpatterns = [
    *search.urlpatterns,
    *ticket.urlpatterns,
    *queues.urlpatterns,
    *macros.urlpatterns,
    *knowledge.urlpatterns,
    *notifications.urlpatterns,
    *webhooks.urlpatterns,
]
