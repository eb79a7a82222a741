"""One item in full: the prompt and both responses, every verdict, the consensus, the judges'
verdicts in both orders, the ratings and rankings linked by prompt and model, and where each row
came from (file and line). Each part is one named query under ``queries/items/``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import NotFoundError
from ..store import Store


@dataclass(frozen=True)
class Item:
    batch_id: str
    comparison_id: str
    texts: dict[str, Any]  # prompt, response_a, response_b, prompt_id, model_a, model_b, category, n_texts
    consensus: dict[str, Any]  # n_human, n_a, n_b, n_tie, majority (None = contested), gold
    verdicts: list[dict[str, Any]] = field(default_factory=list)  # humans' and judges', with file and line
    ratings: list[dict[str, Any]] = field(default_factory=list)
    rankings: list[dict[str, Any]] = field(default_factory=list)
    adjudications: list[dict[str, Any]] = field(default_factory=list)

    @property
    def human_verdicts(self) -> list[dict[str, Any]]:
        return [v for v in self.verdicts if v["annotator_kind"] == "human"]

    @property
    def judge_verdicts(self) -> list[dict[str, Any]]:
        """The judges' verdicts, each with the order it was shown in (``shown_first``)."""
        return [v for v in self.verdicts if v["annotator_kind"] == "judge"]

    @property
    def provenance(self) -> list[dict[str, Any]]:
        """(file_name, lines) of the item's verdicts, per file."""
        by: dict[str, list[int]] = {}
        for v in self.verdicts:
            by.setdefault(v["file_name"], []).append(int(v["source_line"]))
        return [{"file_name": f, "lines": sorted(ls)} for f, ls in by.items()]

    def to_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "comparison_id": self.comparison_id,
            "texts": self.texts,
            "consensus": self.consensus,
            "verdicts": self.human_verdicts,
            "judge_verdicts": self.judge_verdicts,
            "ratings": self.ratings,
            "rankings": self.rankings,
            "adjudications": self.adjudications,
            "provenance": self.provenance,
        }


def item(store: Store, batch_id: str, comparison_id: str) -> Item:
    """Comparison ``comparison_id`` of ``batch_id`` in full; :class:`NotFoundError` when absent."""
    store.require_batch(batch_id)
    p = {"batch_id": batch_id, "comparison_id": comparison_id}
    texts = store.one("items/item_texts", p)
    if texts is None:
        raise NotFoundError(
            "No such comparison",
            f"{comparison_id!r} is not a comparison of batch {batch_id!r}",
            "list the batch's items with `qualitylab items --batch NAME --filter split`",
        )
    consensus = store.first("items/item_consensus", p)
    models = [m for m in (texts["model_a"], texts["model_b"]) if m is not None]
    linked = {"batch_id": batch_id, "prompt_id": texts["prompt_id"], "models": models}
    ratings = store.rows("items/item_ratings", linked) if texts["prompt_id"] is not None and models else []
    rankings = store.rows("items/item_rankings", linked) if texts["prompt_id"] is not None and models else []
    return Item(
        batch_id,
        comparison_id,
        texts,
        consensus,
        store.rows("items/item_verdicts", p),
        ratings,
        rankings,
        adjudications(store, batch_id, comparison_id),
    )


def adjudications(store: Store, batch_id: str, comparison_id: str) -> list[dict[str, Any]]:
    """The item's adjudications, oldest first, each with ``current`` (recorded on its present texts)."""
    from ..adjudicated import of_item

    return of_item(store, batch_id, comparison_id)
