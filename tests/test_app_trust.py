"""The app a reviewer trusts (issue 19): one number formatter, full-precision CSVs, flagged rows first,
wide tables with column choices, the verdict banner in words, "not computed" unlike kappa = 0,
changes coloured by direction. Pure functions here; the pages through AppTest.
"""

from __future__ import annotations

import html
import io
import json

import numpy as np
import pandas as pd

from qualitylab.escape import dataframe_csv
from qualitylab.gates.trends import direction, week_over_week
from qualitylab.results import Statistic
from qualitylab.ui import widgets

WIN = Statistic(0.7564, 0.6671, 0.8453, 120)
RANK = Statistic(1.0, 1.0, 2.0, 4)


def test_cells_use_one_formatter_and_never_show_dicts_or_none():
    assert widgets.cell_text(WIN) == "0.756 [0.667, 0.845]"
    assert widgets.cell_text(RANK) == "1 [1, 2]"
    assert widgets.cell_text(WIN.to_dict()) == "0.756 [0.667, 0.845]"
    assert widgets.cell_text(Statistic.not_computable("too few")) == "—"
    assert widgets.cell_text(None) == "—" and widgets.cell_text(float("nan")) == "—"
    assert widgets.cell_text({"0": 1, "3": 17}) == "0: 1; 3: 17"
    assert widgets.cell_text(["fast", "few_items"]) == "fast, few_items"
    assert widgets.cell_text(-2.933e-05) == "-0.0000293"
    assert widgets.cell_text(73.0, "n_fast") == "73"
    assert widgets.cell_text(3.8) == "3.8"
    assert widgets.cell_text(0.000123456, "q_value") == "0.00012"  # p and q: 2 significant digits
    assert widgets.cell_text(np.int64(1500)) == "1,500"


def test_csv_keeps_full_precision_and_splits_statistics():
    df = pd.DataFrame([{"model": "m1", "rankings_win_rate": WIN, "alpha": -2.933252706482925e-05, "flags": ["x"]}])
    out = widgets.csv_frame(df)
    assert list(out.columns) == [
        "model",
        "rankings_win_rate",
        "rankings_win_rate_ci95_low",
        "rankings_win_rate_ci95_high",
        "alpha",
        "flags",
    ]
    back = pd.read_csv(io.BytesIO(dataframe_csv(out)))
    assert back["rankings_win_rate"][0] == 0.7564 and back["rankings_win_rate_ci95_high"][0] == 0.8453
    assert back["alpha"][0] == -2.933252706482925e-05
    assert json.loads(back["flags"][0]) == ["x"]


def test_display_keeps_numbers_numeric_and_formats_them():
    df = pd.DataFrame({"value": [-2.933e-05, None, 0.5], "n_rows": [1, 2, 3], "name": ["a", None, "c"]})
    shown, formats = widgets.display_frame(df)
    assert pd.api.types.is_numeric_dtype(shown["value"])  # sorts as numbers
    assert formats["value"](-2.933e-05) == "-0.0000293" and formats["n_rows"](1500) == "1,500"
    assert list(shown["name"]) == ["a", "—", "c"]


def test_flagged_rows_come_first():
    crit = pd.DataFrame({"id": [f"c{i}" for i in range(11)], "outcome": ["PASS"] * 10 + ["REVIEW"]})
    assert widgets.flagged_first(crit)["id"].iloc[0] == "c10"
    crit.loc[3, "outcome"] = "REJECT"
    assert list(widgets.flagged_first(crit)["id"].iloc[:2]) == ["c3", "c10"]
    ann = pd.DataFrame({"annotator_id": [f"h{i:02d}" for i in range(1, 13)], "flag_names": [[]] * 10 + [["fast"], []]})
    assert widgets.flagged_first(ann)["annotator_id"].iloc[0] == "h11"
    rates = pd.DataFrame({"annotator_id": ["a", "b", "c"], "flagged": [False, False, True]})
    assert list(widgets.flagged_first(rates)["annotator_id"]) == ["c", "a", "b"]
    plain = pd.DataFrame({"x": [3, 1, 2]})
    assert list(widgets.flagged_first(plain)["x"]) == [3, 1, 2]  # nothing to put first: order kept


def test_columns_are_wide_enough_for_their_numbers():
    assert widgets.column_px("value", ["-0.0000293"]) >= widgets.CHAR_PX * len("-0.0000293")
    assert widgets.column_px("n", ["1"]) == widgets.MIN_PX
    assert widgets.column_px("reason", ["x" * 900]) == widgets.MAX_PX


