"""Errors with a title, a message and a hint, and the CLI's exit codes.

Library code raises :class:`QualitylabError` subclasses; the CLI turns them into a message on
stderr and the matching exit code at one place (``qualitylab.cli.main``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class ExitCode(IntEnum):
    """Documented process exit codes (README, "Exit codes")."""

    OK = 0
    INTERNAL = 1  # a bug: please report it
    USAGE = 2  # bad command line (argparse uses 2 as well)
    INVALID_INPUT = 3  # a delivered file was refused; nothing was stored
    CONFLICT = 4  # the batch exists with other data: use --replace or --append
    NOT_FOUND = 5  # no such batch, file or store
    STORE = 6  # the store could not be opened or written (locked, newer schema, ...)
    JUDGE = 7  # the judge endpoint failed beyond retries
    # acceptance gate verdicts (qualitylab check)
    REVIEW = 10
    REJECT = 11
    INSUFFICIENT_EVIDENCE = 12


class QualitylabError(Exception):
    """Base error: ``title`` (short), ``message`` (what happened), ``hint`` (how to fix it)."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, title: str, message: str = "", hint: str = ""):
        super().__init__(f"{title}: {message}" if message else title)
        self.title = title
        self.message = message
        self.hint = hint


class UsageError(QualitylabError):
    exit_code = ExitCode.USAGE


class NotFoundError(QualitylabError):
    exit_code = ExitCode.NOT_FOUND


class ConflictError(QualitylabError):
    exit_code = ExitCode.CONFLICT


class StoreError(QualitylabError):
    exit_code = ExitCode.STORE


@dataclass(frozen=True)
class RowProblem:
    """One problem in one delivered row: where it is and why it is refused."""

    line: int | None  # 1-based line (row for Parquet); None = the whole file
    column: str | None  # the canonical column, or None for a syntax error of the row
    reason: str
    char: int | None = None  # 1-based character column for syntax errors, when known
    raw: str | None = None  # the offending row as delivered (kept in quarantine), when known

    def format(self, file_name: str, unit: str = "line") -> str:
        where = file_name
        if self.line is not None:
            where += f":{self.line}" if unit == "line" else f": {unit} {self.line}"
            if self.char is not None:
                where += f":{self.char}"
        col = f" column '{self.column}':" if self.column else ""
        return f"{where}:{col} {self.reason}"


@dataclass
class InvalidInputError(QualitylabError):
    """A delivered file was refused; ``problems`` lists every bad row."""

    file_name: str
    problems: list[RowProblem] = field(default_factory=list)
    unit: str = "line"
    n_bad_rows: int = 0
    summary: str = ""  # what was wrong, in place of "N invalid row(s)" (e.g. "no row could be read: ...")
    whole_file: bool = False  # the file as a whole cannot be read: --quarantine cannot help
    fix: str = ""  # the hint, in place of the default one (e.g. "name the kind with --kind ...")

    exit_code = ExitCode.INVALID_INPUT

    def __post_init__(self) -> None:
        n = self.n_bad_rows or len({p.line for p in self.problems if p.line is not None})
        what = self.summary or (
            f"{n} invalid row(s)" if n and not self.whole_file else "; ".join(p.reason for p in self.problems)
        )
        QualitylabError.__init__(
            self,
            "Refused",
            f"{self.file_name}: {what}; nothing was stored",
            self.fix
            or (
                "fix the file (or ask the vendor for a readable one) and ingest it again; --quarantine cannot "
                "help, it keeps invalid rows of a file that can be read"
                if self.whole_file
                else "fix the rows listed above, or ingest with --quarantine to store the valid rows "
                "and keep the invalid ones with their reasons"
            ),
        )

    def lines(self) -> list[str]:
        return [p.format(self.file_name, self.unit) for p in self.problems]
