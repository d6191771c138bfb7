"""``manage.py ingest_email``: read RFC 822 messages from files, directories, mbox files, Maildirs
or standard input and ingest each one like a polled email (imports, tests, piping from an MTA).

    manage.py ingest_email message.eml other.eml
    manage.py ingest_email --json path/to/dir path/to/Maildir archive.mbox
    postfix pipe:  … | manage.py ingest_email --mailbox support -

``--json`` prints one JSON object per message: source, outcome (created, threaded, duplicate,
ignored, quarantined), ticket (reference or null), subject, from_email, from_name, attachments
(file names) and reason. The exit status is 0 even when messages are quarantined (they are kept
for administrators); it is 1 only when a path cannot be read.
"""

from __future__ import annotations

import json
import mailbox as mailbox_module
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tickets.models import Mailbox
from tickets.services.inbound import inbound_email_ingest


def _is_maildir(path: Path) -> bool:
    return all((path / name).is_dir() for name in ("cur", "new", "tmp"))


def _looks_like_mbox(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(5)
    return head == b"From " and path.suffix.lower() not in (".eml", ".msg")


def iter_messages(path_text: str) -> Iterator[tuple[str, bytes]]:
    """``(source, raw bytes)`` of every message under ``path_text`` (``-``: standard input)."""
    if path_text == "-":
        yield "stdin", sys.stdin.buffer.read()
        return
    path = Path(path_text)
    if not path.exists():
        raise CommandError(f"{path_text}: no such file or directory")
    if path.is_dir() and _is_maildir(path):
        box = mailbox_module.Maildir(path, factory=None, create=False)
        for key in sorted(box.keys()):
            with box.get_file(key) as handle:
                yield f"{path}#{key}", handle.read()
        return
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and not child.name.startswith("."):
                yield from iter_messages(str(child))
        return
    if _looks_like_mbox(path):
        box = mailbox_module.mbox(path, factory=None, create=False)
        for index, key in enumerate(box.keys()):
            yield f"{path}#{index}", box.get_bytes(key)
        return
    yield str(path), path.read_bytes()


class Command(BaseCommand):
    help = "Ingest RFC 822 emails from files, directories, mbox files, Maildirs or stdin (-)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("paths", nargs="+", help="files, directories, mbox, Maildir or -")
        parser.add_argument("--json", action="store_true", help="one JSON object per message")
        parser.add_argument("--mailbox", help="name of the mailbox the mail arrived in")

    def handle(self, *args: Any, **options: Any) -> None:
        mailbox = None
        if options["mailbox"]:
            mailbox = (
                Mailbox.objects.select_related("team", "category")
                .filter(name=options["mailbox"])
                .first()
            )
            if mailbox is None:
                raise CommandError(f"No mailbox named {options['mailbox']!r}.")
        counts: dict[str, int] = {}
        for path_text in options["paths"]:
            for source, raw in iter_messages(path_text):
                result = inbound_email_ingest(raw=raw, mailbox=mailbox, source=source)
                counts[result.outcome] = counts.get(result.outcome, 0) + 1
                if options["json"]:
                    self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
                else:
                    ticket = result.ticket or "-"
                    self.stdout.write(f"{result.outcome:<12} {ticket:<10} {source}")
        if not options["json"]:
            summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items()))
            self.stderr.write(summary or "no messages")
