"""Search for staff: one box for ticket references, client identifiers and ranked full text.

What the box understands, in order (``search_results_for``):

1. **Exact lookups**: a ticket reference (``SD-004217``, ``sd-4217``, ``#4217``), a client's email
   address or account number. Matches are listed first; when exactly one ticket matches, the
   view jumps straight to it.
2. **Ranked full text** over ticket subjects (weight A) and descriptions (B), every message of
   the conversation (C: client messages, public replies and internal notes — search is
   staff-only) and published knowledge-base articles, in English (stemmed) and Chinese
   (bigrams). The index and the query parser live in the database (migration
   ``0003_search``): ``supportdesk_search_document(text, weight)`` builds the stored
   ``search_vector`` columns, ``supportdesk_search_query(text)`` turns what the user typed into a
   ``tsquery`` the same way.

Speed (see docs/search.md for the strategy and the measurements): every branch reads a bounded
number of rows, whatever the term, and nothing counts all matches.

* **Recent window**: the newest ``WINDOW_TICKETS`` tickets and ``WINDOW_MESSAGES`` messages are
  read backwards through the primary key, keeping up to ``WINDOW_HITS`` matches each.
* **Older matches**, only when the window found fewer than ``RARE_BELOW`` (so the term is rare and
  its GIN posting list short): up to ``OLDER_HITS`` more matches through the GIN index, in storage
  order, with no sort (a sort would have to read every match).
* Only these candidates are ranked (``ts_rank_cd``), grouped per ticket, filtered to the user's
  teams and cut to ``RESULT_LIMIT``. A very common term therefore ranks its most recent matches,
  and the page says so.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Left
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError
from teams import access
from tickets.models import Article, Client, Message, Ticket

# The characters indexed as bigrams: Han (with extension A, compatibility ideographs and the
# supplementary planes), kana and bopomofo. Kept in step with migration 0003_search.
CJK_CHARACTERS = (
    "\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
)
CJK_RUN = re.compile(f"[{CJK_CHARACTERS}]+")

MAX_QUERY_LENGTH = 200
RESULT_LIMIT = 50
EXACT_LIMIT = 20
ARTICLE_LIMIT = 10
ARTICLE_CANDIDATES = 200
# Candidate generation (see the module docstring and docs/search.md).
WINDOW_TICKETS = 5_000
WINDOW_MESSAGES = 10_000
WINDOW_HITS = 300
RARE_BELOW = 30
OLDER_HITS = 100
# For the candidate statement only (SET LOCAL, undone at its transaction's end):
# - no sequential scans: the "older" branches must read the GIN index and stop after
#   OLDER_HITS rows; a sequential scan would have no bound when the planner misjudges a term;
# - no parallel workers and no JIT: their start-up costs more than the whole bounded query, and
#   8 concurrent searches on 2 cores have no idle core to give a worker anyway.
LATENCY_SETTINGS_SQL = (
    "SELECT set_config('enable_seqscan', 'off', true),"
    " set_config('max_parallel_workers_per_gather', '0', true),"
    " set_config('jit', 'off', true)"
)
# Snippets: how much of a text is read, and how much of it is shown around the first match.
TEXT_SAMPLE_CHARS = 4000
SNIPPET_CHARS = 180
SNIPPET_LEAD = 60

REFERENCE_PATTERN = re.compile(r"^(?:#\s*|SD\s*-?\s*)0*(\d{1,12})$", re.IGNORECASE)
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# An account number is one token of letters and digits with at least one digit (HK0000001234).
ACCOUNT_PATTERN = re.compile(r"^(?=[A-Za-z0-9-]*\d)[A-Za-z0-9-]{4,20}$")
# Lexemes in PostgreSQL's text form of a tsquery: 'word', with '' for a quote; ! negates.
TSQUERY_LEXEME = re.compile(r"(!?)\s*'((?:[^']|'')+)'")
WORD_PATTERN = re.compile(r"\w{2,}")


class SearchQueryTooLong(ApplicationError):
    """The search box got more than ``MAX_QUERY_LENGTH`` characters (HTTP 400)."""

    status = 400
    code = "query_too_long"


@dataclass(frozen=True)
class ParsedQuery:
    """What the user typed, with the identifiers it may be."""

    text: str
    ticket_id: int | None = None
    email: str = ""
    account_number: str = ""

    @property
    def is_identifier(self) -> bool:
        return bool(self.ticket_id or self.email or self.account_number)


@dataclass(frozen=True)
class TicketHit:
    """One ticket in the ranked results, with its subject and a snippet highlighted."""

    ticket: Ticket
    score: float
    subject_html: SafeString
    snippet_html: SafeString
    matched_message_kind: str = ""


@dataclass(frozen=True)
class ArticleHit:
    """One knowledge-base article in the results."""

    article: Article
    score: float
    title_html: SafeString
    snippet_html: SafeString


@dataclass
class SearchResults:
    """Everything the search page shows for one query."""

    query: str
    exact: list[Ticket] = field(default_factory=list)
    tickets: list[TicketHit] = field(default_factory=list)
    articles: list[ArticleHit] = field(default_factory=list)
    # More matching tickets exist than are shown.
    has_more: bool = False
    # The term is so common that only the newest matches were ranked.
    recent_only: bool = False
    # Nothing searchable in the text (only stop words, punctuation or negations).
    is_unsearchable: bool = False

    @property
    def redirect_ticket(self) -> Ticket | None:
        """The ticket to open directly: the only exact match, if there is exactly one."""
        return self.exact[0] if len(self.exact) == 1 else None

    @property
    def is_empty(self) -> bool:
        return not (self.exact or self.tickets or self.articles)


# --- Entry point ------------------------------------------------------------------------------


def search_results_for(*, user: Any, text: str, language: str = "en") -> SearchResults:
    """Run the one search box for ``user`` (a staff member; others get nothing).

    Raises ``SearchQueryTooLong`` (400) for more than ``MAX_QUERY_LENGTH`` characters. An empty
    query returns empty results without touching the database.
    """
    parsed = search_query_parse(text)
    results = SearchResults(query=parsed.text)
    if not parsed.text or not access.is_staff_member(user):
        return results
    if parsed.is_identifier:
        results.exact = ticket_search_exact(user=user, query=parsed)
        if results.redirect_ticket is not None:
            return results
    tsquery = search_tsquery(parsed.text)
    if tsquery is None:
        results.is_unsearchable = not results.exact
        return results
    pattern = highlight_pattern(text=parsed.text, tsquery=tsquery)
    exact_ids = {ticket.pk for ticket in results.exact}
    hits, results.has_more, results.recent_only = ticket_search_ranked(
        user=user, tsquery=tsquery, pattern=pattern
    )
    results.tickets = [hit for hit in hits if hit.ticket.pk not in exact_ids]
    results.articles = article_search_ranked(
        user=user, tsquery=tsquery, pattern=pattern, language=language
    )
    return results


def search_query_parse(text: str) -> ParsedQuery:
    """Validate and classify what was typed into the search box."""
    text = " ".join((text or "").split())
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchQueryTooLong(
            _("Search for at most %(limit)d characters.") % {"limit": MAX_QUERY_LENGTH}
        )
    reference = REFERENCE_PATTERN.match(text)
    return ParsedQuery(
        text=text,
        ticket_id=int(reference.group(1)) if reference else None,
        email=text.lower() if EMAIL_PATTERN.match(text) else "",
        account_number=text.upper() if ACCOUNT_PATTERN.match(text) else "",
    )


# --- Exact lookups ----------------------------------------------------------------------------


def _visible_tickets(user: Any) -> QuerySet[Ticket]:
    """Tickets the user may read, with what the results show (the client)."""
    return access.scope_to_visible_teams(user, Ticket.objects.select_related("client"))


def ticket_search_exact(*, user: Any, query: ParsedQuery) -> list[Ticket]:
    """Visible tickets with this reference, or of the client with this email or account number
    (newest first, at most ``EXACT_LIMIT``). Two indexed queries at most."""
    condition = Q()
    if query.ticket_id:
        condition |= Q(pk=query.ticket_id)
    client_lookup = Q()
    if query.email:
        client_lookup |= Q(email__in={query.text, query.email})
    if query.account_number:
        client_lookup |= Q(account_number__in={query.text, query.account_number})
    if client_lookup:
        client_ids = list(Client.objects.filter(client_lookup).values_list("pk", flat=True)[:10])
        if client_ids:
            condition |= Q(client_id__in=client_ids)
    if not condition:
        return []
    return list(_visible_tickets(user).filter(condition).order_by("-pk")[:EXACT_LIMIT])


# --- Full text --------------------------------------------------------------------------------


def search_tsquery(text: str) -> str | None:
    """The text form of the tsquery for ``text``, or None when nothing in it is searchable.

    Built by the database function of migration 0003, so that queries are parsed exactly like
    the indexed documents; the result is passed back as a literal, which lets the planner see
    the query's lexemes (and their statistics) in the search statement.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT supportdesk_search_query(%s)::text", [text])
        row = cursor.fetchone()
    return row[0] if row and row[0] else None


