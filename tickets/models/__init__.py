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
from tickets.models.inbound import InboundEmail, Mailbox
from tickets.models.knowledge import Article, ArticleVersion, KnowledgeCategory, TicketArticle
from tickets.models.mail import OutboundEmail
from tickets.models.workspace import Attachment, Macro, Notification, SavedFilter

__all__ = [
    "Article",
    "ArticleVersion",
    "Attachment",
    "Category",
    "Client",
    "InboundEmail",
    "KnowledgeCategory",
    "Mailbox",
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
]
