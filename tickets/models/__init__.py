"""Models of the tickets app, one module per area; import them from here."""

from tickets.models.core import (
    Category,
    Client,
    Message,
    ResolutionCode,
    Ticket,
    TicketEvent,
    TicketLink,
)
from tickets.models.imports import ImportedTicket
from tickets.models.knowledge import Article, ArticleVersion, KnowledgeCategory, TicketArticle
from tickets.models.mail import OutboundEmail
from tickets.models.webhooks import Webhook, WebhookDelivery
from tickets.models.workspace import Attachment, Macro, Notification, SavedFilter

__all__ = [
    "Article",
    "ArticleVersion",
    "Attachment",
    "Category",
    "Client",
    "ImportedTicket",
    "KnowledgeCategory",
    "Macro",
    "Message",
    "Notification",
    "OutboundEmail",
    "ResolutionCode",
    "SavedFilter",
    "Ticket",
    "TicketArticle",
    "TicketEvent",
    "TicketLink",
    "Webhook",
    "WebhookDelivery",
]
