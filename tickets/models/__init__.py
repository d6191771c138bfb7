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
from tickets.models.csat import SatisfactionRating
from tickets.models.escalations import Escalation, InternalTeam
from tickets.models.imports import ImportedTicket
from tickets.models.inbound import InboundEmail, Mailbox
from tickets.models.knowledge import Article, ArticleVersion, KnowledgeCategory, TicketArticle
from tickets.models.mail import OutboundEmail
from tickets.models.quality import (
    CoachingNote,
    QualityReview,
    QualityScore,
    Scorecard,
    ScorecardCriterion,
)
from tickets.models.routing import RoutingRule
from tickets.models.webhooks import Webhook, WebhookDelivery
from tickets.models.workspace import Attachment, Macro, Notification, SavedFilter

__all__ = [
    "Article",
    "ArticleVersion",
    "Attachment",
    "Category",
    "Client",
    "CoachingNote",
    "Escalation",
    "InternalTeam",
    "ImportedTicket",
    "InboundEmail",
    "KnowledgeCategory",
    "Mailbox",
    "Macro",
    "Message",
    "Notification",
    "OutboundEmail",
    "QualityReview",
    "QualityScore",
    "ResolutionCode",
    "RoutingRule",
    "SatisfactionRating",
    "SavedFilter",
    "Scorecard",
    "ScorecardCriterion",
    "Ticket",
    "TicketArticle",
    "TicketEvent",
    "TicketLink",
    "Webhook",
    "WebhookDelivery",
]
