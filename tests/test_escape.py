"""The one escaping helper per output kind (qualitylab/escape.py; docs/security.md)."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re

import numpy as np
import pandas as pd
import pytest

from qualitylab.escape import (
    csv_bytes,
    csv_cell,
    dataframe_csv,
    html_text,
    markdown_text,
    script_json,
    terminal_json,
    terminal_lines,
    terminal_text,
)

HOSTILE = [
    "![x](http://127.0.0.1:9/leak.png)",
    "[click](javascript:alert(1))",
    '<img src="http://127.0.0.1:9/a.png">',
    '=HYPERLINK("http://evil/","x")',
    "=cmd|' /C calc'!A0",
    "acme\x1b]0;pwned\x07\x1b[2J",
    "w1\r\nforged line",
    "right\u202eto-left",
    "$\\frac{1}{2}$ :red[big] :material/home: :smile:",
    "# heading",
    "123456. an ordered list",
    "  - a list",
    "www.example.com and a@b.org",
    "\x85\x9b31m",
]


def test_html_text_escapes_markup_and_quotes():
    assert html_text('<a href="x">&\'') == "&lt;a href=&quot;x&quot;&gt;&amp;&#x27;"
    assert html_text(None) == ""
    assert "</script" not in script_json({"t": "</script><!--"})
    assert json.loads(script_json({"t": "</script>\u2028"})) == {"t": "</script>\u2028"}


@pytest.mark.parametrize("s", HOSTILE)
def test_terminal_text_leaves_no_control_or_format_character(s):
    out = terminal_text(s)
    assert all(ch == " " or (ch.isprintable()) for ch in out), repr(out)
    assert "\n" not in out and "\x1b" not in out and "\u202e" not in out


def test_terminal_text_forms():
    assert terminal_text("w1\x1b[2J") == "w1\\x1b[2J"
    assert terminal_text("a\nb\tc\x7f\x9b") == "a\\x0ab\\x09c\\x7f\\x9b"
    assert terminal_text("x\u202ey\u2028") == "x\\u202ey\\u2028"
    assert terminal_text("\ud800") == "\\ud800"  # a lone surrogate cannot even be encoded
    assert terminal_text("\U000e0001") == "\\U000e0001"  # a tag character (format)
    assert terminal_text("Zoë 日本 ok") == "Zoë 日本 ok"  # letters of every script stay
    assert terminal_lines("a\x1b\nb") == "a\\x1b\nb"


def test_terminal_json_is_the_same_document_with_no_raw_control_character():
    doc = {"batch": "w1\x1b[2J\x9b\u202e\ud83d\ude00", "n": 1.5, "k": ["\u2028"]}
    out = terminal_json(doc)
    assert json.loads(out) == {**doc, "batch": "w1\x1b[2J\x9b\u202e\U0001f600"}
    assert all(ch.isprintable() or ch == "\n" for ch in out)
    assert terminal_json({"a": "plain"}) == json.dumps({"a": "plain"}, indent=2)


@pytest.mark.parametrize("s", HOSTILE)
def test_markdown_text_keeps_no_markdown_syntax_unescaped(s):
    out = markdown_text(s)
    # every character that can open syntax is a numeric character reference (rendered literally)
    bare = re.sub(r"&#[0-9]+;", "", out)
    assert not re.search(r"[\\`*~\[\]!<>$|#{}&@]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|:(?=[A-Za-z0-9/+_-])", bare), (
        s,
        out,
    )
    assert not re.match(r" {0,3}([-+=]|\d{1,9}[.)])", bare)
    shown = html.unescape(out)
    assert not re.search(r"(?i)(https?://|www\.)", shown) and "@" not in shown.replace("\u2060@", "")
    assert "\n" not in out and "\x1b" not in out
    assert shown.replace("\u2060", "") == terminal_text(s)  # what a reader sees: the text itself


def test_markdown_text_of_a_plain_name_is_the_name():
    assert markdown_text("h11") == "h11"
    assert markdown_text("p_first (batch): 0.5") == "p_first (batch): 0.5"  # nothing here starts syntax
    assert markdown_text("_it_ :smile: :red[x]") == "&#95;it&#95; &#58;smile: &#58;red&#91;x&#93;"
    assert markdown_text("acme labels") == "acme labels"
    assert markdown_text(None) == ""


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A9)", "\t=1", "\r=1", "\uff1d1+1", '=HYPERLINK("x")'],
)
def test_csv_cell_neutralises_formula_text(text):
    assert csv_cell(text) == "'" + text


def test_csv_cell_keeps_numbers_numeric_at_full_precision():
    assert csv_cell(0.1 + 0.2) == "0.30000000000000004"
    assert float(csv_cell(1 / 3)) == 1 / 3
    assert csv_cell(-0.00003) == "-3e-05" and float(csv_cell(-0.00003)) == -0.00003
    assert csv_cell(-7) == "-7"
    assert csv_cell(np.float64(2 / 3)) == repr(2 / 3)
    assert csv_cell(np.int64(-12)) == "-12"
    assert csv_cell(float("nan")) == "" and csv_cell(None) == "" and csv_cell(pd.NA) == ""
    assert csv_cell(float("inf")) == "inf"
    assert csv_cell(True) == "true"
    # a text that is a plain number is left alone (a spreadsheet reads it as that number only)
    assert csv_cell("-1.5") == "-1.5" and csv_cell("+3e2") == "+3e2"
    assert csv_cell(dt.date(2026, 4, 3)) == "2026-04-03"
    assert csv_cell(pd.Timestamp("2026-04-03 10:00")) == "2026-04-03T10:00:00"
    assert csv_cell(["=x", 1]) == '["=x", 1]'  # JSON; starts with [ so not a formula


def test_csv_bytes_and_dataframe_csv_share_the_writer():
    rows = [{"annotator_id": '=HYPERLINK("http://evil")', "p": -0.25, "n": 3}, {"annotator_id": "h1"}]
    data = csv_bytes(["annotator_id", "p", "n"], rows)
    got = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert got == [["annotator_id", "p", "n"], ['\'=HYPERLINK("http://evil")', "-0.25", "3"], ["h1", "", ""]]
    df = pd.DataFrame(rows)  # n becomes a float column (NaN in the second row)
    got = list(csv.reader(io.StringIO(dataframe_csv(df).decode("utf-8"))))
    assert got == [["annotator_id", "p", "n"], ['\'=HYPERLINK("http://evil")', "-0.25", "3.0"], ["h1", "", ""]]
    assert csv_bytes(["a"], []) == b"a\r\n"  # a header even when empty