# One statement: bounded candidates from tickets and messages, ranked, best RESULT_LIMIT + 1.
# The {..._filter} fragments are constant SQL chosen by candidates_sql() (empty for users who
# read the whole desk); everything from the user is a parameter. The team filters apply to
# candidates already limited in number, and a message's team is looked up per candidate by
# primary key, so no plan can turn visibility into a scan of a whole team.
CANDIDATES_SQL = """
WITH
t_window AS MATERIALIZED (
  SELECT r.id, r.team_id, ts_rank_cd(r.search_vector, %(q)s::tsquery) AS rank
  FROM (
    SELECT id, team_id, search_vector FROM tickets_ticket ORDER BY id DESC LIMIT %(window_t)s
  ) AS r
  WHERE r.search_vector @@ %(q)s::tsquery
  LIMIT %(window_hits)s
),
t_older AS MATERIALIZED (
  SELECT o.id, ts_rank_cd(o.search_vector, %(q)s::tsquery) AS rank
  FROM (
    SELECT t.id, t.team_id, t.search_vector FROM tickets_ticket AS t
    WHERE t.search_vector @@ %(q)s::tsquery
      AND (SELECT count(*) FROM t_window) < %(rare_below)s
    LIMIT %(older_hits)s
  ) AS o
  WHERE true {older_ticket_filter}
),
m_window AS MATERIALIZED (
  SELECT r.id, r.ticket_id, ts_rank_cd(r.search_vector, %(q)s::tsquery) AS rank
  FROM (
    SELECT id, ticket_id, search_vector FROM tickets_message ORDER BY id DESC LIMIT %(window_m)s
  ) AS r
  WHERE r.search_vector @@ %(q)s::tsquery
  LIMIT %(window_hits)s
),
m_older AS MATERIALIZED (
  SELECT o.id, o.ticket_id, ts_rank_cd(o.search_vector, %(q)s::tsquery) AS rank
  FROM (
    SELECT m.id, m.ticket_id, m.search_vector FROM tickets_message AS m
    WHERE m.search_vector @@ %(q)s::tsquery
      AND (SELECT count(*) FROM m_window) < %(rare_below)s
    LIMIT %(older_hits)s
  ) AS o
  WHERE true {older_message_filter}
),
hits AS (
  SELECT w.id AS ticket_id, NULL::bigint AS message_id, w.rank
  FROM t_window AS w WHERE true {window_ticket_filter}
  UNION
  SELECT id, NULL::bigint, rank FROM t_older
  UNION
  SELECT m.ticket_id, m.id, m.rank FROM m_window AS m WHERE true {window_message_filter}
  UNION
  SELECT ticket_id, id, rank FROM m_older
),
scored AS (
  SELECT ticket_id,
    coalesce(max(rank) FILTER (WHERE message_id IS NULL), 0)
      + coalesce(max(rank) FILTER (WHERE message_id IS NOT NULL), 0) AS score,
    (array_agg(message_id ORDER BY rank DESC, message_id DESC)
      FILTER (WHERE message_id IS NOT NULL))[1] AS message_id,
    coalesce(max(rank) FILTER (WHERE message_id IS NULL), 0) > 0 AS in_ticket
  FROM hits GROUP BY ticket_id
)
SELECT ticket_id, score, message_id, in_ticket,
  (SELECT count(*) FROM t_window) >= %(rare_below)s
    OR (SELECT count(*) FROM m_window) >= %(rare_below)s AS recent_only
FROM scored
ORDER BY score DESC, ticket_id DESC
LIMIT %(limit)s
"""

