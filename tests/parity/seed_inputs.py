"""Compares `spinegraph export model-inputs` with what the seed's own Dataset objects feed its models.

Usage: seed_inputs.py COHORT_DIR EXPORT_DIR --keypoint-size N --roi-size N [--coordinates labels|predicted]

COHORT_DIR is a synthetic cohort in the RSNA layout (train_images/, train.csv, train_series_descriptions.csv,
train_label_coordinates.csv) that spinegraph imported; EXPORT_DIR is what `export model-inputs` wrote from it.
The seed's datasets (rsna2024/data_loader/datasets.py, from ../shared/reference) are built on the same files:
with `labels` their coordinates come from the seed's own preproc/normalize_coordinates.normalize over the raw
label CSV; with `predicted` from EXPORT_DIR/coordinates.csv (spinegraph's keypoints in generate_coords.py's
format). Every spinegraph sample must use the same slices as the seed (instance numbers per channel) and differ
by at most --tolerance; a sample spinegraph skipped must be all zero in the seed. Prints one JSON line per role
with the largest absolute difference; exits 1 on any mismatch.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.abspath(os.path.join(HERE, "..", "..", "..", "shared", "reference"))
sys.path.insert(0, REFERENCE)
import seed_env  # noqa: E402,F401

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from rsna2024.data_loader import datasets as seed  # noqa: E402
from rsna2024.preproc.normalize_coordinates import normalize  # noqa: E402

LEVELS = ["l1_l2", "l2_l3", "l3_l4", "l4_l5", "l5_s1"]


class ReadLog:
    """Records the files each get_image / get_roi call reads after its two direction-fixing reads."""

    def __init__(self) -> None:
        self.calls: List[List[int]] = []
        self._current: Optional[List[str]] = None
        real = seed.pydicom.dcmread

        def dcmread(path, *a, **k):  # type: ignore[no-untyped-def]
            if self._current is not None:
                self._current.append(str(path))
            return real(path, *a, **k)

        seed.pydicom.dcmread = dcmread
        for cls, name in ((seed.CoordDataset, "get_image"), (seed.ROIDataset, "get_roi")):
            self._wrap(cls, name)

    def _wrap(self, cls, name: str) -> None:  # type: ignore[no-untyped-def]
        inner = getattr(cls, name)
        log = self

        def wrapped(self_, *a, **k):  # type: ignore[no-untyped-def]
            log._current = []
            try:
                return inner(self_, *a, **k)
            finally:
                read = log._current[2:]
                log.calls.append([int(os.path.basename(p).rstrip(".dcm")) for p in read])
                log._current = None

        setattr(cls, name, wrapped)

    def take(self) -> List[List[int]]:
        out, self.calls = self.calls, []
        return out


def label_coordinates(cohort: str) -> pd.DataFrame:
    """preproc/normalize_coordinates.py on the cohort's raw label CSV (the seed's own function, row by row)."""
    df = pd.read_csv(os.path.join(cohort, "train_label_coordinates.csv"), dtype={"study_id": "str", "series_id": "str"})
    condition = df["condition"].str.replace(" ", "_").str.lower()
    level = df["level"].str.replace("/", "_").str.lower()
    df["row_id"] = condition + "_" + level
    cols = ["x_norm", "y_norm", "instance_number_norm", "file_num", "dcm_instance_number", "slice_dir"]
    df[cols] = df.apply(normalize, axis=1, result_type="expand", raw_data_dir=cohort)
    return df


def chw(x: np.ndarray) -> np.ndarray:
    """The seed's datasets return H x W x C; its valid transform (ToTensorV2) makes that C x H x W."""
    return np.ascontiguousarray(np.transpose(np.asarray(x, dtype=np.float32), (2, 0, 1)))


