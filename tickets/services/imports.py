"""Import tickets exported from another helpdesk (CSV with a column mapping, or JSON).

A mapping (``tickets/import_mappings/*.json``) names the ``source`` helpdesk, which column holds
each field (``columns``), how their values translate (``values``: e.g. Zendesk's ``urgent`` →
priority 1, its group names → team slugs) and ``defaults`` for missing values. Every row is
imported on its own (a savepoint each): a bad row is reported with its line number and leaves
nothing behind, while the good rows are imported. Importing the same file again changes nothing:
``ImportedTicket`` remembers each (source, external id).

Tickets are created through ``ticket_create`` (source *automation*, no actor), then moved to the
exported status through ``ticket_transition`` (a Closed ticket through Resolved, with the
mapping's resolution code), so the audit trail and hooks see an ordinary life; the exported
creation time is kept.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from supportdesk.errors import ApplicationError
from teams.models import Team
from tickets.models import Category, Client, ImportedTicket, Ticket
from tickets.services.tickets import ticket_create, ticket_transition

logger = logging.getLogger(__name__)

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "import_mappings"
SOURCE = "automation"
FIELDS = (
    "external_id",
    "subject",
    "description",
    "client_email",
    "client_name",
    "priority",
    "status",
    "team",
    "category",
    "channel",
    "language",
    "tags",
    "created_at",
)
MAX_ROWS = 1_000_000


class BadRow(Exception):
    """A row that cannot be imported; the message says why."""


@dataclass
class ImportReport:
    created: int = 0
    skipped: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def import_mapping_load(path: str | Path | None) -> dict[str, Any]:
    """A mapping file; the identity mapping (columns named like our fields) when ``None``."""
    if path is None:
        return {"source": "import", "columns": {name: name for name in FIELDS}}
    candidate = Path(path)
    if not candidate.exists() and (MAPPINGS_DIR / f"{path}.json").exists():
        candidate = MAPPINGS_DIR / f"{path}.json"
    mapping = json.loads(candidate.read_text(encoding="utf-8"))
    if not isinstance(mapping, dict) or not mapping.get("source"):
        raise ApplicationError(_("A mapping needs a “source” and its “columns”."))
    mapping.setdefault("columns", {})
    return mapping


def rows_from_csv(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line number, row)`` pairs; the line is where the row starts in the file."""
    reader = csv.DictReader(io.StringIO(text))
    start = 2
    for row in reader:
        yield start, row
        start = reader.line_num + 1


def rows_from_json(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(item number, object)`` pairs of a JSON array of objects (1-based)."""
    data = json.loads(text)
    if isinstance(data, dict) and isinstance(data.get("tickets"), list):
        data = data["tickets"]
    if not isinstance(data, list):
        raise ApplicationError(_("The JSON file must hold a list of tickets."))
    for number, item in enumerate(data, start=1):
        yield number, item if isinstance(item, dict) else {"__invalid__": True}


def _value(row: dict[str, Any], mapping: dict[str, Any], name: str) -> Any:
    column = mapping["columns"].get(name, name)
    raw = row.get(column)
    if isinstance(raw, str):
        raw = raw.strip()
    if raw in (None, ""):
        raw = mapping.get("defaults", {}).get(name, "")
    translations = mapping.get("values", {}).get(name)
    if translations and isinstance(raw, str | int):
        key = str(raw).lower()
        lowered = {str(k).lower(): v for k, v in translations.items()}
        if key in lowered:
            return lowered[key]
    return raw


def _client(email: str, name: str) -> Client:
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        raise BadRow(_("The requester's email address is missing or not valid."))
    client = Client.objects.filter(email=email).first()
    if client is None:
        client = Client.objects.create(email=email, name=(name or email)[:200])
    return client


def _by_slug(model: type, value: Any, label: str) -> Any:
    item = model.objects.filter(slug=str(value)).first() if value else None
    if item is None:
        raise BadRow(_("Unknown %(what)s “%(value)s”.") % {"what": label, "value": value})
    return item


def _import_row(row: dict[str, Any], mapping: dict[str, Any], source_name: str) -> bool:
    """Import one row; ``False`` when it was imported before."""
    if row.get("__invalid__"):
        raise BadRow(_("This item is not an object."))
    external_id = str(_value(row, mapping, "external_id") or "").strip()
    if not external_id or len(external_id) > 100:
        raise BadRow(_("The external id is missing or too long."))
    if ImportedTicket.objects.filter(source=source_name, external_id=external_id).exists():
        return False
    status = str(_value(row, mapping, "status") or Ticket.Status.NEW)
    if status not in Ticket.Status.values:
        raise BadRow(_("Unknown status “%(value)s”.") % {"value": status})
    created_at = None
    raw_created = _value(row, mapping, "created_at")
    if raw_created:
        created_at = parse_datetime(str(raw_created).replace(" ", "T", 1))
        if created_at is None or created_at.tzinfo is None:
            raise BadRow(_("The creation time “%(value)s” is not an ISO 8601 time with a zone.")
                         % {"value": raw_created})  # fmt: skip
    tags = _value(row, mapping, "tags") or []
    if isinstance(tags, str):
        tags = tags.replace(" ", ",").split(",")
    try:
        ticket = ticket_create(
            actor=None,
            client=_client(
                _value(row, mapping, "client_email"), _value(row, mapping, "client_name")
            ),
            subject=_value(row, mapping, "subject"),
            description=_value(row, mapping, "description"),
            category=_by_slug(Category, _value(row, mapping, "category"), _("category")),
            team=_by_slug(Team, _value(row, mapping, "team"), _("team")),
            priority=_value(row, mapping, "priority") or 3,
            channel=_value(row, mapping, "channel") or "email",
            language=_value(row, mapping, "language") or "en",
            tags=tags,
            source=SOURCE,
        )
        path = [status] if status != Ticket.Status.CLOSED else ["resolved", "closed"]
        for target in path if status != Ticket.Status.NEW else []:
            ticket = ticket_transition(
                actor=None,
                ticket=ticket,
                to_status=target,
                resolution_code=mapping.get("resolution_code", "imported"),
                resolution_summary=_("Imported from %(source)s.") % {"source": source_name},
                source=SOURCE,
            )
    except ApplicationError as error:
        raise BadRow(str(error.message)) from error
    if created_at is not None:
        Ticket.objects.filter(pk=ticket.pk).update(created_at=created_at)
    ImportedTicket.objects.create(source=source_name, external_id=external_id, ticket=ticket)
    return True


def tickets_import(
    *, rows: Iterable[tuple[int, dict[str, Any]]], mapping: dict[str, Any]
) -> ImportReport:
    """Import ``rows`` (``(line, row)`` pairs) with ``mapping``; one savepoint per row."""
    report = ImportReport()
    source_name = str(mapping["source"])[:50]
    for count, (line, row) in enumerate(rows, start=1):
        if count > MAX_ROWS:
            report.errors.append((line, _("Too many rows in one file.")))
            break
        try:
            with transaction.atomic():
                if _import_row(row, mapping, source_name):
                    report.created += 1
                else:
                    report.skipped += 1
        except BadRow as error:
            report.errors.append((line, str(error)))
    logger.info(
        "tickets.imported",
        extra={"imported": report.created, "skipped": report.skipped, "bad": len(report.errors)},
    )
    return report
