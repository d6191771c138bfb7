from tickets.views import knowledge, macros, mail_admin, notifications, queues, search, ticket

app_name = "tickets"
urlpatterns = [
    *search.urlpatterns,
    *ticket.urlpatterns,
    *queues.urlpatterns,
    *macros.urlpatterns,
    *knowledge.urlpatterns,
    *notifications.urlpatterns,
    *mail_admin.urlpatterns,
]