class Check:
    def __init__(self, tolerance: float) -> None:
        self.tolerance = tolerance
        self.max_diff: Dict[str, float] = {}
        self.samples: Dict[str, int] = {}
        self.failures: List[str] = []

    def tensor(self, role: str, what: str, ours: np.ndarray, theirs: np.ndarray) -> None:
        if ours.shape != theirs.shape:
            self.failures.append(f"{what}: shape {ours.shape} vs seed {theirs.shape}")
            return
        diff = float(np.max(np.abs(ours.astype(np.float64) - theirs.astype(np.float64)))) if ours.size else 0.0
        self.max_diff[role] = max(self.max_diff.get(role, 0.0), diff)
        self.samples[role] = self.samples.get(role, 0) + 1
        if not diff <= self.tolerance:
            self.failures.append(f"{what}: max abs difference {diff:.3g} > {self.tolerance:g}")

    def slices(self, what: str, ours: List[Optional[int]], seed_read: List[int]) -> None:
        used = [i for i in ours if i is not None]
        # A ROI the seed stops at a box past the edge has read (not used) that slice: one extra read at most.
        if seed_read[: len(used)] != used or len(seed_read) - len(used) not in (0, 1):
            self.failures.append(f"{what}: slices {ours} vs seed read {seed_read}")
        elif len(seed_read) == len(used) + 1 and None not in ours:
            self.failures.append(f"{what}: seed stopped at slice {seed_read[-1]}, spinegraph used every channel")


