"""The seed's metric (rsna2024/utils/rsna_lumbar_metric.score) and spinegraph's trainer metric on the same rows.

Reads JSON from stdin: a list of cases, each a list of labelled rows {study, condition, level, label, p}; writes a
JSON list of {seed, python: {...parts, score}} per case.
"""
from __future__ import annotations

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..", "..", "..", "shared", "reference")))
sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..", "..", "src", "training", "python")))
import seed_env  # noqa: E402,F401

import pandas as pd  # noqa: E402
from rsna2024.utils import rsna_lumbar_metric  # noqa: E402
from spinetrainer.metric import ScoredRow, competition_score  # noqa: E402


def seed_score(rows):  # type: ignore[no-untyped-def]
    ids = [f"{r['study']}_{r['condition'].lower()}_{r['level'].lower()}" for r in rows]
    solution = pd.DataFrame({
        "row_id": ids,
        "normal_mild": [float(r["label"] == 0) for r in rows],
        "moderate": [float(r["label"] == 1) for r in rows],
        "severe": [float(r["label"] == 2) for r in rows],
        "sample_weight": [float(2 ** r["label"]) for r in rows],
    })
    submission = pd.DataFrame({
        "row_id": ids,
        "normal_mild": [float(r["p"][0]) for r in rows],
        "moderate": [float(r["p"][1]) for r in rows],
        "severe": [float(r["p"][2]) for r in rows],
    })
    return float(rsna_lumbar_metric.score(solution, submission, "row_id", 1.0))


def main() -> None:
    cases = json.load(sys.stdin)
    out = []
    for rows in cases:
        ours = competition_score(ScoredRow(r["study"], r["condition"], r["level"], r["label"], tuple(r["p"])) for r in rows)
        out.append({"seed": seed_score(rows), "python": ours})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
