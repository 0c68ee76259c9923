"""Spreadsheets: nothing anyone typed is ever a formula, in the workbook or in the CSV split on
any separator."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.spreadsheets import (
    FORMULA_CHARACTERS,
    SEPARATORS,
    Table,
    neutralise,
    to_csv,
    to_xlsx,
)

DANGEROUS = [
    '=HYPERLINK("http://x","klikkaa")',
    "x;=cmd|' /C calc'!A0",
    "x,=1+1",
    "x\t+1",
    'x; "=1+1"',
    "＝1+1",
    "x;＋1",
    "－1",
    "＠SUM(A1)",
    "@SUM(A1)",
    "-2+3",
    "\t=1",
    "\r=1",
    "line\n=1+1",
]


def table_of(texts: list[str]) -> Table:
    return ["Title", "Progress %", "Due", "Added at"], [
        [text, 40, date(2027, 4, 28), datetime(2027, 1, 12, 8, 0)] for text in texts
    ]


def fields(content: bytes) -> list[str]:
    """Every field a spreadsheet could make of the CSV, whichever separator it splits on (quotes
    read as the `csv` module does, then naively, as a careless import might)."""
    text = content.decode("utf-8-sig")
    found = []
    for separator in ",;\t":
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator):
            found.extend(row)
        for line in text.replace("\r", "\n").split("\n"):
            found.extend(line.split(separator))
    return found


def runnable(field: str) -> bool:
    return field.lstrip(' "').startswith(tuple(FORMULA_CHARACTERS))


@pytest.mark.parametrize("text", DANGEROUS)
def test_no_csv_field_can_start_a_formula(text: str) -> None:
    content = to_csv(table_of([text]))
    assert [field for field in fields(content) if runnable(field)] == []


@given(st.text(alphabet=st.sampled_from(FORMULA_CHARACTERS + SEPARATORS + " \"ax1'"), max_size=30))
def test_no_csv_field_of_any_text_can_start_a_formula(text: str) -> None:
    assert [field for field in fields(to_csv(table_of([text]))) if runnable(field)] == []


def test_the_csv_keeps_ordinary_text_as_it_is() -> None:
    for text in ["Yhteenveto – Ylöjärvi ja Lempäälä", "2027-01-10", "a-b", "Ruotsi; Norja", ""]:
        assert neutralise(text) == text
    assert neutralise(40) == "40"
    assert neutralise(date(2027, 4, 28)) == "2027-04-28"
    assert neutralise(datetime(2027, 1, 12, 8, 0)) == "2027-01-12 08:00"


def test_the_csv_is_utf8_with_bom_and_commas() -> None:
    content = to_csv(table_of(["Seurantaraportti – Ylöjärvi"]))
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").splitlines() == [
        "Title,Progress %,Due,Added at",
        "Seurantaraportti – Ylöjärvi,40,2027-04-28,2027-01-12 08:00",
    ]


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


def test_the_workbook_holds_every_text_as_a_string_never_a_formula() -> None:
    content = to_xlsx(table_of(DANGEROUS), "aineistot")
    assert "<f>" not in sheet_xml(content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    titles = [sheet.cell(row, 1) for row in range(2, len(DANGEROUS) + 2)]
    # shown as typed (a carriage return is written escaped, as Excel reads it; openpyxl does not)
    assert [cell.value for cell in titles] == [text.replace("\r", "_x000D_") for text in DANGEROUS]
    assert all(cell.data_type == "s" for cell in titles)
    assert not [cell for cell in titles if cell.hyperlink is not None]


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=40))
def test_no_text_becomes_a_formula_in_the_workbook(text: str) -> None:
    content = to_xlsx(table_of([text]), "x")
    assert "<f>" not in sheet_xml(content)


def test_the_workbook_reads_well() -> None:
    header, rows = table_of(["Seurantaraportti – Pirkkala ja Ylöjärvi"])
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx((header, rows), "aineistot"))).active
    assert sheet is not None
    assert sheet.title == "aineistot"
    assert [cell.value for cell in sheet[1]] == header
    assert all(cell.font.b for cell in sheet[1])  # a bold header
    assert sheet.freeze_panes == "A2"  # that stays in view
    assert sheet["B2"].value == 40  # a number
    assert sheet["C2"].value == datetime(2027, 4, 28)  # real dates and times
    assert sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet["D2"].value == datetime(2027, 1, 12, 8, 0)
    assert sheet.column_dimensions["A"].width >= len(str(rows[0][0]))  # wide enough to read
