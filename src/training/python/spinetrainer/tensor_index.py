"""Reads the exported tensors: an index JSON plus raw little-endian float32 files (format version 1).

The exporter (src/training, TypeScript) writes them; docs/training-format.md is the specification.
Data files are memory-mapped, so a cohort larger than RAM trains without loading it whole.
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from . import FORMAT_VERSION
from .vocabulary import CONDITIONS, KEYPOINT_OUTPUTS, LEVELS, ROI_KINDS


class TensorIndexError(ValueError):
    """The tensor index or a data file does not follow the format."""


@dataclass(frozen=True)
class Study:
    study_id: str
    fold: int
    # condition -> severity index per level (LEVELS order); -1 = not graded
    labels: Dict[str, Tuple[int, ...]]

    def label(self, condition: str, level: str) -> int:
        row = self.labels.get(condition)
        return -1 if row is None else row[LEVELS.index(level)]


@dataclass(frozen=True)
class KeypointGroup:
    role: str
    data: np.ndarray             # [N, C, H, W] float32 (memory-mapped)
    study_ids: Tuple[str, ...]
    points: np.ndarray           # [N, K, 2] float32 (x, y) in the input's pixel grid; NaN = missing
    mm_per_pixel: np.ndarray     # [N] float32; NaN = unknown


@dataclass(frozen=True)
class RoiGroup:
    kind: str
    data: np.ndarray             # [N, S, H, W] float32 (memory-mapped)
    rows: Dict[Tuple[str, str], int]  # (study id, level) -> row


@dataclass(frozen=True)
class TensorIndex:
    path: Path
    studies: Dict[str, Study]
    keypoints: Dict[str, KeypointGroup]
    rois: Dict[str, RoiGroup]
    data_files: Tuple[Path, ...]
    meta: Dict[str, Any]  # the exporter's free-form description, copied into every manifest's provenance

    def folds(self) -> Tuple[int, ...]:
        return tuple(sorted({s.fold for s in self.studies.values()}))

    def fold_of(self, study_id: str) -> int:
        return self.studies[study_id].fold


def _fail(where: str, message: str) -> TensorIndexError:
    return TensorIndexError(f"{where}: {message}")


def _as_int(value: Any) -> Optional[int]:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _open_f32(base: Path, where: str, spec: Mapping[str, Any], rank: int) -> Tuple[np.ndarray, Path]:
    file_name = spec.get("file")
    if not isinstance(file_name, str) or not file_name:
        raise _fail(where, "'file' must name the data file")
    if spec.get("dtype", "float32") != "float32":
        raise _fail(where, f"dtype must be 'float32', got {spec.get('dtype')!r}")
    shape = spec.get("shape")
    if not isinstance(shape, list) or len(shape) != rank or any(_as_int(d) is None or d < 0 for d in shape):
        raise _fail(where, f"'shape' must be a list of {rank} non-negative integers, got {shape!r}")
    path = base / file_name
    if not path.is_file():
        raise _fail(where, f"data file not found: {path}")
    expected = 4 * math.prod(shape)
    actual = path.stat().st_size
    if actual != expected:
        raise _fail(where, f"{path.name} holds {actual} bytes, shape {shape} needs {expected} (float32)")
    if expected == 0:
        return np.zeros(shape, dtype=np.float32), path
    return np.memmap(path, dtype="<f4", mode="r", shape=tuple(shape)), path


def _samples(where: str, spec: Mapping[str, Any], n: int) -> List[Mapping[str, Any]]:
    samples = spec.get("samples")
    if not isinstance(samples, list) or len(samples) != n:
        raise _fail(where, f"'samples' must list one record per row ({n}), got "
                           f"{len(samples) if isinstance(samples, list) else type(samples).__name__}")
    return samples


def _parse_studies(raw: Any) -> Dict[str, Study]:
    if not isinstance(raw, list) or not raw:
        raise _fail("studies", "must be a non-empty list")
    studies: Dict[str, Study] = {}
    for i, s in enumerate(raw):
        where = f"studies[{i}]"
        sid, fold = s.get("studyId"), _as_int(s.get("fold"))
        if not isinstance(sid, str) or not sid:
            raise _fail(where, "studyId must be a non-empty string")
        if sid in studies:
            raise _fail(where, f"duplicate studyId {sid}")
        if fold is None or fold < 0:
            raise _fail(where, "fold must be a non-negative integer")
        labels_raw = s.get("labels", {})
        labels: Dict[str, Tuple[int, ...]] = {}
        for cond, row in labels_raw.items():
            if cond not in CONDITIONS:
                raise _fail(where, f"unknown condition {cond!r}")
            if not isinstance(row, list) or len(row) != len(LEVELS) or any(
                    _as_int(v) is None or v < -1 or v > 2 for v in row):
                raise _fail(where, f"labels.{cond} must be {len(LEVELS)} integers in -1..2, got {row!r}")
            labels[cond] = tuple(row)
        studies[sid] = Study(study_id=sid, fold=fold, labels=labels)
    return studies


def _check_study(where: str, sid: Any, studies: Mapping[str, Study]) -> str:
    if not isinstance(sid, str) or sid not in studies:
        raise _fail(where, f"studyId {sid!r} is not listed in 'studies'")
    return sid


def _parse_keypoints(base: Path, role: str, spec: Mapping[str, Any], studies: Mapping[str, Study]
                     ) -> Tuple[KeypointGroup, Path]:
    where = f"keypoints.{role}"
    if role not in KEYPOINT_OUTPUTS:
        raise _fail(where, f"unknown keypoint role; one of {list(KEYPOINT_OUTPUTS)}")
    data, path = _open_f32(base, where, spec, 4)
    n, k = data.shape[0], len(KEYPOINT_OUTPUTS[role])
    samples = _samples(where, spec, n)
    points = np.full((n, k, 2), np.nan, dtype=np.float32)
    mm = np.full((n,), np.nan, dtype=np.float32)
    ids: List[str] = []
    h, w = data.shape[2], data.shape[3]
    for i, rec in enumerate(samples):
        rw = f"{where}.samples[{i}]"
        ids.append(_check_study(rw, rec.get("studyId"), studies))
        pts = rec.get("points")
        if not isinstance(pts, list) or len(pts) != k:
            raise _fail(rw, f"points must list {k} entries ({', '.join(KEYPOINT_OUTPUTS[role])}), each [x, y] or null")
        for j, p in enumerate(pts):
            if p is None:
                continue
            if (not isinstance(p, list) or len(p) != 2
                    or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in p)):
                raise _fail(rw, f"points[{j}] must be [x, y] numbers or null, got {p!r}")
            if not (-0.5 <= p[0] <= w - 0.5 and -0.5 <= p[1] <= h - 0.5):
                raise _fail(rw, f"points[{j}] = {p} lies outside the {w}x{h} input")
            points[i, j] = p
        mpp = rec.get("mmPerPixel")
        if mpp is not None:
            if not isinstance(mpp, (int, float)) or isinstance(mpp, bool) or not mpp > 0:
                raise _fail(rw, f"mmPerPixel must be a positive number, got {mpp!r}")
            mm[i] = mpp
    return KeypointGroup(role=role, data=data, study_ids=tuple(ids), points=points, mm_per_pixel=mm), path


def _parse_rois(base: Path, kind: str, spec: Mapping[str, Any], studies: Mapping[str, Study]
                ) -> Tuple[RoiGroup, Path]:
    where = f"rois.{kind}"
    if kind not in ROI_KINDS:
        raise _fail(where, f"unknown ROI kind; one of {list(ROI_KINDS)}")
    data, path = _open_f32(base, where, spec, 4)
    rows: Dict[Tuple[str, str], int] = {}
    for i, rec in enumerate(_samples(where, spec, data.shape[0])):
        rw = f"{where}.samples[{i}]"
        sid = _check_study(rw, rec.get("studyId"), studies)
        level = rec.get("level")
        if level not in LEVELS:
            raise _fail(rw, f"level must be one of {list(LEVELS)}, got {level!r}")
        if (sid, level) in rows:
            raise _fail(rw, f"duplicate ROI for study {sid} at {level}")
        rows[(sid, level)] = i
    return RoiGroup(kind=kind, data=data, rows=rows), path


def load_tensor_index(path: Path) -> TensorIndex:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TensorIndexError(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(raw, dict) or raw.get("version") != FORMAT_VERSION:
        raise _fail(str(path), f"version must be {FORMAT_VERSION}")
    base = path.resolve().parent
    studies = _parse_studies(raw.get("studies"))
    files: List[Path] = []
    keypoints: Dict[str, KeypointGroup] = {}
    for role, spec in (raw.get("keypoints") or {}).items():
        keypoints[role], p = _parse_keypoints(base, role, spec, studies)
        files.append(p)
    rois: Dict[str, RoiGroup] = {}
    for kind, spec in (raw.get("rois") or {}).items():
        rois[kind], p = _parse_rois(base, kind, spec, studies)
        files.append(p)
    slices = {g.data.shape[1] for g in rois.values()}
    sizes = {g.data.shape[2:] for g in rois.values()}
    if len(slices) > 1 or len(sizes) > 1:
        raise _fail("rois", f"every ROI group must share one [S, H, W]; got slices {slices} and sizes {sizes}")
    meta = raw.get("meta", {})
    if not isinstance(meta, dict):
        raise _fail("meta", "must be an object")
    return TensorIndex(path=path, studies=studies, keypoints=keypoints, rois=rois, data_files=tuple(files),
                       meta=meta)


def data_hash(index: TensorIndex, chunk: int = 1 << 20) -> str:
    """sha256 over the index bytes and every data file it names, in index order: the training data's identity."""
    h = hashlib.sha256()
    h.update(index.path.read_bytes())
    for f in index.data_files:
        h.update(f.name.encode())
        with f.open("rb") as fh:
            while True:
                block = fh.read(chunk)
                if not block:
                    break
                h.update(block)
    return h.hexdigest()


def describe(index: TensorIndex) -> Dict[str, Sequence[int]]:
    """Shapes of every group, for the start event and the logs."""
    out: Dict[str, Sequence[int]] = {f"keypoints.{r}": list(g.data.shape) for r, g in index.keypoints.items()}
    out.update({f"rois.{k}": list(g.data.shape) for k, g in index.rois.items()})
    return out