def test_not_computable_is_said_once():
    assert widgets.not_computable("not computable: not computable: only one annotator") == (
        "not computable: only one annotator"
    )
    assert widgets.not_computable(None) == "not computable: no reason given"


def test_rankings_columns_are_not_rounded():
    """Issue 19 item 1: `startswith("rank")` matched rankings_win_rate and rankings_bt."""
    from types import SimpleNamespace

    from qualitylab.ui.pages.signals import _models_frame

    row = {
        "model": "m1",
        "pairwise_win_rate": WIN,
        "pairwise_win_rate_soft": WIN,
        "pairwise_bt": Statistic(0.41, 0.2, 0.6, 120),
        "rankings_win_rate": WIN,
        "rankings_bt": Statistic(0.756, 0.667, 0.845, 40),
        "rating_mean": Statistic(3.8, 3.6, 4.0, 90),
        "rank_pairwise": RANK,
        "rank_rankings": RANK,
        "rank_ratings": RANK,
    }
    df = _models_frame(SimpleNamespace(models=[row]))
    shown, _ = widgets.display_frame(df)
    assert shown["rankings_win_rate"][0] == "0.756 [0.667, 0.845]"
    assert shown["rankings_bt"][0] == "0.756 [0.667, 0.845]"
    assert shown["rating_mean"][0] == "3.8 [3.6, 4]"
    assert shown["rank_rankings"][0] == "1 [1, 2]"
    assert widgets.csv_frame(df)["rankings_win_rate"][0] == 0.7564  # full precision in the CSV


def test_kappa_heatmap_draws_not_computed_unlike_zero():
    from qualitylab.ui.pages.agreement import NOT_COMPUTED_COLOUR, kappa_heatmap

    pairs = [
        {"annotator_1": "a", "annotator_2": "b", "n": 30, "kappa": Statistic(0.0, -0.2, 0.2, 30)},
        {"annotator_1": "a", "annotator_2": "c", "n": 4, "kappa": Statistic.not_computable("4 shared items < 10", 4)},
    ]
    fig = kappa_heatmap(pairs)
    kappa, missing = fig.data
    assert kappa.z[0][1] == 0.0 and np.isnan(kappa.z[0][2])  # the not-computed pair is not in the kappa scale
    assert missing.z[0][2] == 1.0 and np.isnan(missing.z[0][1])
    assert missing.colorscale[0][1] == NOT_COMPUTED_COLOUR and missing.text[0][2] == "n/c"
    assert missing.name == "not computed"


def test_changes_have_a_direction():
    assert direction(0.3, ">=") == "better" and direction(-0.3, ">=") == "worse"
    assert direction(-0.02, "<=") == "better" and direction(0.02, "<=") == "worse"
    assert direction(0, ">=") is None and direction(None, ">=") is None and direction(0.1, None) is None
    rows = [
        {"vendor": "v", "batch_id": b, "delivered": d, "criterion": "alpha", "comparison": ">=", **m}
        for b, d, m in (
            ("w4", "2026-10-28", {"value": 0.714, "ci95_low": 0.66, "ci95_high": 0.76, "n": 300, "method": "boot"}),
            ("w5", "2026-11-02", {"value": 0.0, "ci95_low": -0.059, "ci95_high": 0.056, "n": 300, "method": "boot"}),
        )
    ]
    w5 = week_over_week(rows)[1]
    assert w5["changed"] and w5["direction"] == "worse"


def test_change_colours_by_direction():
    from qualitylab.ui.pages.trends import CHANGE_COLOURS, UNCHANGED_COLOUR, change_colour

    assert change_colour({"changed": True, "direction": "worse"}) == CHANGE_COLOURS["worse"]
    assert change_colour({"changed": True, "direction": "better"}) == CHANGE_COLOURS["better"]
    assert CHANGE_COLOURS["better"] != CHANGE_COLOURS["worse"]
    assert change_colour({"changed": False, "direction": "worse"}) == UNCHANGED_COLOUR


