"""Adapters: small mappings from public preference-data formats onto the canonical rows.

Each adapter is a generator of records ``(number, row dict | None, RowProblem | None)`` with the
canonical column names (``qualitylab.schema``); ingest does the rest (validation, storage). A row
that cannot be mapped honestly (e.g. a judge output that could not be parsed upstream) is yielded
as a :class:`RowProblem`, never guessed: ingest refuses it, or quarantines it with ``--quarantine``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..delivered import Delivered
from ..readers import Record


@dataclass(frozen=True)
class Adapter:
    name: str
    kind: str  # the canonical kind it produces
    unit: str  # what a problem's number counts: line | record | row
    read: Callable[[Delivered], Iterator[Record]]
    doc: str
    labels: tuple[str, ...] | None = None  # the preference labels the format's protocol offers (qualitylab/scales.py)
    scale: tuple[str, ...] = ()  # the score ranges the format's protocol offers, as --scale texts ("helpfulness=0-4")


ADAPTERS: dict[str, Adapter] = {}


def register(adapter: Adapter) -> Adapter:
    ADAPTERS[adapter.name] = adapter
    return adapter


def _load_all() -> None:
    """Import every adapter module so it registers itself (one module per public format)."""
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


_load_all()
