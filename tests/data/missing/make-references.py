"""Reference fills for tests/Import-ModelData.Tests.ps1 ('per-column fills as scikit-learn's SimpleImputer').

Run with Debian's /usr/bin/python3 (scikit-learn 1.2, NumPy) from this folder:
    /usr/bin/python3 make-references.py > references.json
Each column is imputed by its own SimpleImputer fitted on train.csv (as a ColumnTransformer would), then applied to
test.csv; add_indicator=True gives the 0/1 indicator of the columns that have missing values in train.csv.
"""
import csv
import json

import numpy as np
import sklearn
from sklearn.impute import SimpleImputer


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return rows


def column(rows, name, numeric):
    if numeric:
        return np.array([[float(r[name]) if r[name] != "" else np.nan] for r in rows], dtype=np.float64)
    return np.array([[r[name] if r[name] != "" else np.nan] for r in rows], dtype=object)


train, test = read("train.csv"), read("test.csv")
cases = [
    ("Age", True, "median", None),
    ("Age", True, "mean", None),
    ("Age", True, "most_frequent", None),
    ("Fare", True, "median", None),
    ("Cabin", False, "constant", "missing"),
    ("Embarked", False, "most_frequent", None),
]
out = {"sklearn": sklearn.__version__, "cases": []}
for name, numeric, strategy, fill in cases:
    imputer = SimpleImputer(strategy=strategy, fill_value=fill, add_indicator=True,
                            missing_values=np.nan)
    imputer.fit(column(train, name, numeric))
    statistic = imputer.statistics_[0]
    result = imputer.transform(column(test, name, numeric))
    has_indicator = result.shape[1] == 2
    out["cases"].append({
        "column": name,
        "strategy": strategy,
        "statistic": float(statistic) if numeric else str(statistic),
        "test": [float(v) if numeric else str(v) for v in result[:, 0]],
        "indicator_in_train": bool(has_indicator),
        "test_indicator": [int(v) for v in result[:, 1]] if has_indicator else None,
    })
print(json.dumps(out, indent=1))
