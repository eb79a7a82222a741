"""The evidence pack: self-contained, every delivered text escaped, CSVs round-trip the same tables.

Hostile payloads go into prompts, responses, annotator ids, the batch name and the vendor. The page
is parsed with html.parser and checked structurally: only the pack's own elements and attributes
exist, and each payload comes back as text.
"""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser

import pytest
from gates_helpers import batch_rows, ingest_batch

from qualitylab.cli import main

PAYLOADS = {
    "prompt": "<script>alert(1)</script><!-- x",
    "response_a": '</td></table><img src=x onerror="alert(2)">',
    "response_b": "</script><svg onload=alert(3)>&amp;",
}
EVIL_ANNOTATOR = "<b onmouseover=alert(4)>h4</b>"
EVIL_BATCH = "w1</title><script>alert(5)</script>"
EVIL_VENDOR = 'acme"><iframe src=//evil.example>'
EVIL_FILE = "<img src=x onerror=alert(6)>.jsonl"
#: the only elements the pack itself writes
ALLOWED_TAGS = {
    "html",
    "ol",  # the first screen's strongest reasons
    "details",  # the screening table's "Every column" block
    "summary",
    "head",
    "meta",
    "title",
    "style",
    "script",
    "body",
    "h1",
    "h2",
    "h3",
    "p",
    "b",
    "nav",
    "a",
    "span",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "div",
    "ul",
    "li",
    "code",
}
ALLOWED_ATTRS = {"charset", "name", "content", "http-equiv", "lang", "nonce", "type", "id", "class", "href"}


