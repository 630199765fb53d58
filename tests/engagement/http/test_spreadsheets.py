"""CSV files opened in a spreadsheet never run a formula someone typed into a text field."""

import csv
import io

import pytest

from engagement.http.spreadsheets import csv_text, safe_cell


@pytest.mark.parametrize("text", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_starting_like_a_formula_is_made_inert(text):
    assert safe_cell(text) == f"'{text}"


@pytest.mark.parametrize("value", ["plain", "", "a=b", -3, 2.5, None, True])
def test_everything_else_is_left_alone(value):
    assert safe_cell(value) == value


def test_a_document_has_the_header_and_safe_rows_with_empty_cells_for_none():
    text = csv_text(["code", "=q"], [["=cmd()", None, 4], ["ok", "-x", -1]])
    assert list(csv.reader(io.StringIO(text))) == [
        ["code", "'=q"],
        ["'=cmd()", "", "4"],
        ["ok", "'-x", "-1"],
    ]
