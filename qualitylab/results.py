"""Typed result objects shared by every area, and their JSON form.

A statistic is ``{value, ci95_low, ci95_high, n}`` (fractions 0-1, never percent). When it cannot be
computed, ``value`` is None and ``reason`` says why — never an unexplained NaN. A statistic that
carries a test (the agreement coefficients) adds ``se``, ``z``, ``p_value`` and ``variance_method``
(and ``se_h0`` when the test's standard error is not the interval's); keys are only ever added.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import sys
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Statistic:
    value: float | None
    ci95_low: float | None = None
    ci95_high: float | None = None
    n: int = 0
    reason: str | None = None  # why value is None ("not computable: ...")
    method: str | None = None  # how the interval was computed (e.g. "wilson", "bootstrap")
    # the test of H0: value = 0 (agreement coefficients; None elsewhere). ``se`` is the standard
    # error the interval uses; ``se_h0`` the one the test uses when that differs (a variance under
    # H0); ``z`` = value / (se_h0 or se); ``variance_method`` names both formulas.
    se: float | None = None
    z: float | None = None
    p_value: float | None = None
    variance_method: str | None = None
    se_h0: float | None = None

    @classmethod
    def not_computable(cls, reason: str, n: int = 0) -> Statistic:
        return cls(None, None, None, n, reason)

    @property
    def ok(self) -> bool:
        return self.value is not None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "value": _num(self.value),
            "ci95_low": _num(self.ci95_low),
            "ci95_high": _num(self.ci95_high),
            "n": int(self.n),
        }
        if self.reason:
            d["reason"] = self.reason
        if self.method:
            d["method"] = self.method
        if self.variance_method is not None:
            d["se"] = _num(self.se)
            d["z"] = _num(self.z)
            d["p_value"] = _num(self.p_value)
            d["variance_method"] = self.variance_method
            if self.se_h0 is not None:
                d["se_h0"] = _num(self.se_h0)
        return d

    def fmt(self, digits: int = 3) -> str:
        """``0.712 [0.650, 0.770] (n=1,204)`` or ``not computable: reason``."""
        if self.value is None:
            return f"not computable: {self.reason}"
        s = f"{self.value:.{digits}f}"
        if self.ci95_low is not None and self.ci95_high is not None:
            s += f" [{self.ci95_low:.{digits}f}, {self.ci95_high:.{digits}f}]"
        return s + f" (n={self.n:,})"


def _num(x: Any) -> float | None:
    """A finite float, or None (NaN and infinities are not JSON numbers)."""
    if x is None:
        return None
    f = float(x)
    return None if math.isnan(f) or math.isinf(f) else f


def to_jsonable(obj: Any) -> Any:
    """Dataclasses, Statistics, numpy scalars, dates, DataFrames -> plain JSON values."""
    # numpy only if it is loaded: no value can be a numpy value otherwise, and the commands that
    # print plain rows (``batches --json``) start without it (docs/scale.md)
    np = sys.modules.get("numpy")
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, Statistic):
        return obj.to_dict()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        if hasattr(obj, "to_dict"):
            return to_jsonable(obj.to_dict())
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if np is not None and isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (int,)):
        return obj
    if isinstance(obj, float) or (np is not None and isinstance(obj, np.floating)):
        return _num(obj)
    if np is not None and isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, (dt.datetime, dt.date)):
        return obj.isoformat()
    if hasattr(obj, "to_dict") and hasattr(obj, "columns"):  # pandas DataFrame
        return to_jsonable(obj.to_dict(orient="records"))
    if hasattr(obj, "to_pylist"):  # pyarrow Table
        return to_jsonable(obj.to_pylist())
    return str(obj)
