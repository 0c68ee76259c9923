"""A table as a file for coordinators: an Excel workbook (`.xlsx`) by default, CSV for machines.

The workbook is what a coordinator double-clicks, in Finnish or Swedish Excel as in any other:
a bold, frozen header row, columns wide enough to read, numbers as numbers and times as
times. Every text is written as a string cell, so nothing anyone typed is ever a formula or a
link, whatever it starts with.

The CSV (`format:csv`) is for machines: UTF-8 with a byte order mark, commas, the `csv`
module's quoting, CRLF line ends. Excel may still be pointed at it, and a Finnish or Swedish
Excel splits it on `;`, so a text is neutralised wherever a formula could begin once split on
any separator: an apostrophe goes before `=`, `+`, `-` or `@` (or their fullwidth and small
look-alikes) that starts the text or follows a comma, semicolon, tab or line break (spaces
and quotes between them count for nothing), and before a tab or carriage return that starts it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Final

import xlsxwriter

Cell = str | int | date | datetime  # a datetime is local and naive: Excel knows no zones
Table = tuple[list[str], list[list[Cell]]]

CSV, XLSX = "csv", "xlsx"
FORMATS: Final = (XLSX, CSV)
#: What starts a formula, and what Excel (or an input method) may read as one of them.
FORMULA_CHARACTERS: Final = "=+-@＝＋－＠﹦﹢﹣﹫"
SEPARATORS: Final = ",;\t\r\n"
_FORMULA_AFTER_SEPARATOR = re.compile(
    f'(^|[{re.escape(SEPARATORS)}])([ "]*)(?=[{re.escape(FORMULA_CHARACTERS)}])'
)
_DAY_FORMAT, _MOMENT_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
_NARROWEST, _WIDEST = 6, 60


def neutralise(cell: Cell) -> str:
    """The cell as CSV text that no spreadsheet runs as a formula, whatever it splits it on."""
    text = as_text(cell)
    if isinstance(cell, int | date):
        return text  # numbers and dates as the bot writes them: nothing to run
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1\2'", text)
    return "'" + text if text.startswith(("\t", "\r")) else text


def as_text(cell: Cell) -> str:
    """A cell as the CSV shows it: times to the minute, dates as `2027-04-28`."""
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M")
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def to_csv(table: Table) -> bytes:
    """The table as a CSV file: UTF-8 with BOM, commas, CRLF line ends, formulas neutralised."""
    header, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table, sheet: str) -> bytes:
    """The table as an Excel workbook of one sheet, every text a string and never a formula."""
    header, rows = table
    buffer = io.BytesIO()
    options = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    with xlsxwriter.Workbook(buffer, options) as book:
        bold = book.add_format({"bold": True})
        day = book.add_format({"num_format": _DAY_FORMAT})
        moment = book.add_format({"num_format": _MOMENT_FORMAT})
        worksheet = book.add_worksheet(sheet[:31])
        for column, title in enumerate(header):
            worksheet.write_string(0, column, title, bold)
        for number, row in enumerate(rows, start=1):
            for column, cell in enumerate(row):
                if isinstance(cell, datetime):
                    worksheet.write_datetime(number, column, cell, moment)
                elif isinstance(cell, date):
                    worksheet.write_datetime(number, column, cell, day)
                elif isinstance(cell, int):
                    worksheet.write_number(number, column, cell)
                else:
                    worksheet.write_string(number, column, cell)
        for column, width in enumerate(widths(header, rows)):
            worksheet.set_column(column, column, width)
        worksheet.freeze_panes(1, 0)
        worksheet.autofilter(0, 0, len(rows), max(len(header) - 1, 0))
    return buffer.getvalue()


def widths(header: list[str], rows: Sequence[Sequence[Cell]]) -> list[int]:
    """Each column as wide as its longest line of text, within reason."""
    return [
        min(
            _WIDEST,
            max(
                _NARROWEST,
                len(title) + 2,
                *(len(as_text(row[column])) + 1 for row in rows if column < len(row)),
            ),
        )
        for column, title in enumerate(header)
    ]
