"""Writes a synthetic tensor export exactly as docs/training-format.md specifies, without the trainer's code.

Keypoint inputs: noise plus a Gaussian blob at every keypoint (so the heatmap target is visible in the image).
ROI stacks: noise plus a bright centred square whose size grows with the severity label (so a classifier can
learn it). Everything is z-scored per stack, as the real exporter does.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np

LEVELS = ["L1_L2", "L2_L3", "L3_L4", "L4_L5", "L5_S1"]
CONDITIONS = ["SPINAL_CANAL_STENOSIS", "LEFT_NEURAL_FORAMINAL_NARROWING", "RIGHT_NEURAL_FORAMINAL_NARROWING",
              "LEFT_SUBARTICULAR_STENOSIS", "RIGHT_SUBARTICULAR_STENOSIS"]
ROI_CONDITION = {"SAG_T2_SPINAL": 0, "AXIAL_SPINAL": 0, "SAG_T1_LEFT": 1, "SAG_T1_RIGHT": 2, "AXIAL_LEFT": 3,
                 "AXIAL_RIGHT": 4}
KEYPOINT_GROUPS = {"keypoints-sagittal-t2": (5, 5), "keypoints-sagittal-t1": (3, 5), "keypoints-axial": (3, 2)}


def zscore(stack: np.ndarray) -> np.ndarray:
    return ((stack - stack.mean()) / (stack.std() + 1e-6)).astype(np.float32)


def write_f32(path: Path, array: np.ndarray) -> None:
    """Raw little-endian float32, C order, no header."""
    path.write_bytes(np.ascontiguousarray(array, dtype="<f4").tobytes())


def blob_image(channels: int, size: int, points: np.ndarray, rng: np.random.RandomState, sigma: float) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    img = rng.normal(0, 0.1, (channels, size, size)).astype(np.float32)
    for x, y in points:
        img += np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * sigma ** 2))[None]
    return zscore(img)


def ordered_points(k: int, size: int, margin: int, rng: np.random.RandomState) -> np.ndarray:
    """Points in a fixed order like the anatomy's: levels top to bottom (k = 5), or left then right (k = 2)."""
    span = size - 1 - 2 * margin
    along = margin + span * (np.arange(k) + 0.5) / k + rng.uniform(-0.15, 0.15, k) * span / k
    across = rng.uniform(margin, size - 1 - margin, k) if k == 5 else np.full(k, rng.uniform(margin, size - 1 - margin))
    return np.stack([along, across], axis=1) if k == 2 else np.stack([across, along], axis=1)


def roi_stack(slices: int, size: int, severity: int, rng: np.random.RandomState) -> np.ndarray:
    img = rng.normal(0, 0.3, (slices, size, size)).astype(np.float32)
    half = [size // 8, size // 4, 3 * size // 8][max(severity, 0)]
    c = size // 2
    img[:, c - half:c + half, c - half:c + half] += 2.0
    return zscore(img)


def write_export(out: Path, studies: int = 8, folds: int = 2, kp_size: int = 64, roi_size: int = 32,
                 slices: int = 5, seed: int = 0, missing_label: bool = True,
                 keypoint_groups: Optional[List[str]] = None) -> Path:
    """Writes index.json + .f32 files under `out`; returns the index path."""
    rng = np.random.RandomState(seed)
    out.mkdir(parents=True, exist_ok=True)
    study_rows: List[Dict[str, Any]] = []
    labels: Dict[str, List[List[int]]] = {}
    for i in range(studies):
        sid = str(1000 + i)
        grid = rng.choice(3, size=(5, 5), p=[0.5, 0.3, 0.2]).tolist()
        if missing_label and i == 0:
            grid[0][4] = -1  # one ungraded cell, as in the real train.csv
        labels[sid] = grid
        study_rows.append({"studyId": sid, "fold": i % folds,
                           "labels": {c: grid[j] for j, c in enumerate(CONDITIONS)}})
    index: Dict[str, Any] = {"version": 1, "studies": study_rows, "keypoints": {}, "rois": {}}
    margin = kp_size // 8
    for role in keypoint_groups if keypoint_groups is not None else list(KEYPOINT_GROUPS):
        channels, k = KEYPOINT_GROUPS[role]
        data, samples = [], []
        for s in study_rows:
            pts = ordered_points(k, kp_size, margin, rng)
            data.append(blob_image(channels, kp_size, pts, rng, sigma=kp_size / 40))
            rec: Dict[str, Any] = {"studyId": s["studyId"], "points": pts.round(3).tolist(), "mmPerPixel": 0.5}
            if role == "keypoints-axial":
                rec["level"] = "L4_L5"
                rec["points"][1] = None if s["studyId"] == "1001" else rec["points"][1]
            if role == "keypoints-sagittal-t1":
                rec["side"] = "LEFT"
            samples.append(rec)
        write_f32(out / f"{role}.f32", np.stack(data))
        index["keypoints"][role] = {"file": f"{role}.f32", "dtype": "float32",
                                    "shape": [len(data), channels, kp_size, kp_size], "samples": samples}
    for kind, cond in ROI_CONDITION.items():
        data, samples = [], []
        for s in study_rows:
            for lv, level in enumerate(LEVELS):
                if kind.startswith("AXIAL") and s["studyId"] == "1002" and level == "L1_L2":
                    continue  # a missing axial ROI: the trainer must feed zeros
                data.append(roi_stack(slices, roi_size, labels[s["studyId"]][cond][lv], rng))
                samples.append({"studyId": s["studyId"], "level": level})
        write_f32(out / f"roi-{kind}.f32", np.stack(data))
        index["rois"][kind] = {"file": f"roi-{kind}.f32", "shape": [len(data), slices, roi_size, roi_size],
                               "samples": samples}
    path = out / "index.json"
    path.write_text(json.dumps(index), encoding="utf-8")
    return path


def write_request(path: Path, index: Path, output_dir: Path, **fields: Any) -> Path:
    request = {"version": 1, "outputDir": str(output_dir), "config": "tiny", "seed": 7, "tensorIndex": str(index),
               "device": "cpu", **fields}
    path.write_text(json.dumps(request), encoding="utf-8")
    return path
