"""Random-weight seed model folders, made by the seed's own code (reference only; parity tests).

    python3 make_seed_models.py --out DIR --spec SPEC.json

SPEC: [{"name": "spinal-r18", "config": "config_spinal_roi.yml", "folds": 2, "oneFold": false, "seed": 1,
        "baseModel": "resnet18", "resolution": 128}, ...]. For each entry: DIR/rsna-2024-<name>/ with config.json
(the experiment YAML as the seed's runner saves it), splits.csv and rsna-2024-<name>-cv<k>_best.pt
(torch.save(model.state_dict()) of the seed's model, torch.manual_seed(seed + k)), and, for the ONNX parity test,
DIR/reference/rsna-2024-<name>-cv<k>.f32: the seed model's PyTorch output (float32, C order) on the check input
(fmix32, batch 2) in spinegraph's layout (global logits reordered class-major -> condition-major).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Dict, List

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
REFERENCE = (ROOT / ".." / "shared" / "reference").resolve()
sys.path.insert(0, str(REFERENCE))
sys.path.insert(0, str(ROOT / "src" / "training" / "python"))
import seed_env  # noqa: E402,F401
import torch  # noqa: E402
import yaml  # noqa: E402
from rsna2024.model import model as seed_model  # noqa: E402

from spinetrainer.onnx_export import CHECK_BATCH, CHECK_SEED, fmix32_input  # noqa: E402

SLOTS = {"SpinalROIModel": 2, "ForaminalROIModel": 1, "SubarticularROIModel": 1, "GlobalROIModel": 5}


def make_config(entry: Dict[str, Any]) -> Dict[str, Any]:
    cfg = yaml.safe_load((REFERENCE / "rsna2024-seed" / "experiments" / entry["config"]).read_text())
    cfg["root"] = "/seed"
    if "baseModel" in entry:
        cfg["model"]["args"]["base_model"] = entry["baseModel"]
    if "resolution" in entry:
        cfg["dataset"]["args"]["resolution"] = entry["resolution"]
    cfg["trainer"]["cv_fold"] = max(int(entry.get("folds", 5)), 2)
    cfg["trainer"]["one_fold"] = bool(entry.get("oneFold", False))
    return cfg


def build(cfg: Dict[str, Any]) -> torch.nn.Module:
    args = dict(cfg["model"]["args"])
    if cfg["model"]["type"] == "CoordModel":
        args["encoder_weights"] = None
    else:
        args["pretrained"] = False
    return getattr(seed_model, cfg["model"]["type"])(**args).eval()


def sample_shape(cfg: Dict[str, Any]) -> List[int]:
    data, kind = cfg["dataset"]["args"], cfg["model"]["type"]
    size = int(data["resolution"])
    if kind == "CoordModel":
        return [int(cfg["model"]["args"]["in_channels"]), size, size]
    nums = data["img_num"] if isinstance(data["img_num"], list) else [data["img_num"]]
    return [SLOTS[kind], int(nums[0]), size, size]


def reference_output(model: torch.nn.Module, cfg: Dict[str, Any]) -> torch.Tensor:
    x = torch.from_numpy(fmix32_input([CHECK_BATCH] + sample_shape(cfg), CHECK_SEED))
    kind = cfg["model"]["type"]
    with torch.no_grad():
        if kind == "CoordModel":
            return model(x)
        if kind == "SpinalROIModel":
            return model(x[:, 0], x[:, 1], None)
        if kind == "GlobalROIModel":
            y = model(x[:, 0], x[:, 1], x[:, 2], x[:, 3], x[:, 4], None)
            return y.unflatten(1, (3, -1)).transpose(1, 2).flatten(1)
        return model(x[:, 0], None, None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--spec", type=Path, required=True)
    args = parser.parse_args()
    torch.set_num_threads(int(os.environ.get("PARITY_THREADS", "1")))
    spec = json.loads(args.spec.read_text())
    (args.out / "reference").mkdir(parents=True, exist_ok=True)
    for entry in spec:
        cfg = make_config(entry)
        name = f"rsna-2024-{entry['name']}"
        folder = args.out / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "config.json").write_text(json.dumps(cfg, indent=4))
        folds = 1 if cfg["trainer"]["one_fold"] else cfg["trainer"]["cv_fold"]
        rows = ["study_id,split,fold"] + [f"{1000 + s},{'validation' if s % cfg['trainer']['cv_fold'] == f - 1 else 'train'},{f}"
                                          for f in range(1, cfg["trainer"]["cv_fold"] + 1) for s in range(10)]
        (folder / "splits.csv").write_text("\n".join(rows) + "\n")
        for k in range(1, folds + 1):
            torch.manual_seed(int(entry.get("seed", 0)) * 100 + k)
            model = build(cfg)
            torch.save(model.state_dict(), folder / f"{name}-cv{k}_best.pt")
            if entry.get("reference", True):
                y = reference_output(model, cfg).numpy().astype("float32")
                (args.out / "reference" / f"{name}-cv{k}.f32").write_bytes(y.tobytes(order="C"))
        print(json.dumps({"model": name, "folds": folds}), flush=True)


if __name__ == "__main__":
    main()
