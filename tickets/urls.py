from tickets.views import (
    escalations,
    knowledge,
    macros,
    mail_admin,
    notifications,
    outbound_mail,
    portal,
    quality,
    queues,
    routing,
    search,
    ticket,
    webhooks,
)

app_name = "tickets"
urlpatterns = [
    *search.urlpatterns,
    *ticket.urlpatterns,
    *queues.urlpatterns,
    *macros.urlpatterns,
    *knowledge.urlpatterns,
    *notifications.urlpatterns,
    *quality.urlpatterns,
    *escalations.urlpatterns,
    *routing.urlpatterns,
    *portal.urlpatterns,
    *outbound_mail.urlpatterns,
    *webhooks.urlpatterns,
    *mail_admin.urlpatterns,
]
