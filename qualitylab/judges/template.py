"""Judge prompt templates: the shipped defaults (``prompts/``) or a user's file.

A template is a text file. An optional ``[system]`` line starts the system message and a ``[user]``
line starts the user message; without them the whole file is the user message. Fields are
``${name}`` (Python ``string.Template``; ``$$`` is a literal dollar sign), from a fixed list per mode
(:data:`FIELDS`); a template naming any other field is refused with its name:

- pairwise: ``${question}``, ``${answer_a}`` (the response shown first), ``${answer_b}``
- single:   ``${question}``, ``${answer}``, ``${aspect}``, ``${scale_low}``, ``${scale_high}``
- both:     ``${reference_answer}`` (the row's ``reference_answer`` column), ``${rubric}`` (the text of
  ``--rubric FILE``), ``${criteria}`` (``--criteria TEXT``; else the rubric's first line, as
  Prometheus 2 derives a relative grader's criteria from an absolute rubric)

Lines may be kept only when a field has a value: a line ``[if FIELD]`` starts such a block, an
optional ``[else]`` line starts its alternative and ``[end]`` closes it (no nesting). A field used
outside such a block must have a value for every item (``reference_answer``) or be given
(``--rubric`` / ``--criteria``); a ``--rubric`` or ``--criteria`` the template does not use is refused.

The template's identity is the SHA-256 of the file's bytes; a judge's prompt identity
(:attr:`Template.prompt_sha256`) adds the rubric's and the criteria's SHA-256 when given.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from ..errors import NotFoundError, UsageError

PROMPTS_DIR = Path(__file__).parent / "prompts"


@dataclass(frozen=True)
class Builtin:
    file: str
    mode: str  # pairwise | single
    scale: tuple[float, float] | None = None  # single mode: the scale the prompt states (None: --scale)


BUILTIN: dict[str, Builtin] = {
    "pairwise": Builtin("pairwise.txt", "pairwise"),
    "pairwise-5way": Builtin("pairwise_5way.txt", "pairwise"),
    "single": Builtin("single.txt", "single"),
    # Prometheus 2 (Kim et al. 2024), prometheus-eval's published templates; see prompts/PROMETHEUS_NOTICE.txt
    "prometheus-absolute": Builtin("prometheus_absolute.txt", "single", (1, 5)),
    "prometheus-relative": Builtin("prometheus_relative.txt", "pairwise"),
}
REQUIRED = {"pairwise": ("question", "answer_a", "answer_b"), "single": ("question", "answer")}
SHARED_FIELDS = ("reference_answer", "rubric", "criteria")
FIELDS: dict[str, tuple[str, ...]] = {
    "pairwise": ("question", "answer_a", "answer_b", *SHARED_FIELDS),
    "single": ("question", "answer", "aspect", "scale_low", "scale_high", *SHARED_FIELDS),
}
_BLOCK = re.compile(r"^\[(if\s+(?P<field>[A-Za-z_][A-Za-z0-9_]*)|else|end)\]$", re.I)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _fields(text: str) -> list[str]:
    return [
        m.group("named") or m.group("braced")
        for m in string.Template.pattern.finditer(text)
        if m.group("named") or m.group("braced")
    ]


@dataclass(frozen=True)
class Line:
    text: str  # with its line ending
    when: str | None = None  # keep only when this field has a value ...
    negate: bool = False  # ... or, in an [else] part, when it has none


@dataclass(frozen=True)
class Template:
    name: str  # builtin name or the file's path
    text: str
    sha256: str
    builtin: bool
    rubric: str | None = None  # --rubric FILE's text
    criteria: str | None = None  # the criteria as sent (--criteria, else the rubric's first line)

    # ---- structure ------------------------------------------------------------------------------
    def _lines(self) -> tuple[Line, ...]:
        return _parse_lines(self.name, self.text)

    def fields(self) -> set[str]:
        return set(_fields(self.text))

    def unconditional_fields(self) -> set[str]:
        """Fields used outside any ``[if ...]`` block (they need a value every time)."""
        return {f for ln in self._lines() if ln.when is None for f in _fields(ln.text)}

    @property
    def requires_reference(self) -> bool:
        return "reference_answer" in self.unconditional_fields()

    def check(self, mode: str) -> None:
        if mode not in FIELDS:
            raise UsageError("Unknown judge mode", repr(mode), "use pairwise or single")
        self._lines()  # block structure
        unknown = sorted(self.fields() - set(FIELDS[mode]), key=self.text.find)
        if unknown:
            raise UsageError(
                "Prompt template names an unknown field",
                f"{self.name}: {', '.join('${' + f + '}' for f in unknown)}",
                f"a {mode} template's fields are {', '.join('${' + f + '}' for f in FIELDS[mode])} "
                "(write $$ for a literal dollar sign; see docs/judges.md)",
            )
        missing = [f for f in REQUIRED[mode] if f not in self.fields()]
        if missing:
            raise UsageError(
                "Prompt template lacks fields",
                f"{self.name}: no {', '.join('${' + f + '}' for f in missing)}",
                f"a {mode} template needs {', '.join('${' + f + '}' for f in REQUIRED[mode])}",
            )

    # ---- the values given once per run ---------------------------------------------------------
    def with_fields(self, rubric: str | None = None, criteria: str | None = None) -> Template:
        """The template with ``--rubric`` / ``--criteria`` bound; refuses what it would not use or lacks."""
        used = self.fields()
        always = self.unconditional_fields()
        if rubric is not None and not rubric.strip():
            raise UsageError("Empty rubric", f"{self.name}: the --rubric file holds no text", "give a rubric")
        if criteria is not None and not criteria.strip():
            raise UsageError("Empty --criteria", f"{self.name}: --criteria is empty", "give the criteria's text")
        if rubric is not None and not used & {"rubric", "criteria"}:
            raise UsageError(
                "--rubric is not used by the prompt",
                f"{self.name} names neither ${{rubric}} nor ${{criteria}}: the rubric would not be sent",
                "use a prompt that does (e.g. prometheus-absolute, prometheus-relative) or drop --rubric",
            )
        if criteria is not None and "criteria" not in used:
            raise UsageError(
                "--criteria is not used by the prompt",
                f"{self.name} names no ${{criteria}}: the criteria would not be sent",
                "use a prompt that does (e.g. prometheus-relative) or drop --criteria",
            )
        if "rubric" in always and rubric is None:
            raise UsageError(
                "The prompt needs a rubric",
                f"{self.name} uses ${{rubric}}",
                "give --rubric FILE (a score rubric: the criteria, then a description per score)",
            )
        if "criteria" in used and criteria is None and rubric is not None:
            criteria = next(ln.strip() for ln in rubric.splitlines() if ln.strip())
        if "criteria" in always and criteria is None:
            raise UsageError(
                "The prompt needs criteria",
                f"{self.name} uses ${{criteria}}",
                "give --criteria TEXT, or --rubric FILE (its first line is the criteria)",
            )
        return replace(
            self,
            rubric=rubric if "rubric" in used else None,
            criteria=criteria if "criteria" in used else None,
        )

    @property
    def rubric_sha256(self) -> str | None:
        return _sha(self.rubric) if self.rubric is not None else None

    @property
    def criteria_sha256(self) -> str | None:
        return _sha(self.criteria) if self.criteria is not None else None

    @property
    def prompt_sha256(self) -> str:
        """What identifies the judge's instructions: the template's SHA-256, or with a rubric or
        criteria the SHA-256 of the JSON ``{"template", "rubric", "criteria"}`` of their SHA-256s."""
        if self.rubric is None and self.criteria is None:
            return self.sha256
        parts = {"template": self.sha256, "rubric": self.rubric_sha256, "criteria": self.criteria_sha256}
        return _sha(json.dumps(parts, sort_keys=True))

    # ---- rendering ------------------------------------------------------------------------------
    def parts_for(self, values: Mapping[str, str | None]) -> tuple[str | None, str]:
        """(system, user) message templates, with the ``[if FIELD]`` blocks resolved for ``values``."""
        system: list[str] | None = None
        user: list[str] = []
        target = user
        for ln in self._lines():
            if ln.when is not None and bool(values.get(ln.when)) == ln.negate:
                continue
            tag = ln.text.strip().lower()
            if tag == "[system]":
                system = []
                target = system
            elif tag == "[user]":
                user = []
                target = user
            else:
                target.append(ln.text)
        return ("".join(system).strip() if system is not None else None), "".join(user).strip()

    @property
    def parts(self) -> tuple[str | None, str]:
        """(system, user) message templates (every ``[if FIELD]`` block as when the field has a value)."""
        return self.parts_for({f: "x" for f in self.fields()})

    def messages(self, **values: str | None) -> list[dict[str, str]]:
        """The chat messages with the fields filled in (values are never re-interpreted)."""
        values = {"rubric": self.rubric, "criteria": self.criteria, **values}
        present = {k: v for k, v in values.items() if v is not None}
        system, user = self.parts_for(present)
        out = []
        if system:
            out.append({"role": "system", "content": string.Template(system).safe_substitute(present)})
        out.append({"role": "user", "content": string.Template(user).safe_substitute(present)})
        return out


@lru_cache(maxsize=32)
def _parse_lines(name: str, text: str) -> tuple[Line, ...]:
    out: list[Line] = []
    when: str | None = None
    negate = False
    opened = 0
    for no, raw in enumerate(text.splitlines(keepends=True), 1):
        m = _BLOCK.match(raw.strip())
        if not m:
            out.append(Line(raw, when, negate))
            continue
        word = raw.strip()[1:-1].split()[0].lower()
        if word == "if":
            if when is not None:
                raise UsageError(
                    "Prompt template: nested [if]", f"{name}: line {no}", f"close the [if] of line {opened} first"
                )
            when, negate, opened = m.group("field"), False, no
        elif word == "else":
            if when is None or negate:
                raise UsageError("Prompt template: [else] without [if]", f"{name}: line {no}", "start with [if FIELD]")
            negate = True
        else:
            if when is None:
                raise UsageError("Prompt template: [end] without [if]", f"{name}: line {no}", "start with [if FIELD]")
            when, negate = None, False
    if when is not None:
        raise UsageError("Prompt template: [if] not closed", f"{name}: line {opened}", "add an [end] line")
    return tuple(out)


def load_template(spec: str | None, mode: str) -> Template:
    """A builtin template by name (see :data:`BUILTIN`), or a file's path."""
    if mode not in REQUIRED:
        raise UsageError("Unknown judge mode", repr(mode), "use pairwise or single")
    spec = spec or mode
    if spec in BUILTIN:
        b = BUILTIN[spec]
        if b.mode != mode:
            raise UsageError(
                f"The prompt {spec} is for {b.mode} grading",
                f"it was asked for {mode} verdicts",
                "add --single" if b.mode == "single" else "drop --single",
            )
        path, builtin = PROMPTS_DIR / b.file, True
    else:
        path, builtin = Path(spec), False
        if not path.is_file():
            raise NotFoundError("No such prompt file", spec, f"give a file, or a builtin name: {', '.join(BUILTIN)}")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UsageError("Prompt file is not UTF-8", f"{path}: {e.reason}", "save it as UTF-8") from None
    t = Template(spec, text, hashlib.sha256(data).hexdigest(), builtin)
    t.check(mode)
    return t


def read_rubric(path: str) -> str:
    """The text of a ``--rubric`` file (UTF-8), with a clear error naming the file."""
    p = Path(path)
    if not p.is_file():
        raise NotFoundError("No such rubric file", path, "give a text file with the score rubric")
    try:
        return p.read_bytes().decode("utf-8").strip()
    except UnicodeDecodeError as e:
        raise UsageError("Rubric file is not UTF-8", f"{path}: {e.reason}", "save it as UTF-8") from None
