"""CSV cells: figures as they are, text that spreadsheets would run as a formula made inert."""

import csv
import io
from decimal import Decimal

import pytest

from reports import presenters


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, ""),
        (3, "3"),
        (-1.5, "-1.5"),  # a figure, even negative, stays a number
        (Decimal("-2.25"), "-2.25"),
        ("Acme", "Acme"),
        ("2026-11", "2026-11"),
        ("=1+1", "'=1+1"),
        ("+55 11 5555-0000", "'+55 11 5555-0000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Ana = Bia", "Ana = Bia"),
    ],
)
def test_cells_never_start_a_formula(value, cell):
    assert presenters._cell(value) == cell


def test_csv_text_starts_with_the_byte_order_mark_and_quotes_what_it_must():
    text = presenters.csv_text([["Group", "Tickets"], ['Acme, "Ltd"', "2"]])
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text[1:]))) == [["Group", "Tickets"], ['Acme, "Ltd"', "2"]]
