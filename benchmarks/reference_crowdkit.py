"""Reference values from crowd-kit's DawidSkene and OneCoinDawidSkene on PandaLM's human labels,
for tests/test_dawid_skene.py. Not a test and not run by the suite.

crowd-kit is not a dependency of qualitylab (it pulls in a large stack), so run it in a throwaway
venv and commit the JSON it writes (it records the crowd-kit, pandas and numpy versions):

    python3 -m venv /tmp/ck && /tmp/ck/bin/pip install crowd-kit
    /tmp/ck/bin/python benchmarks/reference_crowdkit.py ../shared/realdata/pandalm/data/testset-v1.json \
        > tests/fixtures/reference/crowdkit_pandalm.json

Data: PandaLM's test set (WeOpenML/PandaLM, Apache-2.0; the copy under shared/realdata, commit in
its COMMIT file): 999 pairs, each labelled by annotator1..3 with 0 (tie), 1 (response 1 better) or
2 (response 2 better). task = idx, worker = annotator1/2/3, label = as delivered (as an integer).
Both models are fitted with crowd-kit's defaults (n_iter 100, tol 1e-5, majority-vote start).
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version

import pandas as pd
from crowdkit.aggregation import DawidSkene, OneCoinDawidSkene


def main(path: str) -> None:
    rows = json.loads(open(path, encoding="utf-8").read())
    data = pd.DataFrame(
        [
            {"task": int(r["idx"]), "worker": f"annotator{j}", "label": int(r[f"annotator{j}"])}
            for r in rows
            for j in (1, 2, 3)
        ]
    )
    out: dict = {
        "source": "WeOpenML/PandaLM data/testset-v1.json (annotator1..3), Apache-2.0",
        "versions": {p: version(p) for p in ("crowd-kit", "pandas", "numpy")},
        "labels": sorted(int(x) for x in data["label"].unique()),
        "n_answers": len(data),
    }
    for name, model in (("dawid_skene", DawidSkene()), ("one_coin", OneCoinDawidSkene())):
        model.fit(data)
        probas = model.probas_.sort_index()
        entry = {
            "iterations": len(model.loss_history_),
            "loss_history": [float(x) for x in model.loss_history_],
            "priors": {str(k): float(v) for k, v in model.priors_.items()},
            "posteriors": {str(t): [float(probas.loc[t, k]) for k in out["labels"]] for t in probas.index},
            "labels": {str(t): int(v) for t, v in model.labels_.sort_index().items()},
            "errors": {
                f"{w}|{lab}": {str(k): float(model.errors_.loc[(w, lab), k]) for k in out["labels"]}
                for (w, lab) in model.errors_.index
            },
        }
        if name == "one_coin":
            entry["skills"] = {str(w): float(s) for w, s in model.skills_.items()}
        out[name] = entry
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
