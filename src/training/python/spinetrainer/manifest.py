"""The manifest JSON written beside every .onnx: what the model expects, what it returns, where it came from.

It is the only thing inference reads to drive a model (role, input layout, preprocessing, output meaning), so it
spells everything out; docs/training-format.md documents each field.
"""
from __future__ import annotations

import datetime as dt
import platform
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import onnx
import torch
import torchvision

from . import FORMAT_VERSION
from .configs import (REFERENCE_DECODER_CHANNELS, TORCHVISION_RESNET_WIDTH, ClassifierConfig, KeypointConfig,
                      RunConfig)
from .heatmaps import sigma_for_size
from .onnx_export import OPSET, ExportedModel
from .vocabulary import (AXIAL_MATCH_MAX_MM, CLASSIFIER_SPECS, KEYPOINT_OUTPUTS, ROI_MM,
                         SAG_T1_CLASSIFIER_OFFSET_MM, SAG_T1_KEYPOINT_OFFSET_MM, SEVERITIES)

COMMON_PREPROCESSING: Dict[str, Any] = {
    "interpolation": "bicubic",
    "normalisation": "zscore-stack",
    "sliceOrder": "ascending position along the slice normal",
}

KEYPOINT_INPUTS: Dict[str, Dict[str, Any]] = {
    "keypoints-sagittal-t2": {
        "series": "SAGITTAL_T2_STIR",
        "channels": "the middle slices of the Sag T2/STIR stack",
        "sliceSelection": {"mode": "middle"},
        "outputMeaning": "spinal canal point of each level",
    },
    "keypoints-sagittal-t1": {
        "series": "SAGITTAL_T1",
        "channels": "slices centred at the side's offset from the stack middle; one run per side",
        "sliceSelection": {"mode": "offset-mm", "offsetMm": {"LEFT": SAG_T1_KEYPOINT_OFFSET_MM,
                                                            "RIGHT": -SAG_T1_KEYPOINT_OFFSET_MM},
                           "startIndex": "ceil(offsetMm / SpacingBetweenSlices + n/2 - 1 - k/2)"},
        "outputMeaning": "neural foraminal point of each level on the side of the run",
    },
    "keypoints-axial": {
        "series": "AXIAL_T2",
        "channels": "slices centred on the axial slice nearest to the level's projected Sag T2 point; one run per level",
        "sliceSelection": {"mode": "nearest-to-projected-point", "from": "keypoints-sagittal-t2",
                           "maxDistanceMm": AXIAL_MATCH_MAX_MM},
        "outputMeaning": "left and right subarticular points of the level",
    },
}

ROI_KIND_DEFINITIONS: Dict[str, Dict[str, Any]] = {
    "SAG_T2_SPINAL": {"series": "SAGITTAL_T2_STIR", "centre": "keypoints-sagittal-t2 point of the level",
                      "sliceSelection": {"mode": "middle"}, "mirrored": False},
    "AXIAL_SPINAL": {"series": "AXIAL_T2", "centre": "mean of the level's left and right axial points",
                     "sliceSelection": {"mode": "nearest-to-projected-point", "maxDistanceMm": AXIAL_MATCH_MAX_MM},
                     "mirrored": False},
    "SAG_T1_LEFT": {"series": "SAGITTAL_T1", "centre": "keypoints-sagittal-t1 LEFT run, point of the level",
                    "sliceSelection": {"mode": "offset-mm", "side": "LEFT", "offsetMmByLevel": SAG_T1_CLASSIFIER_OFFSET_MM},
                    "mirrored": False},
    "SAG_T1_RIGHT": {"series": "SAGITTAL_T1", "centre": "keypoints-sagittal-t1 RIGHT run, point of the level",
                     "sliceSelection": {"mode": "offset-mm", "side": "RIGHT",
                                        "offsetMmByLevel": {k: -v for k, v in SAG_T1_CLASSIFIER_OFFSET_MM.items()}},
                     "mirrored": False},
    "AXIAL_LEFT": {"series": "AXIAL_T2", "centre": "the level's LEFT axial point",
                   "sliceSelection": {"mode": "nearest-to-projected-point", "maxDistanceMm": AXIAL_MATCH_MAX_MM},
                   "mirrored": False},
    "AXIAL_RIGHT": {"series": "AXIAL_T2", "centre": "the level's RIGHT axial point",
                    "sliceSelection": {"mode": "nearest-to-projected-point", "maxDistanceMm": AXIAL_MATCH_MAX_MM},
                    "mirrored": True},
}


@dataclass(frozen=True)
class Provenance:
    config: RunConfig
    seed: int
    device: str
    data_hash: str
    tensor_index: str
    train_samples: int
    val_samples: int
    epochs: int
    request: Dict[str, Any]
    export_meta: Dict[str, Any]

    def as_json(self, hyperparameters: Dict[str, Any]) -> Dict[str, Any]:
        return {
            "config": self.config.name, "configNotes": self.config.notes, "seed": self.seed,
            "device": self.device, "torch": torch.__version__, "torchvision": torchvision.__version__,
            "onnx": onnx.__version__, "numpy": np.__version__, "python": platform.python_version(),
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "trainingDataHash": self.data_hash, "tensorIndex": self.tensor_index,
            "trainSamples": self.train_samples, "valSamples": self.val_samples, "epochs": self.epochs,
            "hyperparameters": hyperparameters, "request": self.request, "exportMeta": self.export_meta,
        }


