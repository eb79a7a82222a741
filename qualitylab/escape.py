"""One escaping helper per output kind, used where text leaves the program (docs/security.md).

Nothing delivered is trusted: annotator, batch, vendor, model and file names, texts and reasons
quoting them can hold markup, formulas or control characters. Each output kind has one helper:

- :func:`html_text` — HTML text and attribute values (the evidence pack); :func:`script_json` —
  JSON inside an HTML ``<script>`` element.
- :func:`markdown_text` — a string shown on a Streamlit page, whose text elements (``st.markdown``,
  ``st.caption``, ``st.info``, headings, widget labels ...) read Markdown: the result renders as the
  literal string, never as an image, a link, a heading, HTML, LaTeX, an emoji/icon shortcode or a
  coloured directive.
- :func:`terminal_text` — a string printed to a terminal (tables, messages, errors):
  C0/C1 control characters, DEL and other non-printables (format characters such as bidi overrides,
  line/paragraph separators, lone surrogates, private-use and unassigned code points) become visible
  ``\\xNN`` / ``\\uNNNN`` / ``\\UNNNNNNNN`` escapes; :func:`terminal_json` — a JSON document for a
  terminal: the same characters written as JSON ``\\u`` escapes, so the document means the same.
- :func:`csv_cell` / :func:`write_csv` / :func:`csv_bytes` — CSV files (the evidence tables, the app's
  downloads): a text cell that a spreadsheet would read as a formula (starting with ``=``, ``+``,
  ``-``, ``@``, tab or carriage return, or their full-width forms) is prefixed with ``'`` (OWASP
  "CSV injection"); numbers stay numbers, at full precision (shortest round-trip ``repr``).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import IO, Any

# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------


def html_text(x: object) -> str:
    """Any value as HTML text (quotes escaped too, so it is safe inside attribute values)."""
    return html.escape("" if x is None else str(x), quote=True)


def script_json(obj: object) -> str:
    """JSON that is safe inside an HTML ``<script>`` element (no ``</script>``, no ``<!--``).

    ``<``, ``>``, ``&``, U+2028 and U+2029 are written as ``\\uXXXX`` escapes (same JSON value).
    """
    s = json.dumps(obj, ensure_ascii=False, default=str, allow_nan=False)
    return (
        s.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


# ---------------------------------------------------------------------------------------------
# Terminal
# ---------------------------------------------------------------------------------------------

#: Unicode categories never written raw to a terminal: controls (C0, DEL, C1), format characters
#: (bidi overrides, zero-width), surrogates, private use, unassigned, line and paragraph separators.
_NONPRINTABLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def _nonprintable(ch: str) -> bool:
    if " " <= ch <= "~":  # printable ASCII: the common case, no table lookup
        return False
    return unicodedata.category(ch) in _NONPRINTABLE_CATEGORIES


def _visible(ch: str) -> str:
    o = ord(ch)
    if o <= 0xFF:
        return f"\\x{o:02x}"
    if o <= 0xFFFF:
        return f"\\u{o:04x}"
    return f"\\U{o:08x}"


_NOT_PRINTABLE_ASCII = re.compile(r"[^ -~]")  # candidates: anything but printable ASCII
_NOT_PRINTABLE_ASCII_OR_NL = re.compile(r"[^ -~\n]")


def _escape_match(m: re.Match[str]) -> str:
    ch = m.group(0)
    return _visible(ch) if _nonprintable(ch) else ch


def _json_escape_match(m: re.Match[str]) -> str:
    ch = m.group(0)
    return _json_escape(ch) if _nonprintable(ch) else ch


def terminal_text(x: object) -> str:
    """A value as one line of terminal text: every non-printable character shown as an escape.

    ``"w1\\x1b[2J"`` (an ESC that would clear the screen) prints as ``w1\\x1b[2J``; a newline as
    ``\\x0a``, so a delivered name cannot forge a line of output. Backslashes are kept as they are.

    >>> terminal_text("acme\\x1b]0;pwned\\x07 \\u202egnp.exe")
    'acme\\\\x1b]0;pwned\\\\x07 \\\\u202egnp.exe'
    """
    return _NOT_PRINTABLE_ASCII.sub(_escape_match, "" if x is None else str(x))


def terminal_lines(text: object) -> str:
    """Several lines of terminal text: each line escaped by :func:`terminal_text`, newlines kept."""
    return "\n".join(terminal_text(line) for line in ("" if text is None else str(text)).split("\n"))


def _json_escape(ch: str) -> str:
    o = ord(ch)
    if o <= 0xFFFF:
        return f"\\u{o:04x}"
    o -= 0x10000
    return f"\\u{0xD800 + (o >> 10):04x}\\u{0xDC00 + (o & 0x3FF):04x}"


def terminal_json(obj: object, *, indent: int | None = 2) -> str:
    """A JSON document safe to print: the characters :func:`terminal_text` escapes become ``\\u``
    escapes inside their strings (JSON's structure is ASCII, so only strings can hold them), so
    the document parses to the same value."""
    s = json.dumps(obj, indent=indent, ensure_ascii=False, default=str)
    return _NOT_PRINTABLE_ASCII_OR_NL.sub(_json_escape_match, s)


# ---------------------------------------------------------------------------------------------
# Markdown (Streamlit)
# ---------------------------------------------------------------------------------------------

#: the characters that open Markdown syntax anywhere in a line: emphasis and code (* ~ `), links
#: and images ([ ] !), HTML and autolinks (< >), LaTeX ($), tables (|), headings (#), braces, entity
#: references (&), escapes (\\) and e-mail autolinks (@); an underscore that is not inside a word
#: (GFM never reads ``snake_case`` as emphasis); a colon that could start Streamlit's ``:color[...]``
#: directives and ``:icon:`` / ``:material/icon:`` shortcodes or end a URL scheme (followed by a
#: letter, digit, ``/``, ``+``, ``-`` or ``_``)
_MD_ANYWHERE = r"[\\`*~\[\]!<>$|#{}&@]|_(?![A-Za-z0-9])|(?<![A-Za-z0-9])_|:(?=[A-Za-z0-9/+_-])"
_MD_SPECIAL = re.compile(_MD_ANYWHERE)
#: ... and what starts a list, a thematic break or a setext heading at the start of the text
_MD_LINE_START = re.compile(r"\A( {0,3})([-+=]|\d{1,9}[.)])")
#: GFM autolinks are found in the decoded text after parsing (so no escape stops them): a WORD
#: JOINER (U+2060, invisible) before ``://``, after ``www`` and before ``@`` breaks the patterns
_AUTOLINK = re.compile(r"(?=://)|(?i:(?<=www)(?=\.))|(?=@)")
WORD_JOINER = "\u2060"


def _md_reference(m: re.Match[str]) -> str:
    return f"&#{ord(m.group(0))};"


def markdown_text(x: object) -> str:
    """A value shown as its literal text inside Streamlit Markdown (one line).

    Every character that can open Markdown syntax is written as a numeric character reference
    (``!`` as ``&#33;``), which CommonMark always renders as that character and never as syntax.
    Other punctuation (``( ) . , - /`` mid-text, ``_`` inside a word, ``:`` before a space) cannot
    start anything once those are written so, and is left as it is. GFM's autolinks (``http://``,
    ``www.``, ``user@host``) are matched on the text after parsing, so no escape stops them: an
    invisible WORD JOINER (U+2060) is put before ``://`` and ``@`` and after ``www``. Non-printables
    are shown as escapes (:func:`terminal_text`), and so are newlines. So
    ``![x](http://host/leak.png)`` renders as those characters: no image is fetched, no link is made.
    (Not for use inside a code span, where references are not decoded: show code with ``st.code``.)

    >>> markdown_text("![x](http://h/a.png)")
    '&#33;&#91;x&#93;(http\u2060&#58;//h/a.png)'
    >>> markdown_text("- see www.example.com, mail a@b.org")
    '&#45; see www\u2060.example.com, mail a\u2060&#64;b.org'
    """
    out = _MD_SPECIAL.sub(_md_reference, _AUTOLINK.sub(WORD_JOINER, terminal_text(x)))
    m = _MD_LINE_START.match(out)
    if m:
        marker = m.group(2)
        out = m.group(1) + marker[:-1] + f"&#{ord(marker[-1])};" + out[m.end() :]
    return out


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------

#: a text cell starting with one of these is read as a formula by spreadsheets (OWASP CSV
#: injection: = + - @ tab CR), also in their full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\Z")


def csv_cell(value: object) -> str:
    """One CSV cell as text: numbers at full precision, text neutralised against formulas.

    - None, NaN -> empty; bool -> ``true`` / ``false``; int -> its digits; float -> ``repr``
      (the shortest text that reads back as the same double); infinities -> ``inf`` / ``-inf``;
      dates and timestamps -> ISO 8601; lists and dicts -> compact JSON (then neutralised as text).
    - A text that starts with ``=``, ``+``, ``-``, ``@``, tab or CR (or a full-width ``＝ ＋ － ＠``)
      gets a leading ``'``, so a spreadsheet shows it as text instead of evaluating it — unless it is
      a plain number (``-1``, ``+2.5e3``), which a spreadsheet reads as that number and nothing else.

    >>> [csv_cell(v) for v in (0.1 + 0.2, -3, None, "=HYPERLINK(\\"http://x\\")", "-1.5", "@SUM(A1)")]
    ['0.30000000000000004', '-3', '', '\\'=HYPERLINK("http://x")', '-1.5', "'@SUM(A1)"]
    """
    if type(value) is str:  # the common case first
        return "'" + value if value.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.match(value) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))  # IntEnum and friends: the number
    if isinstance(value, float):  # numpy.float64 too (a float subclass)
        if math.isnan(value):
            return ""
        return repr(float(value))
    if isinstance(value, Decimal):
        return "" if value.is_nan() else str(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if hasattr(value, "dtype") and hasattr(value, "item"):  # numpy / pandas scalars
        item = value.item()
        if item is not value:
            return csv_cell(item)
    if _isna(value):
        return ""
    if hasattr(value, "isoformat"):  # pandas.Timestamp and friends
        return str(value.isoformat())
    if isinstance(value, (list, tuple, dict)):
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = str(value)
    if text.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def _isna(value: object) -> bool:
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # list-likes: not a missing scalar
        return False


def write_csv(
    out: IO[str], columns: Sequence[str], rows: Iterable[Mapping[str, Any] | Sequence[Any]], *, header: bool = True
) -> None:
    """Write ``rows`` (mappings by column name, or sequences in column order) as CSV to ``out``.

    The header is written even when there are no rows; every cell, header names included, goes
    through :func:`csv_cell`. Quoting is minimal (RFC 4180), line ends ``\\r\\n``.
    """
    w = csv.writer(out, lineterminator="\r\n")
    if header:
        w.writerow([csv_cell(c) for c in columns])
    for r in rows:
        if isinstance(r, Mapping):
            w.writerow([csv_cell(r.get(c)) for c in columns])
        else:
            w.writerow([csv_cell(v) for v in r])


def csv_bytes(columns: Sequence[str], rows: Iterable[Mapping[str, Any] | Sequence[Any]]) -> bytes:
    """:func:`write_csv` into UTF-8 bytes (a download button's payload)."""
    buf = io.StringIO()
    write_csv(buf, columns, rows)
    return buf.getvalue().encode("utf-8")


def dataframe_csv(df: Any) -> bytes:
    """A pandas DataFrame as CSV bytes through :func:`write_csv` (index left out)."""
    columns = [str(c) for c in df.columns]
    return csv_bytes(columns, df.itertuples(index=False, name=None))
