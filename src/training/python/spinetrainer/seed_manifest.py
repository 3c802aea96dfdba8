"""Manifests for the seed's networks (imported checkpoints, and the trainer's `full` config which trains the same
networks): the input layout and preprocessing of spinegraph's roles, the seed's class order, the ensemble weight.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Sequence

from . import FORMAT_VERSION
from .manifest import COMMON_PREPROCESSING, KEYPOINT_INPUTS, ROI_KIND_DEFINITIONS, _onnx_block
from .onnx_export import ExportedModel
from .vocabulary import CLASSIFIER_SPECS, KEYPOINT_OUTPUTS, ROI_MM, SAG_T1_CLASSIFIER_OFFSET_MM, SEVERITIES

KEYPOINT_ARCHITECTURE = "seed-deeplabv3plus-resnet34"


def classifier_architecture(backbone: str) -> str:
    return f"seed-roi-{backbone}"


def seed_keypoint_manifest(role: str, fold: int, shape: Sequence[int], exported: ExportedModel,
                           provenance: Dict[str, Any], weight: float = 1.0,
                           metrics: Optional[Dict[str, Optional[float]]] = None) -> Dict[str, Any]:
    channels, size = int(shape[0]), int(shape[-1])
    info = KEYPOINT_INPUTS[role]
    return {
        "formatVersion": FORMAT_VERSION, "kind": "keypoints", "role": role, "fold": fold,
        "architecture": KEYPOINT_ARCHITECTURE, "ensembleWeight": weight,
        "model": {"network": "smp 0.3.3 DeepLabV3Plus(encoder_name='resnet34') in CoordModel", "encoder": "resnet34",
                  "outputStride": 16, "atrousRates": [12, 24, 36], "decoderChannels": 256, "shrunk": []},
        "onnx": _onnx_block(exported),
        "input": {"name": "image", "shape": ["batch", channels, size, size], "layout": "NCHW", "dtype": "float32",
                  "series": info["series"], "slices": channels, "size": size, "channels": info["channels"]},
        "preprocessing": {**COMMON_PREPROCESSING, "sliceSelection": {**info["sliceSelection"], "count": channels},
                          "resizeTo": [size, size]},
        "output": {"name": "heatmaps", "shape": ["batch", len(KEYPOINT_OUTPUTS[role]), size, size],
                   "kind": "heatmap", "channels": list(KEYPOINT_OUTPUTS[role]), "meaning": info["outputMeaning"],
                   "decode": "argmax"},
        "provenance": provenance,
        **({"metrics": metrics} if metrics is not None else {}),
    }


def seed_classifier_manifest(role: str, fold: int, backbone: str, shape: Sequence[int], exported: ExportedModel,
                             provenance: Dict[str, Any], classes: Sequence[str] = SEVERITIES,
                             rnn: Optional[Dict[str, Any]] = None, weight: float = 1.0,
                             metrics: Optional[Dict[str, Optional[float]]] = None) -> Dict[str, Any]:
    spec = CLASSIFIER_SPECS[role]
    rois, slices, size = int(shape[0]), int(shape[1]), int(shape[-1])
    kinds = sorted({k for kinds, _ in spec.variants for k in kinds})
    return {
        "formatVersion": FORMAT_VERSION, "kind": "classifier", "role": role, "fold": fold,
        "architecture": classifier_architecture(backbone), "ensembleWeight": weight,
        "model": {"network": "rsna2024/model/model.py ROI model: SplitROIFeatures (timm 0.9.2 backbone per slice, "
                             "GRU, mean over slices) per series type, linear head",
                  "backbone": backbone, "sliceInput": "1 channel", **(rnn or {}),
                  "pooling": "mean of GRU states over slices", "sharedAcrossRois": False, "shrunk": []},
        "onnx": _onnx_block(exported),
        "input": {"name": "rois", "shape": ["batch", rois, slices, size, size], "layout": "N,ROI,SLICE,H,W",
                  "dtype": "float32", "slots": list(spec.slots), "slices": slices, "size": size,
                  "variants": [{"rois": list(k), "conditions": list(c)} for k, c in spec.variants],
                  # The seed's datasets return zero ROIs where nothing is usable, and every model grades every row.
                  "missingRoi": "zeros", "emptySample": "zeros"},
        "preprocessing": {**COMMON_PREPROCESSING, "roiMm": ROI_MM, "slicesPerRoi": slices, "resizeTo": [size, size],
                          "outOfBounds": "zeros", "sagT1OffsetsMm": SAG_T1_CLASSIFIER_OFFSET_MM,
                          "rois": {k: ROI_KIND_DEFINITIONS[k] for k in kinds}},
        "output": {"name": "logits", "shape": ["batch", spec.conditions_out * 3], "kind": "class-logits",
                   "conditionCount": spec.conditions_out, "classes": list(classes),
                   "layout": "condition-major: index = condition * 3 + class",
                   "activation": "softmax over each consecutive 3, after the ensemble's mean of logits"},
        "provenance": provenance,
        **({"metrics": metrics} if metrics is not None else {}),
    }
