"""Verdict parsing: the strict formats, their mapping, and what is refused (never guessed)."""

import pytest

from qualitylab.judges.parse import parse_pairwise, parse_score, to_original
from qualitylab.judges.template import BUILTIN, load_template


@pytest.mark.parametrize(
    "text, pref, strength",
    [
        ("Explanation... [[A]]", "A", None),
        ("[[B]]", "B", None),
        ("It is a tie.\n[[C]]", "tie", None),
        ("[[A>>B]]", "A", 3),
        ("[[A>B]]", "A", 1),
        ("[[A=B]]", "tie", None),
        ("[[B>A]]", "B", 1),
        ("[[B>>A]]", "B", 3),
        ("[[ B >> A ]]", "B", 3),
        ("I pick [[A]]. Final verdict: [[A]]", "A", None),  # the same verdict twice is one verdict
    ],
)
def test_pairwise_tokens(text, pref, strength):
    p = parse_pairwise(text)
    assert p.ok and (p.preference, p.strength) == (pref, strength)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("", "empty output"),
        (None, "empty output"),
        ("Assistant A is better.", "no verdict token"),
        ("[A]", "no verdict token"),
        ("[[D]]", "no verdict token"),
        ("[[a]]", "no verdict token"),
        ("[[A]] ... actually [[B]]", "conflicting verdict tokens"),
        ("[[A>B]] [[A]]", "conflicting verdict tokens"),
    ],
)
def test_pairwise_refused(text, problem):
    p = parse_pairwise(text)
    assert not p.ok and p.preference is None and p.problem.startswith(problem)


def test_swap_mapping():
    assert [to_original(p, "A") for p in ("A", "B", "tie")] == ["A", "B", "tie"]
    assert [to_original(p, "B") for p in ("A", "B", "tie")] == ["B", "A", "tie"]
    with pytest.raises(ValueError, match="shown_first"):
        to_original("A", "-")


@pytest.mark.parametrize(
    "text, score", [("Rating: [[7]]", 7.0), ("[RESULT] 4", 4.0), ("[[8.5]]", 8.5), ("Feedback ... [RESULT] (3)", 3.0)]
)
def test_scores(text, score):
    assert parse_score(text, 1, 10).score == score


@pytest.mark.parametrize(
    "text, problem",
    [
        ("Rating: 7", "no score token"),
        ("[[11]]", "outside the scale"),
        ("[[3]] then [[4]]", "conflicting scores"),
        ("", "empty output"),
    ],
)
def test_scores_refused(text, problem):
    p = parse_score(text, 1, 10)
    assert not p.ok and p.score is None and problem in p.problem


def test_shipped_templates_load_and_render():
    for name, spec in BUILTIN.items():
        t = load_template(name, spec.mode)
        if "rubric" in t.fields() or "criteria" in t.fields():
            t = t.with_fields(rubric="[Is it helpful?]\nScore 1: no\nScore 5: yes")
        msgs = t.messages(
            question="Q $5 ${x}",
            answer_a="first",
            answer_b="second",
            answer="one",
            aspect="helpfulness",
            scale_low="1",
            scale_high="10",
        )
        assert msgs[0]["role"] == "system" and msgs[1]["role"] == "user" and "Q $5 ${x}" in msgs[1]["content"]
        assert "${" not in msgs[0]["content"]
        assert len(t.sha256) == 64


def test_a_template_without_the_fields_is_refused(tmp_path):
    from qualitylab.errors import UsageError

    p = tmp_path / "t.txt"
    p.write_text("Compare ${answer_a} with something")
    with pytest.raises(UsageError, match="lacks fields"):
        load_template(str(p), "pairwise")
