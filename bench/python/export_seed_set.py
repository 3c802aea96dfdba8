"""Exports one random-weight fold of every distinct network of the seed's ensemble (3 keypoint models; spinal,
foraminal, subarticular and global ROI models with resnet18 at 128, swin_tiny and convnext_nano at 224) with
spinegraph's definitions of the seed's networks (the costs do not depend on the weights).

    python3 export_seed_set.py OUT_DIR      -> OUT_DIR/<name>.onnx ..., OUT_DIR/seed-bench-info.json (written last)

A network whose .onnx and .check.json are already in OUT_DIR is kept, so an interrupted export resumes where it
stopped (tracing the Swin-T and ConvNeXt models takes minutes on a busy 2-core machine).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

import torch

from spinetrainer.models.seed.build import build_seed_model
from spinetrainer.onnx_export import export_onnx

COORD: List[Tuple[str, int, int]] = [("keypoints-sagittal-t2", 5, 5), ("keypoints-sagittal-t1", 3, 5),
                                     ("keypoints-axial", 3, 2)]
ROI: List[Tuple[str, str, int, int]] = [("classifier-spinal", "SpinalROIModel", 2, 3),
                                        ("classifier-foraminal", "ForaminalROIModel", 1, 3),
                                        ("classifier-subarticular", "SubarticularROIModel", 1, 3),
                                        ("classifier-global", "GlobalROIModel", 5, 15)]
BACKBONES: List[Tuple[str, int]] = [("resnet18", 128), ("swin_tiny_patch4_window7_224", 224), ("convnext_nano", 224)]


Job = Tuple[str, str, Dict[str, Any], List[int], str]


def seed_networks() -> List[Job]:
    """(name, role, seed model config, sample shape, input name) of every distinct network of the ensemble."""
    jobs: List[Job] = []
    for role, channels, classes in COORD:
        cfg = {"type": "CoordModel", "args": {"base_model": "DeepLabV3Plus", "encoder_name": "resnet34",
                                              "num_classes": classes, "in_channels": channels}}
        jobs.append((role, role, cfg, [channels, 512, 512], "image"))
    for backbone, size in BACKBONES:
        for role, kind, slots, classes in ROI:
            series = {"SpinalROIModel": 2, "GlobalROIModel": 3}.get(kind, 1)
            cfg = {"type": kind, "args": {"base_model": backbone, "num_classes": classes, "in_channels": [1] * series}}
            jobs.append((f"{role}-{backbone}", role, cfg, [slots, 5, size, size], "rois"))
    return jobs


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    models: List[Dict[str, Any]] = []
    jobs = seed_networks()
    for name, role, cfg, shape, input_name in jobs:
        onnx_path = out / f"{name}.onnx"
        if not (onnx_path.exists() and (out / f"{name}.check.json").exists()):
            model = build_seed_model(cfg).eval()
            export_onnx(model, role, 0, shape, input_name, "heatmaps" if input_name == "image" else "logits", out,
                        stem=name)
            print(json.dumps({"exported": name}), flush=True)
        models.append({"name": name, "role": role, "onnx": onnx_path.name, "bytes": onnx_path.stat().st_size,
                       "input": input_name, "sampleShape": shape})
    (out / "seed-bench-info.json").write_text(json.dumps({"torch": torch.__version__, "models": models}, indent=1))


if __name__ == "__main__":
    main()
