"""Edge cases for the parity cohorts, applied to a synthetic cohort before it is imported.

--drop-series N DESCRIPTION: the Nth study (sorted by id) loses that series (files, CSV row, its label coordinates).
--edge-labels N: the Nth study's label points move next to the image edges (a 50 mm ROI box then crosses the edge,
which the seed leaves zero): spinal L1/L2 to x = 3, left foraminal L5/S1 to 2 px above the bottom row, left
subarticular L3/L4 to 2 px left of the last column, right subarticular L4/L5 into the top-left corner.
--anisotropic-spacing N: every image of the Nth study gets non-square pixels (row spacing x 1.25, column spacing
x 0.85), so a ROI box is taller than wide in pixels: with the generator's square pixels, code that read
PixelSpacing[0] where the seed reads PixelSpacing[1] (x) would give the same numbers and pass.
"""
from __future__ import annotations

import argparse
import os
import shutil

import pandas as pd
import pydicom


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cohort")
    ap.add_argument("--drop-series", nargs=2, action="append", default=[], metavar=("N", "DESCRIPTION"))
    ap.add_argument("--edge-labels", type=int, action="append", default=[])
    ap.add_argument("--anisotropic-spacing", type=int, action="append", default=[])
    args = ap.parse_args()
    c = args.cohort
    series = pd.read_csv(os.path.join(c, "train_series_descriptions.csv"), dtype=str)
    coords = pd.read_csv(os.path.join(c, "train_label_coordinates.csv"), dtype={"study_id": str, "series_id": str})
    studies = sorted(series["study_id"].unique(), key=int)
    for n, description in args.drop_series:
        study = studies[int(n)]
        hit = series[(series.study_id == study) & (series.series_description == description)]
        for sid in hit.series_id:
            shutil.rmtree(os.path.join(c, "train_images", study, sid))
            coords = coords[~((coords.study_id == study) & (coords.series_id == sid))]
        series = series.drop(hit.index)
    for n in args.edge_labels:
        study = studies[n]
        moves = [("Spinal Canal Stenosis", "L1/L2", "left"), ("Left Neural Foraminal Narrowing", "L5/S1", "bottom"),
                 ("Left Subarticular Stenosis", "L3/L4", "right"), ("Right Subarticular Stenosis", "L4/L5", "corner")]
        for condition, level, where in moves:
            sel = (coords.study_id == study) & (coords.condition == condition) & (coords.level == level)
            for i in coords.index[sel]:
                row = coords.loc[i]
                ds = pydicom.dcmread(os.path.join(c, "train_images", study, row.series_id, f"{int(row.instance_number)}.dcm"),
                                     stop_before_pixels=True)
                if where == "left":
                    coords.loc[i, "x"] = 3.0
                elif where == "bottom":
                    coords.loc[i, "y"] = float(ds.Rows - 3)
                elif where == "right":
                    coords.loc[i, "x"] = float(ds.Columns - 3)
                else:
                    coords.loc[i, ["x", "y"]] = [4.5, 6.25]
    for n in args.anisotropic_spacing:
        study_dir = os.path.join(c, "train_images", studies[n])
        for root, _dirs, files in os.walk(study_dir):
            for name in files:
                path = os.path.join(root, name)
                ds = pydicom.dcmread(path)
                rows_mm, cols_mm = (float(v) for v in ds.PixelSpacing)
                ds.PixelSpacing = [f"{rows_mm * 1.25:.6f}", f"{cols_mm * 0.85:.6f}"]
                ds.save_as(path)
    series.to_csv(os.path.join(c, "train_series_descriptions.csv"), index=False)
    coords.to_csv(os.path.join(c, "train_label_coordinates.csv"), index=False)


if __name__ == "__main__":
    main()
