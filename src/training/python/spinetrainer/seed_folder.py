"""Reading one seed model folder: `config.json`, `splits.csv` and `<model_name>-cv<k>_best.pt` per fold.

The seed (rsna2024/runner.py) names the folder and its checkpoints after the run (`<project_name>-<run>`), saves
`torch.save(model.state_dict())` per fold, and trains only `-cv1` when `trainer.one_fold` is true. Everything that
would make a conversion wrong is a SeedFolderError naming the file and what is wrong with it.
"""
from __future__ import annotations

import csv
import json
import pickle
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import torch
from torch import nn

from .models.seed.backbones import BACKBONE_INPUT_SIZES
from .models.seed.build import UnknownArchitecture, build_seed_model

# (model.type, dataset.type) -> spinegraph role
ROLE_OF: Dict[Tuple[str, str], str] = {
    ("CoordModel", "Sagt2CoordDataset"): "keypoints-sagittal-t2",
    ("CoordModel", "Sagt1CoordDataset"): "keypoints-sagittal-t1",
    ("CoordModel", "AxiCoordDataset"): "keypoints-axial",
    ("SpinalROIModel", "SpinalROIDataset"): "classifier-spinal",
    ("ForaminalROIModel", "ForaminalROIDataset"): "classifier-foraminal",
    ("SubarticularROIModel", "SubarticularROIDataset"): "classifier-subarticular",
    ("GlobalROIModel", "GlobalROIDataset"): "classifier-global",
}
ROI_SLOTS: Dict[str, int] = {"classifier-spinal": 2, "classifier-foraminal": 1, "classifier-subarticular": 1,
                             "classifier-global": 5}
KEYPOINT_CHANNELS: Dict[str, int] = {"keypoints-sagittal-t2": 5, "keypoints-sagittal-t1": 5, "keypoints-axial": 2}
SEED_CLASS_NAMES: Dict[str, str] = {"Normal/Mild": "NORMAL_MILD", "Moderate": "MODERATE", "Severe": "SEVERE"}


class SeedFolderError(ValueError):
    """A seed model folder that cannot be converted as it is."""


@dataclass(frozen=True)
class SeedCheckpoint:
    seed_fold: int      # k of -cv<k>
    path: Path


@dataclass(frozen=True)
class SeedModelFolder:
    path: Path
    name: str                      # <project_name>-<run>
    config: Dict[str, Any]
    role: str
    sample_shape: Tuple[int, ...]  # model input without the batch axis: [C, H, W] or [slots, slices, H, W]
    classes: Tuple[str, ...]       # spinegraph severity names in the seed's class-index order
    checkpoints: Tuple[SeedCheckpoint, ...]
    split_studies: Dict[int, int]  # validation studies per fold (from splits.csv; empty when absent)

    def build(self) -> nn.Module:
        return build_seed_model(self.config["model"])


def _read_config(folder: Path) -> Dict[str, Any]:
    path = folder / "config.json"
    if not path.is_file():
        raise SeedFolderError(f"{folder}: no config.json (a seed model folder holds config.json, splits.csv and "
                              f"<model_name>-cv<k>_best.pt per fold)")
    try:
        cfg = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise SeedFolderError(f"{path}: not readable JSON ({e})") from e
    for key in ("model", "dataset", "trainer"):
        if not isinstance(cfg.get(key), dict):
            raise SeedFolderError(f"{path}: missing the '{key}' block of a seed experiment config")
    return cfg


def _role(cfg: Mapping[str, Any], path: Path) -> str:
    key = (str(cfg["model"].get("type")), str(cfg["dataset"].get("type")))
    if key[0] == "StudyROIModel":
        raise SeedFolderError(f"{path}: StudyROIModel is not part of the seed's ensemble "
                              "(combined_ensemble_model_pred.ipynb); import-seed converts the keypoint, spinal, "
                              "foraminal, subarticular and global models")
    if key not in ROLE_OF:
        raise SeedFolderError(f"{path}: unknown architecture: model.type {key[0]!r} with dataset.type {key[1]!r} "
                              f"is none of {sorted(f'{m}/{d}' for m, d in ROLE_OF)}")
    return ROLE_OF[key]


def _sample_shape(role: str, cfg: Mapping[str, Any], path: Path) -> Tuple[int, ...]:
    args, data = cfg["model"].get("args") or {}, cfg["dataset"].get("args") or {}
    size = int(data.get("resolution", 0))
    if size <= 0:
        raise SeedFolderError(f"{path}: dataset.args.resolution missing")
    if role.startswith("keypoints"):
        channels, img_num = int(args.get("in_channels", 0)), int(data.get("img_num", -1))
        if channels != img_num:
            raise SeedFolderError(f"{path}: model.args.in_channels {channels} != dataset.args.img_num {img_num}")
        if int(args.get("num_classes", 0)) != KEYPOINT_CHANNELS[role]:
            raise SeedFolderError(f"{path}: {role} has {KEYPOINT_CHANNELS[role]} heatmaps, model.args.num_classes "
                                  f"is {args.get('num_classes')}")
        if size % 16:
            raise SeedFolderError(f"{path}: resolution {size} is not a multiple of 16 (DeepLabV3+ output stride)")
        return (channels, size, size)
    slots = ROI_SLOTS[role]
    img_num = data.get("img_num")
    nums = list(img_num) if isinstance(img_num, list) else [img_num]  # one per series type
    if not nums or len(set(nums)) != 1 or not isinstance(nums[0], int):
        raise SeedFolderError(f"{path}: dataset.args.img_num {img_num!r}: spinegraph needs one slice count for "
                              f"every series type of the model")
    expected_classes = 15 if role == "classifier-global" else 3
    if int(args.get("num_classes", 0)) != expected_classes:
        raise SeedFolderError(f"{path}: {role} returns {expected_classes} logits, model.args.num_classes is "
                              f"{args.get('num_classes')}")
    fixed = BACKBONE_INPUT_SIZES.get(str(args.get("base_model")))
    if fixed is not None and size != fixed:
        raise SeedFolderError(f"{path}: {args.get('base_model')} takes {fixed} px ROIs, resolution is {size}")
    return (slots, int(nums[0]), size, size)