def projections(cohort: str, coords: pd.DataFrame, check: "Check") -> int:
    """generate_coords.py's Sag T2 -> axial step on spinegraph's Sag T2 points must give spinegraph's axial slices."""
    from rsna2024.preproc import generate_coords as gc

    df_series = pd.read_csv(os.path.join(cohort, "train_series_descriptions.csv"), dtype={"study_id": "str", "series_id": "str"})
    img_dir = os.path.join(cohort, "train_images")
    n = 0
    for study in sorted(coords.study_id.unique()):
        rows = coords[coords.study_id == study]
        for level in LEVELS:
            sag = rows[rows.row_id == f"spinal_canal_stenosis_{level}"].iloc[0]
            ax = rows[rows.row_id == f"left_subarticular_stenosis_{level}"].iloc[0]
            mid, axi = gc.get_sagi2axi_data(study, sag.series_id, img_dir, df_series)
            if mid is None or axi is None or pd.isnull(sag.x_norm):
                want = (None, None)
            else:
                sid, inst = gc.sagi_coord_to_axi_instance_number(sag.x_norm, sag.y_norm, mid, axi)
                want = (sid, None if pd.isnull(inst) else int(inst))
            got = (None if pd.isnull(ax.series_id) else ax.series_id, None if pd.isnull(ax.instance_number) else int(ax.instance_number))
            if want != got:
                check.failures.append(f"{study} {level}: the seed projects the Sag T2 point to {want}, spinegraph to {got}")
            n += 1
    return n


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("cohort")
    ap.add_argument("export")
    ap.add_argument("--keypoint-size", type=int, required=True)
    ap.add_argument("--roi-size", type=int, required=True)
    ap.add_argument("--coordinates", choices=["labels", "predicted"], default="labels")
    ap.add_argument("--tolerance", type=float, default=1e-4)
    args = ap.parse_args()

    cohort = os.path.abspath(args.cohort)
    index = json.load(open(os.path.join(args.export, "index.json")))
    if args.coordinates == "labels":
        coords = label_coordinates(cohort)
    else:
        coords = pd.read_csv(os.path.join(args.export, "coordinates.csv"), dtype={"study_id": "str", "series_id": "str"})
    train = pd.read_csv(os.path.join(cohort, "train.csv"), dtype={"study_id": "str"})
    # The seed's data loader maps the grades with the config's `labels` (Normal/Mild 0, Moderate 1, Severe 2).
    train = train.replace({"Normal/Mild": 0, "Moderate": 1, "Severe": 2})
    root, data_dir = os.path.split(cohort)
    log = ReadLog()
    check = Check(args.tolerance)

    def dataset(cls, resolution: int, img_num, **extra):  # type: ignore[no-untyped-def]
        return cls(df=train.copy(), root_dir=root, data_dir=data_dir, img_num=img_num, resolution=resolution,
                   phase="valid", df_coordinates=coords.copy(), **extra)

    k, r = args.keypoint_size, args.roi_size
    sets = {
        "keypoints-sagittal-t2": dataset(seed.Sagt2CoordDataset, k, 5, heatmap_std=10),
        "keypoints-sagittal-t1": dataset(seed.Sagt1CoordDataset, k, 3, heatmap_std=10),
        "keypoints-axial": dataset(seed.AxiCoordDataset, k, 3, heatmap_std=10),
        "classifier-spinal": dataset(seed.SpinalROIDataset, r, [5, 5], roi_size=50),
        "classifier-foraminal": dataset(seed.ForaminalROIDataset, r, 5, roi_size=50),
        "classifier-subarticular": dataset(seed.SubarticularROIDataset, r, 5, roi_size=50),
        "classifier-global": dataset(seed.GlobalROIDataset, r, [5, 5, 5], roi_size=50),
    }

    def find(ds, **match: str) -> int:  # type: ignore[no-untyped-def]
        rows = ds.df
        mask = np.ones(len(rows), dtype=bool)
        for key, value in match.items():
            mask &= (rows[key].astype(str) == value).values
        hits = np.flatnonzero(mask)
        if len(hits) != 1:
            raise SystemExit(f"seed dataset has {len(hits)} rows for {match}")
        return int(hits[0])

    def seed_sample(role: str, study: str, level: Optional[str], side: Optional[str]) -> Tuple[np.ndarray, List[List[int]]]:
        ds = sets[role]
        lvl = level.lower() if level else None
        sd = side.lower() if side else None
        log.take()
        if role == "keypoints-sagittal-t2":
            item = ds[find(ds, study_id=study)]
            return chw(item[0])[None], log.take()
        if role == "keypoints-sagittal-t1":
            item = ds[find(ds, study_id=study, side=sd)]
            return chw(item[0])[None], log.take()
        if role == "keypoints-axial":
            item = ds[find(ds, study_id=study, level=lvl)]
            return chw(item[0])[None], log.take()
        if role == "classifier-spinal":
            item = ds[find(ds, study_id=study, level=lvl)]
            return np.stack([chw(item[0]), chw(item[1])]), log.take()
        if role in ("classifier-foraminal", "classifier-subarticular"):
            item = ds[find(ds, study_id=study, level=lvl, side=sd)]
            return chw(item[0])[None], log.take()
        item = ds[find(ds, study_id=study, level=lvl)]
        calls = log.take()
        # Calls: Sag T2, then per side (left, right) Sag T1 and axial; slots: T2, T1 L, T1 R, axial L, axial R.
        order = [0, 1, 3, 2, 4]
        return np.stack([chw(item[i]) for i in range(5)]), [calls[i] for i in order]

    for s in index["samples"]:
        ours = np.load(os.path.join(args.export, s["file"]))
        theirs, reads = seed_sample(s["role"], s["studyExternalId"], s["level"], s["side"])
        what = f"{s['file']}"
        if s["role"].startswith("keypoints"):
            theirs = theirs[0]  # one slot: the index's shape has no slot axis for keypoint inputs
        check.tensor(s["role"], what, ours, theirs)
        for j, slot in enumerate(s["slots"]):
            check.slices(f"{what} slot {j}", slot["instanceNumbers"], reads[j] if j < len(reads) else [])
    # Samples spinegraph did not write: the seed must feed zeros there.
    for s in index["skipped"]:
        side = s["side"] if s["side"] in ("LEFT", "RIGHT") else None
        if s["role"] in ("classifier-foraminal", "classifier-subarticular"):
            continue  # split variants are named by the variant, not the sample side; covered by their written rows
        theirs, _ = seed_sample(s["role"], s["studyExternalId"], s["level"], side)
        if np.any(theirs != 0):
            check.failures.append(f"{s['studyExternalId']} {s['role']} {s['level']} {side}: spinegraph skipped it ({s['reason']}), the seed feeds non-zero input")
        check.samples["skipped-and-zero-in-seed"] = check.samples.get("skipped-and-zero-in-seed", 0) + 1

    if args.coordinates == "predicted":
        check.samples["axial-projections"] = projections(cohort, coords, check)

    print(json.dumps({"coordinates": args.coordinates, "keypointSize": k, "roiSize": r,
                      "maxAbsDiff": check.max_diff, "samples": check.samples, "failures": check.failures[:20],
                      "failureCount": len(check.failures)}))
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())
