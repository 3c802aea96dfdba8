"""Reference values for the agreement statistics, from scikit-learn and numpy (read JSON datasets on stdin).

Each dataset: {"labels": [0..2], "p": [[p0, p1, p2], ...]}. Prints one JSON answer per dataset; a statistic
scikit-learn cannot define (zero denominator, one class) is null.
"""
import json
import sys
import warnings

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import cohen_kappa_score, confusion_matrix, precision_score, recall_score, roc_auc_score

warnings.simplefilter("ignore")


def binary(y, yhat):
    cm = confusion_matrix(y, yhat, labels=[False, True])
    (tn, fp), (fn, tp) = cm
    def sk(fn_, den, **kw):
        return float(fn_(y, yhat, zero_division=0, **kw)) if den > 0 else None
    return {
        "tp": int(tp), "fp": int(fp), "tn": int(tn), "fn": int(fn),
        "sensitivity": sk(recall_score, tp + fn, pos_label=True),
        "specificity": sk(recall_score, tn + fp, pos_label=False),
        "ppv": sk(precision_score, tp + fp, pos_label=True),
        "npv": sk(precision_score, tn + fn, pos_label=False),
    }


def answer(d):
    y = np.asarray(d["labels"], dtype=int)
    p = np.asarray(d["p"], dtype=float).reshape(-1, 3)
    yhat = np.argmax(p, axis=1)
    kappa = float(cohen_kappa_score(y, yhat, labels=[0, 1, 2], weights="quadratic"))
    try:
        auc = float(roc_auc_score(y == 2, p[:, 2]))
    except ValueError:
        auc = None
    reliability = []
    for k in range(3):
        true, pred = calibration_curve(y == k, p[:, k], n_bins=10, strategy="uniform")
        reliability.append({"observed": true.tolist(), "meanPredicted": pred.tolist()})
    # Top-label ECE, by hand on the same bins as calibration_curve.
    conf = p.max(axis=1)
    correct = (yhat == y).astype(float)
    bins = np.linspace(0.0, 1.0 + 1e-8, 11)
    ids = np.searchsorted(bins[1:-1], conf)
    ece = 0.0
    for b in range(10):
        m = ids == b
        if m.any():
            ece += m.sum() / len(y) * abs(correct[m].mean() - conf[m].mean())
    return {
        "confusion": confusion_matrix(y, yhat, labels=[0, 1, 2]).tolist(),
        "kappa": None if np.isnan(kappa) else kappa,
        "severe": binary(y == 2, yhat == 2),
        "moderateOrWorse": binary(y >= 1, yhat >= 1),
        "auc": auc,
        "ece": float(ece),
        "reliability": reliability,
    }


print(json.dumps([answer(d) for d in json.load(sys.stdin)]))
