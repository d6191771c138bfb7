from tickets.views import (
    knowledge,
    macros,
    notifications,
    outbound_mail,
    portal,
    queues,
    search,
    ticket,
)

app_name = "tickets"
urlpatterns = [
    *search.urlpatterns,
    *ticket.urlpatterns,
    *queues.urlpatterns,
    *macros.urlpatterns,
    *knowledge.urlpatterns,
    *notifications.urlpatterns,
    *portal.urlpatterns,
    *outbound_mail.urlpatterns,
]
