"""A small xlsx writer for the digest's workbook: sheets of plain rows, bold headers,
shares as percentages, the first column wide and frozen.

openpyxl builds an object per cell and writes through a generic XML layer: 0.05–0.1 s for
the digest's eight small sheets, more than drawing its chart, and a Monday round writes a
thousand of them. The digest needs five features of the format, which are a few lines
of XML each; everything else (reading imports, the exports with their own layouts) keeps
openpyxl. Zip entries carry a fixed date, so the same digest gives the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
STYLES = (  # cellXfs: 0 plain, 1 bold (headers), 2 built-in format 9 = "0%" (shares)
    f'<styleSheet xmlns="{MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
BOLD, PERCENT = 1, 2
# Characters XML 1.0 cannot hold (control characters a name might carry) are dropped.
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def column(n: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    name = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(65 + rest) + name
    return name


class Percent(float):
    """A share (0..1) written as a number with the percent format (shown as 33%)."""


def _cell(ref: str, value, style: int = 0) -> str:
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"{s}><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        if isinstance(value, Percent):
            s = f' s="{PERCENT}"'
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    text = escape(ILLEGAL.sub("", str(value)))
    return f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{text}</t></is></c>'


class SheetBook:
    def __init__(self) -> None:
        self.sheets: list[tuple[str, str]] = []

    def sheet(self, title: str, head: list[str], rows: list[list]) -> None:
        """A sheet: `head` in bold on row 1, frozen with column A (32 wide)."""
        lines = []
        for r, row in enumerate([head, *rows], start=1):
            style = BOLD if r == 1 else 0
            cells = "".join(_cell(f"{column(c)}{r}", v, style) for c, v in enumerate(row))
            lines.append(f'<row r="{r}">{cells}</row>')
        xml = (
            f'{HEAD}<worksheet xmlns="{MAIN}"><sheetViews><sheetView workbookViewId="0">'
            '<pane xSplit="1" ySplit="1" topLeftCell="B2" activePane="bottomRight" '
            'state="frozen"/><selection pane="bottomRight"/></sheetView></sheetViews>'
            '<cols><col min="1" max="1" width="32" customWidth="1"/></cols>'
            f"<sheetData>{''.join(lines)}</sheetData></worksheet>"
        )
        self.sheets.append((title[:31], xml))

    def to_bytes(self) -> bytes:
        n = len(self.sheets)
        sheets = "".join(
            f'<sheet name="{escape(t, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
            for i, (t, _) in enumerate(self.sheets, start=1)
        )
        parts = {
            "[Content_Types].xml": f'{HEAD}<Types xmlns="{TYPES}">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{OFFICE}.styles+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                f'ContentType="{OFFICE}.worksheet+xml"/>'
                for i in range(1, n + 1)
            )
            + "</Types>",
            "_rels/.rels": f'{HEAD}<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
            f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            "xl/workbook.xml": f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}">'
            f"<sheets>{sheets}</sheets></workbook>",
            "xl/_rels/workbook.xml.rels": f'{HEAD}<Relationships xmlns="{RELS}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{DOC_RELS}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, n + 1)
            )
            + f'<Relationship Id="rId{n + 1}" Type="{DOC_RELS}/styles" Target="styles.xml"/>'
            "</Relationships>",
            "xl/styles.xml": HEAD + STYLES,
        }
        for i, (_, xml) in enumerate(self.sheets, start=1):
            parts[f"xl/worksheets/sheet{i}.xml"] = xml
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in parts.items():
                info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, text.encode("utf-8"))
        return out.getvalue()
