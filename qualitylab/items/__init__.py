"""Items: from a flag, criterion or hygiene row to the comparisons and texts behind it (issue 17).

``filters`` holds one function per filter (:data:`filters.FILTERS`) and the dispatcher
:func:`filters.items`; ``detail`` one item in full. The CLI (``qualitylab items``), the app's Items
page and the evidence pack all read these.
"""

from .detail import Item, item
from .filters import DEFAULT_LIMIT, FILTERS, ItemPage, check_filter, items, parse_filter

__all__ = ["DEFAULT_LIMIT", "FILTERS", "Item", "ItemPage", "check_filter", "item", "items", "parse_filter"]
