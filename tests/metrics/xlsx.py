"""Read the cells of an XLSX file's first sheet (enough for tests, no extra dependency).

Only files the application just wrote are parsed, hence no defusedxml.
"""

import io
import re
import zipfile
from xml.etree import ElementTree

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def read_xlsx(content: bytes) -> list[list[object]]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    shared: list[str] = []
    if "xl/sharedStrings.xml" in archive.namelist():
        root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))  # noqa: S314  # noqa: S314
        shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in root]
    sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))  # noqa: S314  # noqa: S314
    rows: list[list[object]] = []
    for row in sheet.iter(f"{{{NS['m']}}}row"):
        cells: list[object] = []
        for cell in row.findall("m:c", NS):
            column = re.match(r"[A-Z]+", cell.get("r", "A")).group(0)
            index = ord(column[-1]) - ord("A")
            while len(cells) < index:
                cells.append(None)
            value = cell.find("m:v", NS)
            if value is None:
                cells.append(None)
            elif cell.get("t") == "s":
                cells.append(shared[int(value.text)])
            else:
                number = float(value.text)
                cells.append(int(number) if number.is_integer() else number)
        rows.append(cells)
    return rows
