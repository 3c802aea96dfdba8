"""Converts 9th-place seed checkpoints to spinegraph model files (ONNX + manifest + check file per fold).

    python -m spinetrainer.import_seed --out DIR SEED_FOLDER...

Each SEED_FOLDER is `models/<project_name>-<run>/` as the seed writes it (config.json, splits.csv,
`<project_name>-<run>-cv<k>_best.pt`). Progress: JSON lines on stdout (`start`, `model`, `export`, `done`, or
`error`), human logs on stderr. Exit 2: a folder cannot be converted (nothing is written for any folder).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import torch

from .onnx_export import export_onnx
from .progress import Progress
from .seed_folder import SeedFolderError, SeedModelFolder, backbone_of, load_checkpoint, read_seed_folder
from .seed_manifest import seed_classifier_manifest, seed_keypoint_manifest

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


def _provenance(folder: SeedModelFolder, seed_fold: int, source: Path) -> Dict[str, Any]:
    return {"source": "rsna2024 9th-place checkpoint (import-seed)", "seedModel": folder.name,
            "seedFold": seed_fold, "checkpoint": source.name, "seedConfig": folder.config,
            "validationStudies": folder.split_studies.get(seed_fold), "torch": torch.__version__,
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}


def convert(folders: Sequence[SeedModelFolder], out_dir: Path, progress: Progress) -> List[str]:
    out_dir.mkdir(parents=True, exist_ok=True)
    progress.plan(sum(len(f.checkpoints) for f in folders))
    written: List[str] = []
    for folder in folders:
        progress.emit("model", model=folder.name, role=folder.role, folds=[c.seed_fold for c in folder.checkpoints],
                      backbone=backbone_of(folder))
        for ckpt in folder.checkpoints:
            t0 = time.monotonic()
            model = folder.build()
            load_checkpoint(model, ckpt)
            fold = ckpt.seed_fold - 1  # spinegraph folds count from 0; the seed's cv<k> from 1
            stem = f"{folder.role}-{folder.name}-fold{fold}"
            kp = folder.role.startswith("keypoints")
            exported = export_onnx(model, folder.role, fold, folder.sample_shape, "image" if kp else "rois",
                                   "heatmaps" if kp else "logits", out_dir, stem=stem)
            prov = _provenance(folder, ckpt.seed_fold, ckpt.path)
            if kp:
                manifest = seed_keypoint_manifest(folder.role, fold, folder.sample_shape, exported, prov)
            else:
                args = folder.config["model"]["args"]
                rnn = {"gruHidden": int(args.get("rnn_hidden_size", 512)), "gruLayers": int(args.get("rnn_num_layers", 2)),
                       "bidirectional": bool(args.get("rnn_bidirectional", False))}
                manifest = seed_classifier_manifest(folder.role, fold, str(backbone_of(folder)), folder.sample_shape,
                                                    exported, prov, folder.classes, rnn)
            path = out_dir / f"{stem}.manifest.json"
            path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
            written.append(path.name)
            progress.advance()
            progress.emit("export", role=folder.role, fold=fold, model=folder.name, file=exported.onnx_path.name,
                          bytes=exported.bytes, seconds=round(time.monotonic() - t0, 1))
    return written


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spinetrainer.import_seed", description=__doc__)
    parser.add_argument("--out", required=True, type=Path, help="output folder for .onnx + manifests")
    parser.add_argument("folders", nargs="+", type=Path, help="seed model folders")
    args = parser.parse_args(argv)
    torch.set_num_threads(int(os.environ.get("SPINETRAINER_THREADS", "0")) or os.cpu_count() or 1)
    progress = Progress()
    try:
        folders = [read_seed_folder(f) for f in args.folders]  # every folder is checked before anything is written
        names = [f.name for f in folders]
        if len(set(names)) != len(names):
            raise SeedFolderError(f"the same seed model is given twice: {sorted(n for n in names if names.count(n) > 1)}")
        progress.emit("start", models=len(folders), checkpoints=sum(len(f.checkpoints) for f in folders))
        written = convert(folders, args.out, progress)
        progress.emit("done", manifests=written)
        return 0
    except SeedFolderError as exc:
        progress.emit("error", code="BAD_SEED_FOLDER", message=str(exc))
        progress.log(f"error: {exc}")
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - the one place that turns any failure into an error event
        traceback.print_exc(file=sys.stderr)
        progress.emit("error", code="INTERNAL", message=f"{type(exc).__name__}: {exc}")
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
