"""Reference values from python irrCAC (and pingouin's ICC) for tests/test_agreement_reference.py.

Not a test and not run by the suite: irrCAC and pingouin are not dependencies of qualitylab. Run it
in a throwaway venv and commit the JSON it writes (with the versions it records):

    python3 -m venv /work/ref/irrcac && /work/ref/irrcac/bin/pip install irrCAC pingouin
    /work/ref/irrcac/bin/python benchmarks/reference_irrcac.py > tests/fixtures/reference/irrcac.json

Data sets (each written into the JSON, so the test reads the very matrix the reference saw):
  raw_4raters     irrCAC's cac.raw4raters (Gwet 2014), categories as observed (1-5) and declared 1-7
  diagnoses       Fleiss (1971) Table 1, 30 patients x 6 psychiatrists (as shipped in R irr's `diagnoses`)
  yes_no_4        a fixed 4-annotator A/B data set (seeded here) without and with a phantom "tie" category:
                  the protocol offered A and B only; counting tie as a third category inflates AC1
  ratings_1_7     a fixed 3-rater Likert set, observed 2-6, declared 1-7 (AC2's weights span the scale)
  icc_*           pingouin.intraclass_corr on complete raters x items blocks (and irrCAC is not involved)
Codes for preferences: B = 0, tie = 1, A = 2 (as queries/agreement/*.sql code them).
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version

import numpy as np
import pandas as pd
from irrCAC.datasets import raw_4raters
from irrCAC.raw import CAC

DIAGNOSES_COUNTS = [  # Fleiss (1971) Table 1: raters per patient (rows) and diagnosis (columns 1-5)
    [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
    [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
    [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
    [0, 0, 5, 0, 1], [3, 0, 0, 1, 2], [5, 1, 0, 0, 0], [0, 2, 0, 4, 0], [1, 0, 2, 0, 3],
    [0, 0, 0, 0, 6], [0, 1, 0, 5, 0], [0, 2, 0, 1, 3], [2, 0, 0, 4, 0], [1, 0, 0, 4, 1],
    [0, 5, 0, 1, 0], [4, 0, 0, 0, 2], [0, 2, 0, 4, 0], [1, 0, 5, 0, 0], [0, 0, 0, 0, 6],
]  # fmt: skip


def yes_no_4() -> np.ndarray:
    """80 comparisons x 4 annotators, labels B (0) / A (2) only, moderate agreement, ~10% missing."""
    rng = np.random.default_rng(20261201)
    truth = np.where(rng.random(80) < 0.65, 2.0, 0.0)
    data = np.where(rng.random((80, 4)) < 0.8, truth[:, None], np.where(rng.random((80, 4)) < 0.5, 2.0, 0.0))
    data[rng.random((80, 4)) < 0.1] = np.nan
    return data


def ratings_1_7() -> np.ndarray:
    """40 items x 3 raters, scores 2-6 on a 1-7 scale (nobody used 1 or 7)."""
    rng = np.random.default_rng(7)
    base = rng.integers(3, 6, 40)
    return np.clip(base[:, None] + rng.integers(-1, 2, (40, 3)), 2, 6).astype(float)


def diagnoses_raw() -> np.ndarray:
    rows = []
    for counts in DIAGNOSES_COUNTS:
        rows.append([c + 1 for c, k in enumerate(counts) for _ in range(k)])
    return np.array(rows, dtype=float)


def cac(data: np.ndarray, weights: str, categories: list[float] | None) -> dict[str, dict[str, float]]:
    df = pd.DataFrame(data)
    c = CAC(df, weights=weights, categories=categories, digits=15)
    out = {}
    for name in ("gwet", "fleiss", "krippendorff"):
        est = getattr(c, name)()["est"]
        out[name] = {
            "value": float(est["coefficient_value"]),
            "se": float(est["se"]),
            "z": float(est["z"]),
            "p_value": float(est["p_value"]),
            "ci95_low": float(est["confidence_interval"][0]),
            "ci95_high": float(est["confidence_interval"][1]),
            "pe": float(est["pe"]),
        }
    return out


def icc(data: np.ndarray) -> list[dict[str, float]]:
    import pingouin as pg

    pg.options["round"] = None  # full precision (the CI95 column is rounded to 2 digits by default)
    pg.options["round.column.CI95"] = None
    n, k = data.shape
    long = pd.DataFrame({"item": np.repeat(np.arange(n), k), "rater": np.tile(np.arange(k), n), "score": data.ravel()})
    res = pg.intraclass_corr(long, targets="item", raters="rater", ratings="score")
    return [
        {
            "type": r["Type"],
            "value": float(r["ICC"]),
            "F": float(r["F"]),
            "df1": float(r["df1"]),
            "df2": float(r["df2"]),
            "p_value": float(r["pval"]),
            "ci95_low": float(r["CI95"][0]),
            "ci95_high": float(r["CI95"][1]),
        }
        for _, r in res.iterrows()
    ]


def main() -> None:
    raw4 = raw_4raters().to_numpy(dtype=float)
    yn = yes_no_4()
    r17 = ratings_1_7()
    rng = np.random.default_rng(3)
    icc_block = np.clip(rng.integers(2, 7, 25)[:, None] + rng.integers(-1, 2, (25, 4)), 1, 7).astype(float)
    sf = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], float)
    doc = {
        "about": __doc__.splitlines()[0],
        "versions": {p: version(p) for p in ("irrCAC", "pingouin", "numpy", "pandas", "scipy")},
        "data": {
            "raw_4raters": raw4.tolist(),
            "diagnoses": diagnoses_raw().tolist(),
            "yes_no_4": yn.tolist(),
            "ratings_1_7": r17.tolist(),
            "icc_block": icc_block.tolist(),
            "shrout_fleiss_1979": sf.tolist(),
        },
        "irrcac": {
            "raw_4raters/observed": cac(raw4, "identity", None),
            "raw_4raters/declared_1_7": cac(raw4, "identity", [1, 2, 3, 4, 5, 6, 7]),
            "raw_4raters/quadratic/observed": cac(raw4, "quadratic", None),
            "raw_4raters/quadratic/declared_1_7": cac(raw4, "quadratic", [1, 2, 3, 4, 5, 6, 7]),
            "diagnoses/observed": cac(diagnoses_raw(), "identity", None),
            "yes_no_4/binary": cac(yn, "identity", [0, 2]),
            "yes_no_4/phantom_tie": cac(yn, "identity", [0, 1, 2]),
            "ratings_1_7/quadratic/observed": cac(r17, "quadratic", None),
            "ratings_1_7/quadratic/declared_1_7": cac(r17, "quadratic", [1, 2, 3, 4, 5, 6, 7]),
            "ratings_1_7/identity/declared_1_7": cac(r17, "identity", [1, 2, 3, 4, 5, 6, 7]),
        },
        "pingouin": {"icc_block": icc(icc_block), "shrout_fleiss_1979": icc(sf)},
    }
    json.dump(doc, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
