"""Judge prompt templates: the shipped defaults (``prompts/``) or a user's file.

A template is a text file. An optional ``[system]`` line starts the system message and a ``[user]``
line starts the user message; without them the whole file is the user message. Fields are
``${name}`` (Python ``string.Template``; other ``$`` signs are left alone):

- pairwise: ``${question}``, ``${answer_a}`` (the response shown first), ``${answer_b}``
- single:   ``${question}``, ``${answer}``, ``${aspect}``, ``${scale_low}``, ``${scale_high}``

The template's identity in the cache is the SHA-256 of the file's bytes.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass
from pathlib import Path

from ..errors import NotFoundError, UsageError

PROMPTS_DIR = Path(__file__).parent / "prompts"
BUILTIN = {"pairwise": "pairwise.txt", "pairwise-5way": "pairwise_5way.txt", "single": "single.txt"}
REQUIRED = {"pairwise": ("question", "answer_a", "answer_b"), "single": ("question", "answer")}


@dataclass(frozen=True)
class Template:
    name: str  # builtin name or the file's path
    text: str
    sha256: str
    builtin: bool

    @property
    def parts(self) -> tuple[str | None, str]:
        """(system, user) message templates."""
        lines = self.text.splitlines(keepends=True)
        system: list[str] | None = None
        user: list[str] = []
        target = user
        for line in lines:
            tag = line.strip().lower()
            if tag == "[system]":
                system = []
                target = system
            elif tag == "[user]":
                user = []
                target = user
            else:
                target.append(line)
        return ("".join(system).strip() if system is not None else None), "".join(user).strip()

    def fields(self) -> set[str]:
        return {
            m.group("named") or m.group("braced")
            for m in string.Template.pattern.finditer(self.text)
            if m.group("named") or m.group("braced")
        }

    def check(self, mode: str) -> None:
        missing = [f for f in REQUIRED[mode] if f not in self.fields()]
        if missing:
            raise UsageError(
                "Prompt template lacks fields",
                f"{self.name}: no {', '.join('${' + f + '}' for f in missing)}",
                f"a {mode} template needs {', '.join('${' + f + '}' for f in REQUIRED[mode])}",
            )

    def messages(self, **values: str) -> list[dict[str, str]]:
        """The chat messages with the fields filled in (values are never re-interpreted)."""
        system, user = self.parts
        out = []
        if system:
            out.append({"role": "system", "content": string.Template(system).safe_substitute(values)})
        out.append({"role": "user", "content": string.Template(user).safe_substitute(values)})
        return out


def load_template(spec: str | None, mode: str) -> Template:
    """A builtin template by name (``pairwise``, ``pairwise-5way``, ``single``), or a file's path."""
    if mode not in REQUIRED:
        raise UsageError("Unknown judge mode", repr(mode), "use pairwise or single")
    spec = spec or mode
    if spec in BUILTIN:
        path, builtin = PROMPTS_DIR / BUILTIN[spec], True
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
