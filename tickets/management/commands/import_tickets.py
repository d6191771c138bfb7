"""``manage.py import_tickets FILE [--mapping MAPPING] [--format csv|json]``."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from supportdesk.errors import ApplicationError
from tickets.services.imports import (
    import_mapping_load,
    rows_from_csv,
    rows_from_json,
    tickets_import,
)


class Command(BaseCommand):
    help = (
        "Import tickets from another helpdesk's CSV export (columns mapped by a mapping file, "
        "e.g. --mapping zendesk or --mapping freshdesk) or from JSON. Idempotent on the external "
        "id; bad rows are reported with their line numbers while good rows are imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--mapping",
            help="a mapping JSON file, or the name of one shipped in tickets/import_mappings/",
        )
        parser.add_argument("--format", choices=["csv", "json"])

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        file_format = options["format"] or ("json" if path.suffix.lower() == ".json" else "csv")
        try:
            mapping = import_mapping_load(options["mapping"])
            text = path.read_text(encoding="utf-8-sig")
            rows = rows_from_json(text) if file_format == "json" else rows_from_csv(text)
            report = tickets_import(rows=rows, mapping=mapping)
        except (ApplicationError, ValueError, OSError) as error:
            raise CommandError(str(getattr(error, "message", error))) from error
        word = "item" if file_format == "json" else "line"
        for line, message in report.errors:
            self.stderr.write(f"{path.name}: {word} {line}: {message}")
        self.stdout.write(
            f"Imported {report.created} tickets, skipped {report.skipped} already imported, "
            f"{len(report.errors)} bad rows."
        )
        if report.errors:
            raise CommandError(f"{len(report.errors)} rows were not imported (see above).")
