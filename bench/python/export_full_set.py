"""Writes the benchmark's model set: one fold of every role at full size with random weights, exported and described
by the trainer's own code (spinetrainer.onnx_export, spinetrainer.manifest), so `loadModelSet` reads it like a
trained set. Also writes `bench-info.json` (FLOPs per sample, weight hashes) and a MatMul model for the fp32 peak.

    PYTHONPATH=src/training/python:bench/python /usr/bin/python3 bench/python/export_full_set.py OUT_DIR [PRIORS]

PRIORS: a JSON file {keypoint role: [[x, y] per heatmap channel]} (full_models.WithPositionalPrior).

Prints one JSON line per exported model on stdout (progress), nothing else.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Dict, Optional

import onnx
import torch
import numpy as np
from onnx import TensorProto, helper, numpy_helper

from spinetrainer.manifest import Provenance, classifier_manifest, keypoint_manifest
from spinetrainer.onnx_export import OPSET, export_onnx
from spinetrainer.vocabulary import KEYPOINT_ROLES

from full_models import CONFIG, ROLES, Priors, build, count_flops, state_hash

FOLD = 0
PEAK_MATMUL_N = 2048
PEAK_MODEL = "peak-matmul.onnx"
SET_NAME = "bench-full-random"


def provenance() -> Provenance:
    return Provenance(config=CONFIG, seed=0, device="cpu", data_hash="none: random weights", tensor_index="none",
                      train_samples=0, val_samples=0, epochs=0,
                      request={"purpose": "speed benchmark (bench/inference.ts): random weights, "
                               "keypoint heatmaps + a fixed positional prior"}, export_meta={})


def write_peak_model(path: Path, n: int) -> None:
    """Y = A x B with B a constant [n, n] and A [n, n]: 2 n^3 FLOPs, the shape a GEMM reaches its peak on."""
    weight = numpy_helper.from_array(np.random.default_rng(0).random((n, n), dtype=np.float32), "B")
    graph = helper.make_graph([helper.make_node("MatMul", ["A", "B"], ["Y"])], "peak",
                              [helper.make_tensor_value_info("A", TensorProto.FLOAT, [n, n])],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [n, n])], [weight])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def main() -> int:
    out = Path(sys.argv[1])
    priors: Optional[Priors] = json.loads(Path(sys.argv[2]).read_text()) if len(sys.argv) > 2 else None
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(os.cpu_count() or 1)
    info: Dict[str, Any] = {"config": CONFIG.name, "fold": FOLD, "torch": torch.__version__, "models": {},
                            "priors": priors, "peak": {"file": PEAK_MODEL, "n": PEAK_MATMUL_N, "flops": 2 * PEAK_MATMUL_N ** 3}}
    for role in ROLES:
        started = time.monotonic()
        built = build(role, priors)
        exported = export_onnx(built.model, role, FOLD, built.sample_shape, built.input_name, built.output_name, out)
        if role in KEYPOINT_ROLES:
            manifest = keypoint_manifest(role, FOLD, CONFIG.keypoints[role], built.sample_shape, exported,
                                         provenance(), {})
        else:
            ccfg = CONFIG.classifiers[role]
            manifest = classifier_manifest(role, FOLD, ccfg, ccfg.backbone, built.sample_shape, exported,
                                           provenance(), {})
        (out / f"{role}-fold{FOLD}.manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        info["models"][role] = {"onnx": exported.onnx_path.name, "bytes": exported.bytes,
                                "sampleShape": built.sample_shape,
                                "flopsPerSample": count_flops(built.model, built.sample_shape),
                                "stateSha256": state_hash(built.model)}
        print(json.dumps({"exported": role, "seconds": round(time.monotonic() - started, 1)}), flush=True)
    write_peak_model(out / PEAK_MODEL, PEAK_MATMUL_N)
    (out / "model-set.json").write_text(json.dumps({"name": SET_NAME}) + "\n", encoding="utf-8")
    (out / "bench-info.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
