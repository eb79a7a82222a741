"""Reference values of AlpacaEval 2.0's length-controlled win rate, made by AlpacaEval's own code,
for tests/test_lc_win_rate.py. Not a test and not run by the suite.

AlpacaEval is not a dependency of qualitylab, and its package pulls in a large stack, so this script
runs the *unmodified* ``src/alpaca_eval/metrics/{glm_winrate,winrate,helpers}.py`` of a git checkout
(``git show``; nothing of it is copied into this repository) with a few stand-ins for the package's
other modules. The length-controlled GLM downloads two files from a dataset hub at run time
(``df_gamed.csv``, ``instruction_difficulty.csv``); those cannot be fetched here, so
``hf_hub_download`` is replaced by a function returning a local file holding the instruction term
qualitylab computes (its rule is restated below, independently of qualitylab's code). That fixes the
covariate, and the comparison tests the fitting itself: same data + same covariate -> same LC.

    python3 -m venv /tmp/ae-venv && /tmp/ae-venv/bin/pip install pandas scikit-learn patsy
    /tmp/ae-venv/bin/python benchmarks/reference_alpaca_eval_lc.py /path/to/alpaca_eval/.git \
        tests/fixtures/alpaca_eval

Writes ``annotations_subset.csv`` (the fixture: per model and instruction the preference and the
two outputs' lengths in characters, all a GLM reads) and ``reference_lc.json`` (AlpacaEval's values
for the GLMs ``length_controlled_minimal`` and ``length_controlled_noreg``, with the versions and the
commit; the published leaderboard's values beside them).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import types
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

MODELS = [
    "claude-2.1",
    "gpt-3.5-turbo-1106",
    "gpt-3.5-turbo-1106_verbose",
    "gpt-3.5-turbo-1106_concise",
    "vicuna-13b-v1.5",
    "alpaca-7b",
]
ANNOTATOR = "weighted_alpaca_eval_gpt4_turbo"
LEADERBOARD = "src/alpaca_eval/leaderboards/data_AlpacaEval_2/weighted_alpaca_eval_gpt4_turbo_leaderboard.csv"


def git_show(repo: str, path: str) -> bytes:
    return subprocess.check_output(["git", "--git-dir", repo, "show", f"HEAD:{path}"])


def difficulty_without(df: pd.DataFrame, model: str) -> np.ndarray:
    """The instruction term for ``model``: per instruction, logit((sum y + 0.5) / (n + 1)) over the
    OTHER models' verdicts on it (y = P(model preferred over the baseline)); 0 where none."""
    other = df[df["generator_2"] != model]
    g = other.groupby("index")["y"].agg(["sum", "count"])
    share = (g["sum"] + 0.5) / (g["count"] + 1)
    out = pd.Series(0.0, index=sorted(df["index"].unique()))
    out.loc[g.index] = np.log(share / (1 - share))
    return out.to_numpy()


def main(repo: str, out_dir: str) -> None:
    commit = subprocess.check_output(["git", "--git-dir", repo, "rev-parse", "HEAD"]).decode().strip()
    tmp = Path(tempfile.mkdtemp())
    pkg = tmp / "alpaca_eval"
    (pkg / "metrics").mkdir(parents=True)
    for name in ("glm_winrate", "winrate", "helpers"):
        (pkg / "metrics" / f"{name}.py").write_bytes(git_show(repo, f"src/alpaca_eval/metrics/{name}.py"))
    (pkg / "metrics" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "constants.py").write_text(
        "DATASETS_TOKEN = None\nDATASETS_FORCE_DOWNLOAD = False\nDEFAULT_CACHE_DIR = None\n"
    )
    (pkg / "types.py").write_text("from typing import Any\nAnyLoadableDF = Any\n")
    # the two helpers of alpaca_eval.utils the metrics use, restated
    (pkg / "utils.py").write_text(
        "import pandas as pd\n"
        "def convert_to_dataframe(data):\n"
        "    return data.copy() if isinstance(data, pd.DataFrame) else pd.DataFrame(data)\n"
        "def load_or_convert_to_dataframe(df, **kw):\n"
        "    return pd.read_csv(df, index_col=0) if isinstance(df, str) else convert_to_dataframe(df)\n"
        "def validate_alpacaeval_preference(x, is_allow_nan=True):\n"
        "    return (x.isna() & is_allow_nan) | x.between(0, 2) if hasattr(x, 'between') else True\n"
    )
    current = {"csv": None}
    hub = types.ModuleType("huggingface_hub")
    hub.hf_hub_download = lambda **kw: current["csv"]  # type: ignore[attr-defined]
    sys.modules["huggingface_hub"] = hub
    sys.path.insert(0, str(tmp))
    from alpaca_eval.metrics import glm_winrate  # noqa: PLC0415

    frames, annotations = [], {}
    for m in MODELS:
        ann = pd.DataFrame(json.loads(git_show(repo, f"results/{m}/{ANNOTATOR}/annotations.json")))
        ann["index"] = range(len(ann))  # the evaluation set's order, as AlpacaEval indexes it
        annotations[m] = ann
        frames.append(
            pd.DataFrame(
                {
                    "index": ann["index"],
                    "generator_1": ann["generator_1"],
                    "generator_2": ann["generator_2"],
                    "preference": ann["preference"].astype(float),
                    "len_1": ann["output_1"].str.len(),
                    "len_2": ann["output_2"].str.len(),
                }
            )
        )
    fixture = pd.concat(frames, ignore_index=True)
    fixture["y"] = fixture["preference"].replace({0.0: 1.5}) - 1
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fixture.drop(columns=["y"]).to_csv(out / "annotations_subset.csv", index=False)

    board = pd.read_csv(__import__("io").BytesIO(git_show(repo, LEADERBOARD)), index_col=0)
    result = {
        "source": "tatsu-lab/alpaca_eval (Apache-2.0)",
        "commit": commit,
        "annotations": f"results/<model>/{ANNOTATOR}/annotations.json",
        "leaderboard": LEADERBOARD,
        "code": "src/alpaca_eval/metrics/glm_winrate.py get_length_controlled_winrate, run unmodified",
        "versions": {p: version(p) for p in ("scikit-learn", "pandas", "patsy", "numpy")},
        "instruction_term": "logit((sum y + 0.5) / (n + 1)) over the other models of this file, per instruction",
        "models": {},
    }
    for m in MODELS:
        ann = annotations[m]
        d = difficulty_without(fixture, m)
        csv = tmp / f"difficulty-{m}.csv"
        pd.DataFrame({"model": "none", "index": range(len(d)), "instruction_difficulty": d}).to_csv(csv, index=False)
        current["csv"] = str(csv)
        row: dict = {}
        for glm in ("length_controlled_minimal", "length_controlled_noreg"):
            metrics = glm_winrate.get_length_controlled_winrate(
                ann.copy(), glm_name=glm, save_weights_dir=None, is_warn_extreme_changes=False
            )
            row[glm] = {
                "win_rate": metrics["win_rate"] / 100,
                "length_controlled_winrate": metrics["length_controlled_winrate"] / 100,
                "lc_standard_error": metrics["lc_standard_error"] / 100,
            }
        row["published"] = {
            "win_rate": float(board.loc[m, "win_rate"]) / 100,
            "length_controlled_winrate": float(board.loc[m, "length_controlled_winrate"]) / 100,
            "glm": "length_controlled_v1 (instruction term and regularisation data from the dataset hub)",
        }
        result["models"][m] = row
    (out / "reference_lc.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
