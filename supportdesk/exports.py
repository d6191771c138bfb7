"""CSV and XLSX downloads of a table, shared by the ticket lists and the metrics dashboards.

Every text cell that a spreadsheet would read as a formula (it begins with ``=``, ``+``, ``-``
or ``@``, or a tab or carriage return that some programs strip first) is prefixed with ``'``,
so a subject such as ``=HYPERLINK(…)`` stays text (OWASP "CSV injection"). Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import xlsxwriter
from django.http import HttpResponse
from django.utils import timezone

from supportdesk.errors import ApplicationError

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: Any) -> Any:
    """The value as written to a cell: numbers as numbers, text escaped against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def table_response(
    *,
    export_format: str,
    filename: str,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    sheet: str = "Data",
) -> HttpResponse:
    """A download of ``rows`` under ``headers`` as ``csv`` (UTF-8 with BOM, for Excel) or
    ``xlsx``."""
    if export_format not in FORMATS:
        raise ApplicationError("Unknown export format.", code="export_format")
    header_cells = [safe_cell(str(header)) for header in headers]
    if export_format == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(header_cells)
        for row in rows:
            writer.writerow([safe_cell(cell) for cell in row])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(
            output, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
        worksheet = workbook.add_worksheet(sheet[:31])
        bold = workbook.add_format({"bold": True})
        worksheet.write_row(0, 0, header_cells, bold)
        for number, row in enumerate(rows, start=1):
            for column, cell in enumerate(row):
                value = safe_cell(cell)
                if isinstance(value, int | float):
                    worksheet.write_number(number, column, value)
                else:
                    worksheet.write_string(number, column, value)
        workbook.close()
        response = HttpResponse(output.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{export_format}"'
    return response