TEAM_FILTERS = {
    "older_ticket_filter": "AND o.team_id = ANY(%(team_ids)s)",
    "older_message_filter": (
        "AND (SELECT t.team_id FROM tickets_ticket AS t WHERE t.id = o.ticket_id)"
        " = ANY(%(team_ids)s)"
    ),
    "window_ticket_filter": "AND w.team_id = ANY(%(team_ids)s)",
    "window_message_filter": (
        "AND (SELECT t.team_id FROM tickets_ticket AS t WHERE t.id = m.ticket_id)"
        " = ANY(%(team_ids)s)"
    ),
}
NO_TEAM_FILTERS = dict.fromkeys(TEAM_FILTERS, "")


def candidates_sql(*, team_ids: list[int] | None) -> str:
    """The candidate statement, with team filters unless ``team_ids`` is None (whole desk)."""
    return CANDIDATES_SQL.format(**(NO_TEAM_FILTERS if team_ids is None else TEAM_FILTERS))


def ticket_search_ranked(
    *, user: Any, tsquery: str, pattern: re.Pattern[str] | None
) -> tuple[list[TicketHit], bool, bool]:
    """The best ``RESULT_LIMIT`` visible tickets for ``tsquery`` (the text form returned by
    ``search_tsquery``), with whether more exist and whether only recent matches were ranked.

    Three queries whatever the number of matches: the ranked ids, the tickets, the snippets.
    """
    team_ids: list[int] | None = None
    if not access.reads_whole_desk(user):
        team_ids = list(access.teams_visible_to(user).values_list("pk", flat=True))
        if not team_ids:
            return [], False, False
    params = {
        "q": tsquery,
        "team_ids": team_ids,
        "window_t": WINDOW_TICKETS,
        "window_m": WINDOW_MESSAGES,
        "window_hits": WINDOW_HITS,
        "rare_below": RARE_BELOW,
        "older_hits": OLDER_HITS,
        "limit": RESULT_LIMIT + 1,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(LATENCY_SETTINGS_SQL)
        cursor.execute(candidates_sql(team_ids=team_ids), params)
        rows = cursor.fetchall()
    if not rows:
        return [], False, False
    has_more = len(rows) > RESULT_LIMIT
    rows = rows[:RESULT_LIMIT]
    recent_only = bool(rows[0][4])
    # The authoritative visibility check: only tickets the user may read are shown.
    tickets = _visible_tickets(user).in_bulk([row[0] for row in rows])
    message_ids = [row[2] for row in rows if row[2] is not None and row[0] in tickets]
    messages = {
        message_id: (kind, sample)
        for message_id, kind, sample in Message.objects.filter(
            pk__in=message_ids, ticket_id__in=list(tickets)
        )
        .annotate(sample=Left("body", TEXT_SAMPLE_CHARS))
        .values_list("pk", "kind", "sample")
    }
    hits = []
    for ticket_id, score, message_id, in_ticket, _recent in rows:
        ticket = tickets.get(ticket_id)
        if ticket is None:
            continue
        kind, text = messages.get(message_id, ("", ""))
        if in_ticket or not text:
            kind, text = "", ticket.description[:TEXT_SAMPLE_CHARS]
        hits.append(
            TicketHit(
                ticket=ticket,
                score=float(score),
                subject_html=highlight(ticket.subject, pattern),
                snippet_html=snippet(text, pattern),
                matched_message_kind=kind,
            )
        )
    return hits, has_more, recent_only


# Published articles matching, best first. The inner LIMIT bounds the ranking work should the
# knowledge base ever hold thousands of articles matching one word.
ARTICLES_SQL = """
SELECT a.id, ts_rank_cd(a.search_vector, %(q)s::tsquery) AS rank
FROM (
  SELECT id, search_vector FROM tickets_article
  WHERE is_published AND search_vector @@ %(q)s::tsquery
  LIMIT %(candidates)s
) AS a
ORDER BY rank DESC, a.id DESC
LIMIT %(limit)s
"""


def article_search_ranked(
    *, user: Any, tsquery: str, pattern: re.Pattern[str] | None, language: str = "en"
) -> list[ArticleHit]:
    """Published articles matching ``tsquery`` in either language, best first (staff only)."""
    if not access.is_staff_member(user):
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            ARTICLES_SQL,
            {"q": tsquery, "candidates": ARTICLE_CANDIDATES, "limit": ARTICLE_LIMIT},
        )
        ranks = dict(cursor.fetchall())
    if not ranks:
        return []
    articles = Article.objects.filter(is_published=True).select_related("category").in_bulk(ranks)
    hits = []
    for article_id, rank in ranks.items():
        article = articles.get(article_id)
        if article is None:
            continue
        title = article.localized_title(language)
        bodies = (
            (article.body_zh_hant, article.body_en)
            if language.startswith("zh")
            else (article.body_en, article.body_zh_hant)
        )
        body = next((text for text in bodies if pattern and pattern.search(text)), bodies[0])
        hits.append(
            ArticleHit(
                article=article,
                score=float(rank),
                title_html=highlight(title, pattern),
                snippet_html=snippet((body or "")[:TEXT_SAMPLE_CHARS], pattern),
            )
        )
    return hits


