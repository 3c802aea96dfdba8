"""The RSNA 2024 competition metric (docs/evaluation.md states every edge case and why).

Equal to the seed's rsna2024/utils/rsna_lumbar_metric.score (scikit-learn 1.2 `log_loss`) to 1e-9 (npm run
test:parity). Per core condition a sample-weighted log loss (weights 1/2/4 by the true severity): each probability
is clipped to [eps, 1 - eps] (eps = float64 machine epsilon), then each triple renormalised to sum 1. Plus
`any_severe_spinal` per study: label = any severe spinal row, prediction = the largest RAW severe probability of
the study's spinal rows (not renormalised), clipped; weight = the largest row weight. The score is the mean of
the parts. Where the seed raises (a part with no labelled rows; every study with the same any-severe label), this
computes what the formula gives: a part with no rows is left out of the mean (reported as None), and a one-label
any-severe part is the plain weighted binary log loss.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence

import numpy as np

from .vocabulary import CORE_OF_CONDITION, SEVERITY_WEIGHTS

EPS = float(np.finfo(np.float64).eps)
CORES = ("spinal", "foraminal", "subarticular")


@dataclass(frozen=True)
class ScoredRow:
    study_id: str
    condition: str          # e.g. SPINAL_CANAL_STENOSIS
    level: str              # e.g. L4_L5
    label: int              # 0 NORMAL_MILD, 1 MODERATE, 2 SEVERE
    probs: Sequence[float]  # (normal_mild, moderate, severe)


def _normalised(probs: np.ndarray) -> np.ndarray:
    """scikit-learn's order: clip, then renormalise."""
    p = np.clip(np.asarray(probs, dtype=np.float64), EPS, 1 - EPS)
    return p / p.sum(axis=1, keepdims=True)


def weighted_log_loss(labels: np.ndarray, probs: np.ndarray, weights: np.ndarray) -> float:
    """Multi-class log loss of one-hot `labels` under `probs` [N, C], each row weighted by `weights`."""
    p = _normalised(probs)
    picked = p[np.arange(len(labels)), labels]
    return float(-(weights * np.log(picked)).sum() / weights.sum())


def competition_score(rows: Iterable[ScoredRow]) -> Dict[str, Optional[float]]:
    """{spinal, foraminal, subarticular, anySevereSpinal, score, rows}; parts without rows are None."""
    scored = [r for r in rows if r.label in (0, 1, 2)]
    w_of = np.asarray(SEVERITY_WEIGHTS, dtype=np.float64)
    out: Dict[str, Optional[float]] = {}
    for core in CORES:
        part = [r for r in scored if CORE_OF_CONDITION[r.condition] == core]
        if not part:
            out[core] = None
            continue
        labels = np.asarray([r.label for r in part], dtype=np.int64)
        out[core] = weighted_log_loss(labels, np.asarray([r.probs for r in part]), w_of[labels])

    by_study: Dict[str, List[ScoredRow]] = {}
    for r in scored:
        if CORE_OF_CONDITION[r.condition] == "spinal":
            by_study.setdefault(r.study_id, []).append(r)
    if by_study:
        ids = sorted(by_study)
        y = np.asarray([max(int(r.label == 2) for r in by_study[s]) for s in ids], dtype=np.int64)
        q = np.asarray([max(float(r.probs[2]) for r in by_study[s]) for s in ids])
        w = np.asarray([max(w_of[r.label] for r in by_study[s]) for s in ids])
        out["anySevereSpinal"] = weighted_log_loss(y, np.stack([1 - q, q], axis=1), w)
    else:
        out["anySevereSpinal"] = None

    parts = [v for k, v in out.items() if v is not None]
    out["score"] = float(np.mean(parts)) if parts else None
    out["rows"] = float(len(scored))
    return out