class Structure(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self._in_script: dict | None = None
        self.depth: dict[str, int] = {}

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        if tag == "script":
            self._in_script = dict(attrs)
            self._script_data = []
        if tag not in ("meta",):
            self.depth[tag] = self.depth.get(tag, 0) + 1

    def handle_endtag(self, tag):
        if tag == "script" and self._in_script is not None:
            self.scripts.append((self._in_script, "".join(self._script_data)))
            self._in_script = None
        self.depth[tag] = self.depth.get(tag, 0) - 1

    def handle_data(self, data):
        if self._in_script is not None:
            self._script_data.append(data)
        else:
            self.text.append(data)


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("evidence")
    db = tmp / "store.duckdb"
    rows = batch_rows(
        "x",
        n_comparisons=100,
        seed=5,
        annotators=("h1", "h2", "h3", EVIL_ANNOTATOR),
        first_clicker=EVIL_ANNOTATOR,
        **PAYLOADS,
    )
    rows += [dict(rows[0])]  # an exact duplicate row: hygiene finds it
    ingest_batch(tmp, db, EVIL_BATCH, rows, vendor=EVIL_VENDOR, file_name=EVIL_FILE)
    html_path, csv_dir = tmp / "pack.html", tmp / "csv"
    rc = main(
        [
            "report",
            "--batch",
            EVIL_BATCH,
            "--db",
            str(db),
            "--html",
            str(html_path),
            "--evidence",
            str(csv_dir),
            "--n-boot",
            "100",
        ]
    )
    assert rc == 0
    return html_path, csv_dir


def parse(path) -> Structure:
    s = Structure()
    s.feed(path.read_text(encoding="utf-8"))
    s.close()
    return s


def test_no_injected_elements_or_attributes(pack):
    s = parse(pack[0])
    tags = {t for t, _ in s.tags}
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    attrs = {a for _, attrs in s.tags for a, _ in attrs}
    assert attrs <= ALLOWED_ATTRS, attrs - ALLOWED_ATTRS
    assert not any(a.startswith("on") for a in attrs)
    for _tag, attrs in s.tags:
        for a, v in attrs:
            if a == "href":
                assert v.startswith("#"), v  # only links within the page
    # every element the pack opens is closed: broken markup in a cell did not close the table early
    assert all(n == 0 for t, n in s.depth.items() if t not in ("meta",)), s.depth


def test_scripts_are_only_the_packs_own(pack):
    s = parse(pack[0])
    kinds = [(a.get("type"), "nonce" in a) for a, _ in s.scripts]
    assert kinds == [(None, True), ("application/json", False), ("application/json", False), (None, True)]
    nonces = {a["nonce"] for a, _ in s.scripts if "nonce" in a}
    assert len(nonces) == 1 and re.fullmatch(r"[0-9a-f]{32}", nonces.pop())
    csp = next(dict(a)["content"] for t, a in s.tags if t == "meta" and dict(a).get("http-equiv"))
    assert "default-src 'none'" in csp and "script-src 'nonce-" in csp and "http" not in csp


def test_inline_json_is_safe_and_round_trips(pack):
    s = parse(pack[0])
    blocks = {a.get("id"): body for a, body in s.scripts if a.get("type") == "application/json"}
    for body in blocks.values():
        assert "</" not in body and "<!--" not in body and "<" not in body
    report = json.loads(blocks["ql-report"])
    assert report["batch"]["batch_id"] == EVIL_BATCH and report["batch"]["vendor"] == EVIL_VENDOR
    figures = json.loads(blocks["ql-figures"])
    assert {f["div"] for f in figures} >= {"fig-criteria", "fig-position_bias", "fig-labels"}
    # delivered text in a chart is HTML-escaped for plotly, which renders a subset of HTML in labels
    funnel = next(f for f in figures if f["div"] == "fig-position_bias")
    labels = [t for tr in funnel["figure"]["data"] for t in (tr.get("text") or [])]
    assert "&lt;b onmouseover=alert(4)&gt;h4&lt;/b&gt;" in labels


def test_payloads_come_back_as_text(pack):
    text = "".join(parse(pack[0]).text)
    for payload in (*PAYLOADS.values(), EVIL_ANNOTATOR, EVIL_BATCH, EVIL_VENDOR, EVIL_FILE):
        assert payload in text, payload


def test_self_contained(pack):
    page = pack[0].read_text(encoding="utf-8")
    s = parse(pack[0])
    assert not any(t in ("link", "img", "iframe", "object", "embed") for t, _ in s.tags)
    assert not any(a in ("src",) for _, attrs in s.tags for a, _ in attrs)
    assert page.count("Plotly.newPlot") == 1
    # plotly.js is inlined exactly once, in the first (nonce) script
    first = s.scripts[0][1]
    assert len(first) > 1_000_000 and "plotly.js" in first[:2000].lower()
    assert sum(len(b) > 1_000_000 for _, b in s.scripts) == 1


def test_the_pack_names_the_problems_with_rows(pack):
    text = "".join(parse(pack[0]).text)
    assert "REVIEW" in text and "position_bias_annotators" in text
    assert f"Annotator {EVIL_ANNOTATOR} flagged — position_bias: p_first" in text
    assert "Exact duplicate rows: 1 offending row(s)" in text
    assert "Example rows of the flagged annotators" in text


def test_csv_tables_hold_the_same_rows(pack):
    csv_dir = pack[1]
    names = {p.stem for p in csv_dir.glob("*.csv")}
    assert {
        "criteria",
        "flagged_annotators",
        "annotator_examples",
        "hygiene_duplicate_rows",
        "hygiene_examples",
        "annotators",
        "position_bias_by_annotator",
        "trends",
        "provenance",
    } <= names
    with open(csv_dir / "annotator_examples.csv", newline="", encoding="utf-8") as f:
        ex = list(csv.DictReader(f))
    assert len(ex) == 10 and {r["annotator_id"] for r in ex} == {EVIL_ANNOTATOR}
    assert ex[0]["prompt"] == PAYLOADS["prompt"] and ex[0]["response_a"] == PAYLOADS["response_a"]
    assert all(r["file_name"] == EVIL_FILE and int(r["source_line"]) >= 1 for r in ex)
    with open(csv_dir / "criteria.csv", newline="", encoding="utf-8") as f:
        crit = {r["id"]: r for r in csv.DictReader(f)}
    assert crit["position_bias_annotators"]["outcome"] == "REVIEW"
    with open(csv_dir / "hygiene_examples.csv", newline="", encoding="utf-8") as f:
        dup = [r for r in csv.DictReader(f) if r["check"] == "duplicate_rows"]
    assert dup and dup[0]["comparison_id"] == "x-c0"
