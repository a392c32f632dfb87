"""The digest's workbook: sheets of plain rows, bold headers, shares as percentages, the
first column wide and frozen.

openpyxl's write-only mode streams rows instead of keeping an object per cell: about 40 ms
for the digest's eight small sheets here, against ~0.27 s the ordinary way, and a Monday
round writes a thousand of them (in the render workers, off the event loop). A hand-made
writer was faster still (3 ms) but the format is openpyxl's to get right, not ours. The
document's dates are fixed, so the same digest gives the same bytes.
"""

from __future__ import annotations

import io
import re
from datetime import datetime

ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
FIXED = datetime(2000, 1, 1)


class Percent(float):
    """A share (0..1) written as a number with the percent format (shown as 33%)."""


class SheetBook:
    def __init__(self) -> None:
        from openpyxl import Workbook

        self.book = Workbook(write_only=True)
        self.book.properties.created = self.book.properties.modified = FIXED

    def sheet(self, title: str, head: list[str], rows: list[list]) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        ws = self.book.create_sheet(title[:31])
        ws.freeze_panes = "B2"
        ws.column_dimensions["A"].width = 32
        bold = Font(bold=True)

        def cell(value, header: bool):
            if isinstance(value, str):
                value = ILLEGAL.sub("", value)
            if value == "":
                value = None
            c = WriteOnlyCell(ws, value=value)
            if header:
                c.font = bold
            if isinstance(value, Percent):
                c.number_format = "0%"
            return c

        ws.append([cell(v, True) for v in head])
        for row in rows:
            ws.append([cell(v, False) for v in row])

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()