def test_the_overview_banner_says_every_failing_criterion_in_words():
    from qualitylab.gates import default_gates, evaluate
    from qualitylab.ui.pages.overview import verdict_banner

    doc = {
        "agreement": {
            "preference": {
                "krippendorff_alpha": {"value": -2.933e-05, "ci95_low": -0.059, "ci95_high": 0.0559, "n": 300}
            }
        },
        "annotators": [{"annotator_id": "h11", "n": 40, "flag_names": ["fast"]}, {"annotator_id": "h01", "n": 40}],
        "hygiene": {"checks": {"fast_verdicts": {"n_rows": 73}}},
    }
    gate = evaluate(default_gates(), doc).to_dict()
    text = verdict_banner(gate)
    assert text.startswith("**Verdict: REJECT**")
    lines = [html.unescape(line) for line in text.splitlines() if line.startswith("- ")]  # Markdown-escaped
    assert "(decides the verdict)" in lines[0] and "REJECT" in lines[0]
    assert "Krippendorff's alpha of the human annotators: -0.0000293 [-0.059, 0.0559], below 0.2" in lines[0]
    assert any("annotators who rush" in line and "1 of 2, above 0" in line for line in lines)
    failing = [c for c in gate["criteria"] if c["outcome"] not in ("PASS", "SKIPPED")]
    assert len(lines) == len(failing)  # every failing criterion, not only the deciding one


def test_pages_draw_the_formatted_numbers_and_the_csv_keeps_them_whole():
    """What the grid draws (the Styler's display values Streamlit sends) against what it sorts by."""
    import pyarrow as pa
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(
        """
import pandas as pd
from qualitylab.results import Statistic
from qualitylab.ui import widgets
widgets.table(pd.DataFrame({"value": [-2.933e-05, None, 0.5], "n_rows": [1500, 2, 3],
    "rankings_win_rate": [Statistic(0.7564, 0.6671, 0.8453, 9), None, None]}), "t")
""",
        default_timeout=60,
    ).run()
    proto = at.dataframe[0].proto
    shown = pa.ipc.open_stream(proto.arrow_data.styler.display_values).read_all().to_pandas()
    assert list(shown["value"]) == ["-0.0000293", "—", "0.5"]
    assert list(shown["n_rows"]) == ["1,500", "2", "3"]
    assert list(shown["rankings_win_rate"]) == ["0.756 [0.667, 0.845]", "—", "—"]
    assert at.dataframe[0].value["value"][0] == -2.933e-05  # numeric underneath: sorts as a number


def test_table_cells_of_a_change_are_coloured_by_direction_and_long_texts_wrap():
    """Issue 19 items 5 and 6 in the grid Streamlit is sent: a changed row's direction / difference cells
    in the direction's colour (unchanged rows plain), rows tall enough to wrap a long text, and a text
    longer than the wrapped lines written in full under the table."""
    from streamlit.testing.v1 import AppTest

    from qualitylab.ui.widgets import CHANGE_BACKGROUNDS, CHANGE_COLOURS, WRAP_ROW_PX, direction_styles

    df = pd.DataFrame(
        {
            "criterion": ["a", "b", "c"],
            "difference": [-0.7, 0.2, 0.01],
            "direction": ["worse", "better", "worse"],
            "changed": [True, True, False],
        }
    )
    css = direction_styles(df)
    assert CHANGE_COLOURS["worse"] in css.at[0, "direction"] and CHANGE_BACKGROUNDS["worse"] in css.at[0, "difference"]
    assert CHANGE_COLOURS["better"] in css.at[1, "direction"]
    assert css.at[2, "direction"] == "" and css.at[0, "criterion"] == ""  # unchanged: plain
    assert direction_styles(df.drop(columns=["direction"])) is None

    at = AppTest.from_string(
        """
import pandas as pd
from qualitylab.ui import widgets
widgets.table(pd.DataFrame({"criterion": ["a", "b"], "difference": [-0.7, 0.01], "direction": ["worse", "worse"],
    "changed": [True, False]}), "changes")
widgets.table(pd.DataFrame({"id": ["x", "y"], "reason": ["short", "why " * 100]}), "reasons")
widgets.table(pd.DataFrame({"id": ["x"], "reason": ["short"]}), "plain")
""",
        default_timeout=60,
    ).run()
    changes, reasons, plain = (d.proto for d in at.dataframe)
    assert CHANGE_COLOURS["worse"].lstrip("#") in changes.arrow_data.styler.styles.lower()
    assert reasons.row_height == WRAP_ROW_PX and not plain.row_height
    full = [e for e in at.expander if "Full texts of reasons" in e.label]
    assert full and "why why why" in full[0].markdown[0].value