def _classes(cfg: Mapping[str, Any], path: Path) -> Tuple[str, ...]:
    labels = cfg.get("labels") or {"Normal/Mild": 0, "Moderate": 1, "Severe": 2}
    if sorted(labels.values()) != [0, 1, 2] or set(labels) != set(SEED_CLASS_NAMES):
        raise SeedFolderError(f"{path}: labels {labels} are not the seed's three severities")
    return tuple(SEED_CLASS_NAMES[name] for name, _ in sorted(labels.items(), key=lambda kv: kv[1]))


def _split_studies(folder: Path) -> Dict[int, int]:
    path = folder / "splits.csv"
    if not path.is_file():
        return {}
    counts: Dict[int, int] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or not {"fold", "split"} <= set(reader.fieldnames):
            raise SeedFolderError(f"{path}: expected 'fold' and 'split' columns (rsna2024/runner.py save_splits)")
        for row in reader:
            if row["split"] == "validation":
                counts[int(float(row["fold"]))] = counts.get(int(float(row["fold"])), 0) + 1
    return counts


def read_seed_folder(folder: Path) -> SeedModelFolder:
    folder = folder.resolve()
    if not folder.is_dir():
        raise SeedFolderError(f"{folder}: not a folder")
    cfg = _read_config(folder)
    role = _role(cfg, folder / "config.json")
    shape = _sample_shape(role, cfg, folder / "config.json")
    trainer = cfg["trainer"]
    folds = [1] if trainer.get("one_fold") else list(range(1, int(trainer.get("cv_fold", 5)) + 1))
    checkpoints: List[SeedCheckpoint] = []
    for k in folds:
        path = folder / f"{folder.name}-cv{k}_best.pt"
        if not path.is_file():
            found = sorted(p.name for p in folder.glob("*_best.pt"))
            raise SeedFolderError(f"{folder}: missing fold {k}: {path.name} not found (config trainer.cv_fold="
                                  f"{trainer.get('cv_fold')}, one_fold={bool(trainer.get('one_fold'))}; "
                                  f"found {found or 'no *_best.pt'})")
        checkpoints.append(SeedCheckpoint(k, path))
    splits = _split_studies(folder)
    missing = [k for k in folds if splits and k not in splits]
    if missing:
        raise SeedFolderError(f"{folder / 'splits.csv'}: no validation studies for fold(s) {missing}")
    try:
        build_seed_model(cfg["model"])
    except UnknownArchitecture as e:
        raise SeedFolderError(f"{folder / 'config.json'}: unknown architecture: {e}") from e
    return SeedModelFolder(folder, folder.name, cfg, role, shape, _classes(cfg, folder / "config.json"),
                           tuple(checkpoints), splits)


def load_checkpoint(model: nn.Module, ckpt: SeedCheckpoint) -> None:
    """Strict load of a seed `state_dict()`, with errors that name the key and the shapes."""
    try:
        state = torch.load(str(ckpt.path), map_location="cpu")
    except (RuntimeError, EOFError, pickle.UnpicklingError, zipfile.BadZipFile, OSError) as e:
        size = ckpt.path.stat().st_size if ckpt.path.exists() else 0
        raise SeedFolderError(f"{ckpt.path}: not a readable PyTorch checkpoint ({size} bytes; truncated or "
                              f"damaged?): {e}") from e
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise SeedFolderError(f"{ckpt.path}: not a state_dict (the seed saves torch.save(model.state_dict()))")
    own = model.state_dict()
    wrong = [(k, tuple(state[k].shape), tuple(v.shape)) for k, v in own.items()
             if k in state and state[k].shape != v.shape]
    if wrong:
        k, got, want = wrong[0]
        raise SeedFolderError(f"{ckpt.path}: config does not match the weights: {k} has shape {list(got)} in the "
                              f"checkpoint, the config's network needs {list(want)}"
                              + (f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else ""))
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    if missing or unexpected:
        raise SeedFolderError(f"{ckpt.path}: config does not match the weights: missing keys {missing[:3]}"
                              f"{'...' if len(missing) > 3 else ''}, unexpected keys {unexpected[:3]}"
                              f"{'...' if len(unexpected) > 3 else ''}")
    model.load_state_dict(state, strict=True)


def backbone_of(folder: SeedModelFolder) -> Optional[str]:
    return None if folder.role.startswith("keypoints") else str(folder.config["model"]["args"]["base_model"])
