"""The trainer's `full` config trains the seed's networks: train one fold of Sag T2 keypoints and the global ROI
model on a small synthetic export at the seed's sizes (512 / 128 px), then load each trained `.pt` strictly into
the seed's own model class (reference code) and compare key names and shapes with a seed checkpoint.

    python3 train_full_vs_seed.py --work DIR   -> prints one JSON line: {role: {"onnx": ..., "keys": n, ...}}
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
PY = ROOT / "src" / "training" / "python"
sys.path.insert(0, str((ROOT / ".." / "shared" / "reference").resolve()))
sys.path.insert(0, str(PY / "tests"))
import seed_env  # noqa: E402,F401
import torch  # noqa: E402
from rsna2024.model import model as seed_model  # noqa: E402
from synthetic import write_export, write_request  # noqa: E402

SEED_MODELS: Dict[str, Any] = {
    "keypoints-sagittal-t2": lambda: seed_model.CoordModel("DeepLabV3Plus", "resnet34", num_classes=5, in_channels=5,
                                                           encoder_weights=None),
    "classifier-global": lambda: seed_model.GlobalROIModel("resnet18", num_classes=15, in_channels=[1, 1, 1],
                                                           pretrained=False),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, required=True)
    args = parser.parse_args()
    index = write_export(args.work / "tensors", studies=4, folds=2, kp_size=512, roi_size=128,
                         keypoint_groups=["keypoints-sagittal-t2"])
    out = args.work / "trained"
    request = write_request(args.work / "request.json", index, out, config="full", folds=[0], epochs=1, threads=1,
                            roles=list(SEED_MODELS))
    subprocess.run([sys.executable, "-m", "spinetrainer.train", "--request", str(request)], check=True,
                   cwd=str(PY), env={"PYTHONPATH": str(PY), "OMP_WAIT_POLICY": "PASSIVE", "PATH": "/usr/bin:/bin"},
                   stdout=subprocess.DEVNULL)
    report: Dict[str, Any] = {}
    for role, make in SEED_MODELS.items():
        trained = torch.load(str(out / f"{role}-fold0.pt"), map_location="cpu")
        seed = make()
        want = [(k, list(v.shape)) for k, v in seed.state_dict().items()]
        got = [(k, list(v.shape)) for k, v in trained.items()]
        seed.load_state_dict(trained, strict=True)  # a spinegraph-trained model runs in the seed's code
        report[role] = {"onnx": str(out / f"{role}-fold0.onnx"), "keys": len(got), "sameKeysAndShapes": got == want,
                        "manifest": json.loads((out / f"{role}-fold0.manifest.json").read_text())["architecture"]}
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
