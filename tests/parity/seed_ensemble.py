"""The seed's own inference path over a whole random-weight ensemble (parity test 2 of issue 14; reference only).

    seed_ensemble.py ROOT --keypoints SAGT2 SAGT1 AXI --models NAME [NAME ...]

ROOT is laid out as the seed's code expects it: ROOT/data/raw (a spinegraph-made synthetic cohort in the RSNA
layout) and ROOT/models/rsna-2024-<name>/ (config.json, splits.csv, <folder>-cv<k>_best.pt). Steps, each the
seed's own code from ../shared/reference:
  1. preproc/normalize_coordinates.py writes data/processed/train_label_coordinates.csv (the keypoint datasets read
     it in the `predict` phase to pick their series);
  2. preproc/generate_coords.gen_coord_df: keypoint models -> heatmap argmax -> the coordinate table, written and
     read back as the notebook reads it (dtype str ids);
  3. every ROI model folder: its Dataset in the `predict` phase on that table -> the model (every trained fold) ->
     logits, in the seed's Trainer.predict;
  4. the notebook's ensemble: per row, the mean of the logits of every model and fold that covers it (the
     notebook's `(sum(preds_list) + sum(global_preds_list)) / 6` with equal weights), then
     utils/rsna_lumbar_metric.prepare_data's softmax.
Prints one JSON line: {"keypoints": [{studyId, rowId, seriesId, x, y, instanceNumber}], "probabilities":
{studyId: {rowId: [normal_mild, moderate, severe]}}, "models": {name: folds}}.

The one part not run from the seed's file is rsna2024/runner.py: it does not parse on Python 3.11 (an f-string
reuses its quote character, PEP 701 is 3.12) and imports wandb. SeedRunner below is its `predict` (and the
RunnerBase methods it calls) for studies no fold was trained on: every trained fold predicts every study (the seed's
predict is out-of-fold over splits.csv, which leaves an unseen study with no prediction), with the seed's valid
transform (albumentations' ToTensorV2, stubbed in ../shared/reference) and no worker processes.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import types
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.abspath(os.path.join(HERE, "..", "..", "..", "shared", "reference"))
sys.path.insert(0, REFERENCE)
import seed_env  # noqa: E402,F401

sys.modules.setdefault("wandb", types.ModuleType("wandb"))  # the seed's Trainer imports it for logging only
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from rsna2024 import data_loader as module_data  # noqa: E402
from rsna2024 import model as module_model  # noqa: E402
from rsna2024.preproc import generate_coords as gc  # noqa: E402
from rsna2024.preproc.normalize_coordinates import normalize_coordinates  # noqa: E402
from rsna2024.trainer import Trainer  # noqa: E402
from rsna2024.utils import rsna_lumbar_metric  # noqa: E402

ROOT = ""
LEVELS = ["l1_l2", "l2_l3", "l3_l4", "l4_l5", "l5_s1"]
# The global model's 15 logits unflatten to [3 classes, 5 conditions] in this order (GlobalROIDataset's labels).
GLOBAL_CONDITIONS = ["spinal_canal_stenosis", "left_neural_foraminal_narrowing", "right_neural_foraminal_narrowing",
                     "left_subarticular_stenosis", "right_subarticular_stenosis"]
# prepare_data's 25 columns: condition-major, levels inside.
ROW_IDS = [f"{c}_{lvl}" for c in GLOBAL_CONDITIONS for lvl in LEVELS]


class ToTensor:
    """albumentations' ToTensorV2 as the seed's valid transforms (NoAug, NoAugMultiple) apply it: image HWC -> CHW.
    Indexable because GlobalROIDataset takes one transform per series type."""

    def __call__(self, image: np.ndarray, mask: Optional[np.ndarray] = None) -> Dict[str, Any]:
        img = image[:, :, None] if image.ndim == 2 else image
        out: Dict[str, Any] = {"image": torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))}
        if mask is not None:
            out["mask"] = mask  # the training target; unused by predictions
        return out

    def __getitem__(self, _: int) -> "ToTensor":
        return self


class SeedRunner:
    """rsna2024/runner.py Runner.predict for unseen studies (see the module docstring for why it is restated)."""

    def __init__(self, cfg: Dict[str, Any], model_name: str) -> None:
        self.cfg = cfg
        self.model_name = model_name
        self.model_dir = os.path.join(ROOT, "models", model_name)
        df = pd.read_csv(os.path.join(ROOT, "data", "raw", "train.csv"), dtype={"study_id": "str"})
        self.df = df.replace(cfg["labels"])

    def build_model(self) -> torch.nn.Module:
        args = dict(self.cfg["model"]["args"])
        # Pretrained weights are overwritten by load_state_dict; not downloading them changes nothing.
        args["encoder_weights" if self.cfg["model"]["type"] == "CoordModel" else "pretrained"] = (
            None if self.cfg["model"]["type"] == "CoordModel" else False)
        return getattr(module_model, self.cfg["model"]["type"])(**args)

    def get_dataloader(self, df: pd.DataFrame, df_coordinates: Optional[pd.DataFrame]) -> torch.utils.data.DataLoader:
        dataset = getattr(module_data, self.cfg["dataset"]["type"])(
            df, root_dir=ROOT, df_coordinates=df_coordinates, phase="predict", transform=ToTensor(),
            **self.cfg["dataset"]["args"])
        loader_args = dict(self.cfg["data_loader"]["args"], num_workers=0, pin_memory=False)
        return getattr(module_data, self.cfg["data_loader"]["type"])(dataset, "valid", **loader_args)

    def folds(self) -> int:
        return 1 if self.cfg["trainer"]["one_fold"] else int(self.cfg["trainer"]["cv_fold"])

    def predict(self, df_coordinates: Optional[pd.DataFrame] = None, id_var_num: int = 0) -> Tuple[Any, ...]:
        preds: List[np.ndarray] = []
        id_vars: List[List[np.ndarray]] = [[] for _ in range(id_var_num)]
        for cv in range(self.folds()):
            trainer = Trainer(self.build_model(), None, self.get_dataloader(self.df, df_coordinates), None,
                              device=torch.device("cpu"), metrics=self.cfg["trainer"]["metrics"])
            trainer.load_state(os.path.join(self.model_dir, f"{self.model_name}-cv{cv + 1}_best.pt"))
            output = trainer.predict(id_var_num=id_var_num)
            preds.append(output[0])
            for i in range(id_var_num):
                id_vars[i].append(np.asarray(output[2 + i]))
        return (np.concatenate(preds), None, self.df, *[np.concatenate(v) for v in id_vars])

    def rows(self, df_coordinates: pd.DataFrame) -> pd.DataFrame:
        """The dataset's rows in prediction order (its df after the seed's wide_to_long)."""
        return self.get_dataloader(self.df, df_coordinates).dataset.df.reset_index(drop=True)


def roi_logits(name: str, coord_df: pd.DataFrame, logits: Dict[Tuple[str, str], List[np.ndarray]]) -> int:
    cfg = json.load(open(os.path.join(ROOT, "models", f"rsna-2024-{name}", "config.json"), encoding="utf-8"))
    runner = SeedRunner(cfg, f"rsna-2024-{name}")
    rows = runner.rows(coord_df)
    preds = runner.predict(df_coordinates=coord_df)[0]
    folds = runner.folds()
    preds = preds.reshape(folds, len(rows), -1)
    kind = cfg["model"]["type"]
    for i, row in rows.iterrows():
        study, level = str(row.study_id), str(row.level)
        for f in range(folds):
            y = preds[f, i]
            if kind == "GlobalROIModel":
                per_condition = y.reshape(3, 5)
                for c, condition in enumerate(GLOBAL_CONDITIONS):
                    logits.setdefault((study, f"{condition}_{level}"), []).append(per_condition[:, c])
            elif kind == "SpinalROIModel":
                logits.setdefault((study, f"spinal_canal_stenosis_{level}"), []).append(y)
            else:
                condition = "neural_foraminal_narrowing" if kind == "ForaminalROIModel" else "subarticular_stenosis"
                logits.setdefault((study, f"{row.side}_{condition}_{level}"), []).append(y)
    return folds


def main() -> int:
    global ROOT
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--keypoints", nargs=3, required=True, metavar=("SAGT2", "SAGT1", "AXI"))
    ap.add_argument("--models", nargs="+", required=True)
    args = ap.parse_args()
    ROOT = os.path.abspath(args.root)
    torch.set_num_threads(int(os.environ.get("PARITY_THREADS", "1")))

    normalize_coordinates(ROOT)
    gc.Runner = SeedRunner  # generate_coords calls Runner(cfg, model_name=...).predict(...)
    coord_df = gc.gen_coord_df(ROOT, *args.keypoints)
    path = os.path.join(ROOT, "data", "processed", "coordinates_predicted.csv")
    coord_df.to_csv(path, index=False)
    coord_df = pd.read_csv(path, dtype={"study_id": "str", "series_id": "str"})

    logits: Dict[Tuple[str, str], List[np.ndarray]] = {}
    models = {name: roi_logits(name, coord_df, logits) for name in args.models}
    studies = sorted({s for s, _ in logits})
    mean = np.zeros((len(studies), 3, len(ROW_IDS)), dtype=np.float32)
    for si, study in enumerate(studies):
        for ri, row_id in enumerate(ROW_IDS):
            mean[si, :, ri] = np.mean(np.stack(logits[(study, row_id)]), axis=0)
    _, submission = rsna_lumbar_metric.prepare_data(torch.zeros((len(studies), len(ROW_IDS)), dtype=torch.long),
                                                    torch.from_numpy(mean))
    probabilities: Dict[str, Dict[str, List[float]]] = {s: {} for s in studies}
    for _, r in submission.iterrows():
        i, row_id = str(r.row_id).split("_", 1)
        probabilities[studies[int(i)]][row_id] = [float(r.normal_mild), float(r.moderate), float(r.severe)]

    keypoints = [{"studyId": str(r.study_id), "rowId": r.row_id,
                  "seriesId": None if pd.isnull(r.series_id) else str(r.series_id),
                  "x": None if pd.isnull(r.x_norm) else float(r.x_norm),
                  "y": None if pd.isnull(r.y_norm) else float(r.y_norm),
                  "instanceNumber": None if pd.isnull(r.instance_number) else int(r.instance_number)}
                 for r in coord_df.itertuples()]
    print(json.dumps({"keypoints": keypoints, "probabilities": probabilities, "models": models}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
