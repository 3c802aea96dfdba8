"""Cross-validation summary: out-of-fold predictions pooled over the trained folds and scored.

Classifier OOF rows are scored with the competition metric per model family ("split" = the three split roles
together, "global", and "ensemble" = their mean where both predicted a row), each beside a prevalence-only
baseline scored on exactly the same rows (class frequencies of the training folds, per condition).
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from .metric import ScoredRow, competition_score, weighted_log_loss
from .tensor_index import TensorIndex
from .vocabulary import SEVERITY_WEIGHTS

RowKey = Tuple[str, str, str]  # (study id, condition, level)
SPLIT_ROLES = ("classifier-spinal", "classifier-foraminal", "classifier-subarticular")


def keypoint_cv(oof: Sequence[Mapping[str, Any]], mm_per_pixel: Mapping[int, float]) -> Dict[str, Optional[float]]:
    px = [e for rec in oof for e in rec["errorPx"] if e is not None]
    mm = [e * mm_per_pixel[rec["row"]] for rec in oof for e in rec["errorPx"]
          if e is not None and np.isfinite(mm_per_pixel.get(rec["row"], np.nan))]
    return {"meanPxError": float(np.mean(px)) if px else None,
            "medianPxError": float(np.median(px)) if px else None,
            "meanMmError": float(np.mean(mm)) if mm else None, "points": float(len(px)), "samples": float(len(oof))}


def _rows(oof: Iterable[Mapping[str, Any]]) -> Dict[RowKey, Tuple[int, List[float]]]:
    return {(r["studyId"], r["condition"], r["level"]): (int(r["label"]), list(r["probs"])) for r in oof}


def prevalence_baseline(index: TensorIndex, keys: Iterable[RowKey]) -> Dict[RowKey, List[float]]:
    """Per row: the class frequencies of its condition over the studies outside the row's fold (+1 smoothing)."""
    cache: Dict[Tuple[int, str], List[float]] = {}
    out: Dict[RowKey, List[float]] = {}
    for sid, condition, level in keys:
        fold = index.fold_of(sid)
        if (fold, condition) not in cache:
            counts = np.ones(3)
            for s in index.studies.values():
                if s.fold != fold:
                    for v in s.labels.get(condition, ()):
                        if v >= 0:
                            counts[v] += 1
            cache[(fold, condition)] = (counts / counts.sum()).tolist()
        out[(sid, condition, level)] = cache[(fold, condition)]
    return out


def _score(rows: Mapping[RowKey, Tuple[int, List[float]]], index: TensorIndex) -> Dict[str, Any]:
    labelled = {k: v for k, v in rows.items() if v[0] >= 0}
    base = prevalence_baseline(index, labelled)
    model = competition_score(ScoredRow(k[0], k[1], k[2], lab, p) for k, (lab, p) in labelled.items())
    baseline = competition_score(ScoredRow(k[0], k[1], k[2], lab, base[k]) for k, (lab, _) in labelled.items())
    return {**model, "baseline": baseline}


def classifier_cv(oof_by_role: Mapping[str, Sequence[Mapping[str, Any]]], index: TensorIndex) -> Dict[str, Any]:
    out: Dict[str, Any] = {"roles": {}}
    for role, oof in oof_by_role.items():
        rows = [r for r in oof if r["label"] >= 0]
        if rows:
            labels = np.asarray([r["label"] for r in rows])
            loss: Optional[float] = weighted_log_loss(labels, np.asarray([r["probs"] for r in rows]),
                                                      np.asarray(SEVERITY_WEIGHTS)[labels])
        else:
            loss = None
        out["roles"][role] = {"weightedLogLoss": loss, "rows": float(len(rows))}
    split: Dict[RowKey, Tuple[int, List[float]]] = {}
    for role in SPLIT_ROLES:
        split.update(_rows(oof_by_role.get(role, [])))
    glob = _rows(oof_by_role.get("classifier-global", []))
    if split:
        out["split"] = _score(split, index)
    if glob:
        out["global"] = _score(glob, index)
    both = {k: (split[k][0], ((np.asarray(split[k][1]) + np.asarray(glob[k][1])) / 2).tolist())
            for k in split.keys() & glob.keys()}
    if both:
        out["ensemble"] = _score(both, index)
    return out