def _onnx_block(exported: ExportedModel) -> Dict[str, Any]:
    return {"file": exported.onnx_path.name, "sha256": exported.sha256, "bytes": exported.bytes, "opset": OPSET,
            "check": exported.check_path.name}


def keypoint_manifest(role: str, fold: int, cfg: KeypointConfig, shape: Sequence[int], exported: ExportedModel,
                      provenance: Provenance, metrics: Dict[str, Optional[float]]) -> Dict[str, Any]:
    channels, size = int(shape[0]), int(shape[-1])
    info = KEYPOINT_INPUTS[role]
    shrunk: List[str] = []
    if cfg.encoder_width != TORCHVISION_RESNET_WIDTH:
        shrunk.append(f"ResNet34 encoder width {cfg.encoder_width} (torchvision: {TORCHVISION_RESNET_WIDTH})")
    if cfg.decoder_channels != REFERENCE_DECODER_CHANNELS:
        shrunk.append(f"decoder channels {cfg.decoder_channels} (reference: {REFERENCE_DECODER_CHANNELS})")
    if size != 512:
        shrunk.append(f"input {size} px (reference: 512)")
    if cfg.sigma_at_512 != 10.0:
        shrunk.append(f"heatmap target std {cfg.sigma_at_512:g} px at 512 (reference: 10)")
    return {
        "formatVersion": FORMAT_VERSION, "kind": "keypoints", "role": role, "fold": fold,
        "architecture": "deeplabv3plus-resnet34",
        "model": {"encoder": "resnet34", "encoderWidth": cfg.encoder_width, "decoderChannels": cfg.decoder_channels,
                  "outputStride": 16, "atrousRates": [12, 24, 36], "shrunk": shrunk},
        "onnx": _onnx_block(exported),
        "input": {"name": "image", "shape": ["batch", channels, size, size], "layout": "NCHW", "dtype": "float32",
                  "series": info["series"], "slices": channels, "size": size, "channels": info["channels"]},
        "preprocessing": {**COMMON_PREPROCESSING, "sliceSelection": {**info["sliceSelection"], "count": channels},
                          "resizeTo": [size, size]},
        "output": {"name": "heatmaps", "shape": ["batch", len(KEYPOINT_OUTPUTS[role]), size, size],
                   "kind": "heatmap", "channels": list(KEYPOINT_OUTPUTS[role]), "meaning": info["outputMeaning"],
                   "decode": "argmax", "coordinates": "input pixel grid: x_norm * W, y_norm * H (the seed's convention)",
                   "targetSigmaPx": sigma_for_size(cfg.sigma_at_512, size)},
        "provenance": provenance.as_json(asdict(cfg)),
        "metrics": metrics,
    }


def classifier_manifest(role: str, fold: int, cfg: ClassifierConfig, backbone: str, shape: Sequence[int],
                        exported: ExportedModel, provenance: Provenance, metrics: Dict[str, Optional[float]]
                        ) -> Dict[str, Any]:
    spec = CLASSIFIER_SPECS[role]
    rois, slices, size = int(shape[0]), int(shape[1]), int(shape[-1])
    shrunk: List[str] = []
    if backbone == "resnet18" and cfg.backbone_width != TORCHVISION_RESNET_WIDTH:
        shrunk.append(f"ResNet18 width {cfg.backbone_width} (torchvision: {TORCHVISION_RESNET_WIDTH})")
    if (cfg.gru_hidden, cfg.gru_layers) != (512, 2):
        shrunk.append(f"GRU hidden {cfg.gru_hidden} x {cfg.gru_layers} layers (reference: 512 x 2)")
    reference_size = 128 if backbone == "resnet18" else 224
    if size != reference_size:
        shrunk.append(f"ROI {size} px (reference: {reference_size})")
    kinds = sorted({k for kinds, _ in spec.variants for k in kinds})
    return {
        "formatVersion": FORMAT_VERSION, "kind": "classifier", "role": role, "fold": fold,
        "architecture": f"rnn25d-{backbone}",
        "model": {"backbone": backbone, "backboneWidth": cfg.backbone_width if backbone == "resnet18" else None,
                  "sliceInput": "1 channel", "gruHidden": cfg.gru_hidden, "gruLayers": cfg.gru_layers,
                  "bidirectional": cfg.bidirectional, "pooling": "mean of GRU states over slices",
                  "sharedAcrossRois": True, "shrunk": shrunk},
        "onnx": _onnx_block(exported),
        "input": {"name": "rois", "shape": ["batch", rois, slices, size, size], "layout": "N,ROI,SLICE,H,W",
                  "dtype": "float32", "slots": list(spec.slots), "slices": slices, "size": size,
                  "variants": [{"rois": list(k), "conditions": list(c)} for k, c in spec.variants],
                  "missingRoi": "zeros"},
        "preprocessing": {**COMMON_PREPROCESSING, "roiMm": ROI_MM, "slicesPerRoi": slices, "resizeTo": [size, size],
                          "outOfBounds": "zeros", "sagT1OffsetsMm": SAG_T1_CLASSIFIER_OFFSET_MM,
                          "rois": {k: ROI_KIND_DEFINITIONS[k] for k in kinds}},
        "output": {"name": "logits", "shape": ["batch", spec.conditions_out * 3], "kind": "class-logits",
                   "conditionCount": spec.conditions_out, "classes": list(SEVERITIES),
                   "layout": "condition-major: index = condition * 3 + class",
                   "activation": "softmax over each consecutive 3"},
        "provenance": provenance.as_json({**asdict(cfg), "backbone": backbone}),
        "metrics": metrics,
    }
