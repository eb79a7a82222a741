"""One way to write a number for a person: 3 significant digits, the sign kept, counts as integers.

Pages, the Overview banner and the criterion sentences (:mod:`qualitylab.gates.words`) write numbers
with :func:`fmt_number`; CSV downloads keep full precision (they write the values themselves). Rules:

* a missing value (None, NaN, an infinity) is :data:`MISSING` ("—"), never "None" or "nan";
* an integer (``int``, or a count column) is written whole with thousands separators: ``1,204``;
* any other number has 3 significant digits and no trailing zeros: ``0.756``, ``-0.0593``, ``73``,
  ``3.8``; the sign is never lost (``-0.0000312``, not ``-0.000`` or ``0.0000312``);
  numbers of 1,000 and more are rounded to a whole number (``12,346``: no digit of the integer part
  is dropped); below 1e-6 in magnitude, scientific notation (``3.1e-09``);
* exactly zero is ``0``.

>>> fmt_number(-0.00003123), fmt_number(0.7564), fmt_number(73.0), fmt_number(3.8), fmt_number(None)
('-0.0000312', '0.756', '73', '3.8', '—')
>>> fmt_interval(-3.123e-05, -0.05931, 0.05612)
'-0.0000312 [-0.0593, 0.0561]'
"""

from __future__ import annotations

import math
from typing import Any

MISSING = "—"
DIGITS = 3


def _finite(x: Any) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def is_number(x: Any) -> bool:
    """A real number a page should format (not a bool, not text)."""
    return _finite(x) is not None


def fmt_number(x: Any, digits: int = DIGITS, *, integer: bool = False) -> str:
    """``x`` with ``digits`` significant digits (rules in the module docstring); ``integer``: a count."""
    f = _finite(x)
    if f is None:
        return MISSING
    if integer or (isinstance(x, int) and not isinstance(x, bool)):
        return f"{round(f):,}"
    if f == 0:
        return "0"
    a = abs(f)
    if a < 1e-6:
        mantissa, exp = f"{f:.{max(digits - 1, 0)}e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.') if '.' in mantissa else mantissa}e{exp}"
    exponent = math.floor(math.log10(a))
    decimals = digits - 1 - exponent
    # rounding can carry into the next power of ten (0.09996 -> 0.1): recompute from the rounded value
    r = round(f, decimals) if decimals > 0 else float(round(f))
    if r != 0 and math.floor(math.log10(abs(r))) != exponent:
        decimals = max(decimals - 1, 0)
    if decimals <= 0:
        return f"{round(f):,}"
    s = f"{f:,.{decimals}f}".rstrip("0").rstrip(".")
    return s


def fmt_interval(value: Any, low: Any, high: Any, digits: int = DIGITS) -> str:
    """``value [low, high]`` (the interval left out when it is missing); :data:`MISSING` without a value."""
    if _finite(value) is None:
        return MISSING
    s = fmt_number(value, digits)
    if _finite(low) is not None and _finite(high) is not None:
        s += f" [{fmt_number(low, digits)}, {fmt_number(high, digits)}]"
    return s


def fmt_statistic(stat: Any, digits: int = DIGITS) -> str:
    """A statistic (object with ``value``/``ci95_low``/``ci95_high`` or its dict form) as ``value [low, high]``."""
    if stat is None:
        return MISSING
    get = stat.get if isinstance(stat, dict) else (lambda k: getattr(stat, k, None))
    return fmt_interval(get("value"), get("ci95_low"), get("ci95_high"), digits)