# --- Highlighting -----------------------------------------------------------------------------


def highlight_pattern(*, text: str, tsquery: str) -> re.Pattern[str] | None:
    """A regex finding what the query matched in a text, for <mark>: the English lexemes of the
    tsquery as word prefixes (``log`` marks "logging"), the typed words that share their stem's
    start (so "studies" is marked although its stem is ``studi``), and the Chinese runs typed.
    Stop words and excluded words are not marked."""
    text = unicodedata.normalize("NFKC", text)
    lexemes = {
        lexeme.replace("''", "'")
        for negated, lexeme in TSQUERY_LEXEME.findall(tsquery)
        if not negated and not CJK_RUN.search(lexeme)
    }
    alternatives = {r"\b" + re.escape(lexeme) + r"\w*" for lexeme in lexemes}
    for word in WORD_PATTERN.findall(CJK_RUN.sub(" ", text)):
        if any(word.lower()[:3] == lexeme[:3] for lexeme in lexemes):
            alternatives.add(r"\b" + re.escape(word) + r"\w*")
    alternatives.update(re.escape(run) for run in CJK_RUN.findall(text))
    if not alternatives:
        return None
    # Longest first, so that a whole run is marked rather than a part of it.
    ordered = sorted(alternatives, key=len, reverse=True)
    return re.compile("|".join(ordered), re.IGNORECASE)


def highlight(text: str, pattern: re.Pattern[str] | None) -> SafeString:
    """``text`` escaped, with every match of ``pattern`` in <mark>."""
    if pattern is None:
        return mark_safe(escape(text))  # noqa: S308 - escaped just now
    parts = []
    position = 0
    for match in pattern.finditer(text):
        if match.end() == match.start():
            continue
        parts.append(escape(text[position : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped


def snippet(text: str, pattern: re.Pattern[str] | None) -> SafeString:
    """About ``SNIPPET_CHARS`` characters of ``text`` around its first match, highlighted."""
    flat = " ".join((text or "").split())
    match = pattern.search(flat) if pattern else None
    start = max(0, match.start() - SNIPPET_LEAD) if match else 0
    if start:
        # Start at a word boundary when there is one close by.
        space = flat.find(" ", start, start + 15)
        start = space + 1 if space != -1 else start
    end = min(len(flat), start + SNIPPET_CHARS)
    body = highlight(flat[start:end], pattern)
    prefix = "… " if start else ""
    suffix = " …" if end < len(flat) else ""
    return mark_safe(f"{prefix}{body}{suffix}")  # noqa: S308 - body is escaped by highlight()
