"""Standard errors, tests and per-category kappa of the agreement coefficients, against references.

Sources (each expected number names its own beside it):
  [IRRCAC] python irrCAC 0.4.4 (PyPI; the port of Gwet's R irrCAC), run by benchmarks/reference_irrcac.py
           in a throwaway venv; its output with the versions is tests/fixtures/reference/irrcac.json.
           With and without ``categories`` (R irrCAC's ``categ.labels``).
  [IRR]    R irr 0.84 documentation: kappam.fleiss(diagnoses) "Kappa = 0.43, z = 17.7, p-value = 0"
           (17.65 at full precision, the audit's figure), kappam.fleiss(diagnoses, detail = TRUE) per
           category 0.245 / 0.245 / 0.520 / 0.471 / 0.566 (= Fleiss 1971, Table 1's kappas) with
           z 5.192 / 5.192 / 11.031 / 9.994 / 12.009; kappa2(diagnoses[, 2:3]) "Kappa = 0.631, z = 7.56".
  [F1971]  Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological
           Bulletin 76(5), 378-382, Table 1: 30 patients x 6 psychiatrists, 5 diagnoses.
  [SM]     statsmodels (the dev environment's version) cohens_kappa: std_kappa0, z_value, pvalue_two_sided.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from statsmodels.stats import inter_rater as ir

from qualitylab.agreement import coefficients as co
from qualitylab.results import Statistic

REF = json.loads((Path(__file__).parent / "fixtures" / "reference" / "irrcac.json").read_text(encoding="utf-8"))
DATA = {k: np.array(v, dtype=float) for k, v in REF["data"].items()}

# [F1971] Table 1 as category counts per patient (Depression, Personality disorder, Schizophrenia,
# Neurosis, Other); the same matrix as R irr's `diagnoses` (REF["data"]["diagnoses"] in raw form).
DIAGNOSES = [
    [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
    [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
    [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
    [0, 0, 5, 0, 1], [3, 0, 0, 1, 2], [5, 1, 0, 0, 0], [0, 2, 0, 4, 0], [1, 0, 2, 0, 3],
    [0, 0, 0, 0, 6], [0, 1, 0, 5, 0], [0, 2, 0, 1, 3], [2, 0, 0, 4, 0], [1, 0, 0, 4, 1],
    [0, 5, 0, 1, 0], [4, 0, 0, 0, 2], [0, 2, 0, 4, 0], [1, 0, 5, 0, 0], [0, 0, 0, 0, 6],
]  # fmt: skip


def _patterns(name: str, categories=None) -> co.ValuePatterns:
    return co.ValuePatterns.from_reliability(DATA[name].T, categories)


# -- every coefficient against irrCAC, with and without the declared category set ------------------

CASES = {
    # fixture key: (data set, weights, categories passed as irrCAC's `categories` / R's categ.labels)
    "raw_4raters/observed": ("raw_4raters", "unweighted", None),
    "raw_4raters/declared_1_7": ("raw_4raters", "unweighted", range(1, 8)),
    "raw_4raters/quadratic/observed": ("raw_4raters", "quadratic", None),
    "raw_4raters/quadratic/declared_1_7": ("raw_4raters", "quadratic", range(1, 8)),
    "diagnoses/observed": ("diagnoses", "unweighted", None),
    "yes_no_4/binary": ("yes_no_4", "unweighted", [0, 2]),
    "yes_no_4/phantom_tie": ("yes_no_4", "unweighted", [0, 1, 2]),
    "ratings_1_7/quadratic/observed": ("ratings_1_7", "quadratic", None),
    "ratings_1_7/quadratic/declared_1_7": ("ratings_1_7", "quadratic", range(1, 8)),
    "ratings_1_7/identity/declared_1_7": ("ratings_1_7", "unweighted", range(1, 8)),
}


@pytest.mark.parametrize("key", CASES)
def test_gwet_fleiss_alpha_value_se_z_p_equal_irrcac(key):
    data, weights, cats = CASES[key]
    p = _patterns(data, None if cats is None else list(cats))
    level = "nominal" if weights == "unweighted" else "interval"
    ours = {
        "gwet": co.gwet_ac(p, weights),
        "fleiss": co.fleiss_kappa(p, weights),
        "krippendorff": co.krippendorff_alpha(p, level),
    }
    for name, ref in REF["irrcac"][key].items():  # [IRRCAC]
        s = ours[name]
        assert s.value == pytest.approx(ref["value"], abs=1e-12), name
        assert s.se == pytest.approx(ref["se"], abs=1e-12), name
        if name != "krippendorff":  # alpha's interval is our bootstrap, irrCAC's a t interval
            assert s.ci95_low == pytest.approx(ref["ci95_low"], abs=1e-9), name
            assert s.ci95_high == pytest.approx(ref["ci95_high"], abs=1e-9), name
        equal_raters = not np.isnan(DATA[data]).any() and weights == "unweighted"
        if name == "fleiss" and equal_raters:
            # the test uses Fleiss, Nee & Landis's variance under H0 (R irr), not irrCAC's; see below
            assert s.se_h0 is not None and "Fleiss, Nee & Landis" in s.variance_method
        else:
            assert s.z == pytest.approx(ref["z"], rel=1e-10), name
            assert s.p_value == pytest.approx(ref["p_value"], rel=1e-6, abs=1e-15), name


def test_phantom_tie_inflates_ac1_but_not_fleiss_or_alpha():
    """14.1: the category set is part of AC1's chance term; Fleiss' kappa and alpha do not depend on it."""
    binary = REF["irrcac"]["yes_no_4/binary"]  # [IRRCAC] categories = [B, A]
    phantom = REF["irrcac"]["yes_no_4/phantom_tie"]  # [IRRCAC] categories = [B, tie, A]
    assert round(binary["gwet"]["value"], 4) == 0.7995 and round(phantom["gwet"]["value"], 4) == 0.8576
    assert binary["fleiss"]["value"] == pytest.approx(phantom["fleiss"]["value"], abs=1e-12)
    assert binary["krippendorff"]["value"] == pytest.approx(phantom["krippendorff"]["value"], abs=1e-12)
    two = _patterns("yes_no_4", [0, 2])
    three = _patterns("yes_no_4", [0, 1, 2])
    assert co.gwet_ac(two).value == pytest.approx(binary["gwet"]["value"], abs=1e-12)
    assert co.gwet_ac(three).value == pytest.approx(phantom["gwet"]["value"], abs=1e-12)
    # with_categories (what the report does with the batch's scale) is the same as passing categories
    observed = _patterns("yes_no_4")
    assert co.gwet_ac(observed.with_categories([0, 1, 2])).value == pytest.approx(phantom["gwet"]["value"], abs=1e-12)


def test_declared_likert_range_changes_ac2_weights_not_alpha():
    obs = REF["irrcac"]["ratings_1_7/quadratic/observed"]
    dec = REF["irrcac"]["ratings_1_7/quadratic/declared_1_7"]
    assert dec["gwet"]["value"] > obs["gwet"]["value"] + 0.1  # [IRRCAC] 0.9056 vs 0.7721
    p = _patterns("ratings_1_7").with_categories(range(1, 8))
    assert co.gwet_ac(p, "quadratic").value == pytest.approx(dec["gwet"]["value"], abs=1e-12)
    for level in co.LEVELS:
        a = co.krippendorff_alpha(_patterns("ratings_1_7"), level).value
        assert co.krippendorff_alpha(p, level).value == pytest.approx(a, abs=1e-12), level


# -- Fleiss (1971) diagnoses: R irr's z = 17.65 and the per-category kappas --------------------------


def test_fleiss_kappa_diagnoses_z_17_65_as_r_irr():
    p = co.ValuePatterns.from_item_counts(DIAGNOSES, [1, 2, 3, 4, 5])
    k = co.fleiss_kappa(p)
    assert round(k.value, 3) == 0.430  # [IRR] [F1971]
    assert round(k.z, 2) == 17.65  # [IRR] 17.7 printed; the audit's 17.65
    assert k.p_value < 1e-60  # [IRR] "p-value = 0"
    assert k.se_h0 == pytest.approx(k.value / k.z)
    assert "Fleiss, Nee & Landis (1979)" in k.variance_method and "irrCAC fleiss.kappa.raw" in k.variance_method
    # the interval's se is irrCAC's linearised one [IRRCAC] on the same data
    assert k.se == pytest.approx(REF["irrcac"]["diagnoses/observed"]["fleiss"]["se"], abs=1e-12)
    d = k.to_dict()
    assert {"se", "z", "p_value", "variance_method", "se_h0"} <= set(d)


def test_per_category_kappa_diagnoses_as_fleiss_1971():
    p = co.ValuePatterns.from_item_counts(DIAGNOSES, [1, 2, 3, 4, 5])
    per = co.per_category_kappa(p)
    assert [round(s.value, 3) for s in per.values()] == [0.245, 0.245, 0.520, 0.471, 0.566]  # [F1971] [IRR]
    assert [round(s.z, 3) for s in per.values()] == [5.192, 5.192, 11.031, 9.994, 12.009]  # [IRR] detail = TRUE
    for j, s in enumerate(per.values()):
        # each is statsmodels' Fleiss kappa of the category-vs-rest dichotomy [SM]
        counts = np.array(DIAGNOSES)
        two = np.column_stack([counts.sum(1) - counts[:, j], counts[:, j]])
        assert s.value == pytest.approx(ir.fleiss_kappa(two, method="fleiss"), abs=1e-12)
        assert s.se_h0 == pytest.approx(np.sqrt(2 / (30 * 6 * 5)))  # [IRR] var_0 = 2 / (N m (m-1))


def test_per_category_kappa_of_an_unused_category_is_not_computable():
    p = co.ValuePatterns.from_item_counts([[2, 0, 1], [3, 0, 0], [0, 0, 3]], [0, 1, 2])
    per = co.per_category_kappa(p)
    assert per[1.0].value is None and "nobody used" in per[1.0].reason
    assert per[0.0].value is not None and per[2.0].value is not None


# -- Cohen's kappa: the H0 test, and a constant annotator ------------------------------------------


def test_cohen_kappa_test_equals_statsmodels_and_r_irr():
    # [IRR] kappa2(diagnoses[, 2:3]): the columns rater2 and rater3 of R irr's `diagnoses` (the
    # fixture's raw form sorts each patient's six ratings, so irr's two columns are written out here)
    rater2 = [4, 2, 3, 5, 2, 1, 3, 1, 1, 5, 4, 2, 2, 4, 2, 3, 1, 1, 2, 3, 5, 4, 2, 1, 4, 2, 1, 2, 3, 5]
    rater3 = [4, 2, 3, 5, 2, 3, 3, 3, 4, 5, 4, 4, 2, 4, 4, 3, 1, 1, 4, 3, 5, 4, 4, 4, 4, 2, 1, 4, 3, 5]
    table = np.zeros((5, 5))
    np.add.at(table, (np.array(rater2) - 1, np.array(rater3) - 1), 1)
    k = co.cohen_kappa(table, [1, 2, 3, 4, 5])
    assert round(k.value, 3) == 0.631 and round(k.z, 2) == 7.56  # [IRR]
    sm = ir.cohens_kappa(table)  # [SM]
    assert k.se_h0 == pytest.approx(sm.std_kappa0, rel=1e-12)
    assert k.z == pytest.approx(sm.z_value, rel=1e-12)
    assert k.p_value == pytest.approx(sm.pvalue_two_sided, rel=1e-9)
    assert k.se == pytest.approx(sm.std_kappa, rel=1e-12)
    for wt in ("linear", "quadratic"):
        kw = co.cohen_kappa(table, [1, 2, 3, 4, 5], wt)
        smw = ir.cohens_kappa(table, wt=wt)
        assert kw.z == pytest.approx(smw.z_value, rel=1e-10), wt


def test_a_constant_annotator_makes_kappa_not_computable():
    """14.2: annotator 1 always said A: kappa is 0 with a zero-width interval; say why instead."""
    table = [[0, 0], [7, 5]]  # rows: annotator 1 (always the second label)
    k = co.cohen_kappa(table, [0, 1], min_items=10, names=("annotator h3", "annotator h7"))
    assert k.value is None and k.reason == "annotator h3 gave one label on all 12 shared items: kappa is not computable"
    both = co.cohen_kappa([[0, 12], [0, 0]], [0, 1], min_items=10)
    assert both.value is None and "annotator 1 and annotator 2 gave one label each" in both.reason
    # still below the minimum overlap first
    assert "needs at least 10" in co.cohen_kappa([[0, 0], [3, 2]], [0, 1], min_items=10).reason


# -- the Statistic stays backward compatible ------------------------------------------------------


def test_statistic_json_only_gains_keys():
    old = Statistic(0.5, 0.4, 0.6, 10, method="wilson").to_dict()
    assert old == {"value": 0.5, "ci95_low": 0.4, "ci95_high": 0.6, "n": 10, "method": "wilson"}
    new = co.gwet_ac(_patterns("raw_4raters")).to_dict()
    assert set(old) | {"se", "z", "p_value", "variance_method"} == set(new)


@pytest.mark.parametrize("level", ["nominal", "interval", "ratio"])
def test_alpha_linearised_se_is_irrcacs_and_alpha_is_ours(level):
    p = _patterns("raw_4raters")
    alpha, se = co.alpha_linearised_se(p, level)
    assert alpha == pytest.approx(co.krippendorff_alpha(p, level).value, abs=1e-12)
    if level == "nominal":
        assert se == pytest.approx(REF["irrcac"]["raw_4raters/observed"]["krippendorff"]["se"], abs=1e-12)
    if level == "interval":
        assert se == pytest.approx(REF["irrcac"]["raw_4raters/quadratic/observed"]["krippendorff"]["se"], abs=1e-12)


def test_ordinal_alpha_tests_with_the_bootstrap_standard_deviation():
    p = _patterns("ratings_1_7")
    a = co.krippendorff_alpha(p, "ordinal", n_boot=300, seed=3)
    reps = co.alpha_bootstrap(p, "ordinal", n_boot=300, seed=3)
    assert a.se == pytest.approx(np.std(reps[~np.isnan(reps)], ddof=1))
    assert "bootstrap replicates" in a.variance_method and a.p_value is not None
    no_boot = co.krippendorff_alpha(p, "ordinal")
    assert no_boot.se is None and "no test" in no_boot.variance_method
