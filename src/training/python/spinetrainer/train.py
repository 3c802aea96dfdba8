"""CLI: `python -m spinetrainer.train --request request.json` (PYTHONPATH=src/training/python).

Trains every requested role x fold, exports each model (ONNX + manifest + check file), scores the out-of-fold
predictions and writes run-summary.json. stdout carries JSON lines only; logs go to stderr.
Exit codes: 0 done, 2 bad request or tensors, 143 cancelled (SIGTERM/SIGINT), 1 anything else.
"""
from __future__ import annotations

import os

# Before torch loads OpenMP: spinning worker threads made a tiny run 3-5x slower on a busy 2-core machine.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from dataclasses import asdict, dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Dict, List, Optional, Sequence, Tuple  # noqa: E402

import torch  # noqa: E402

from . import FORMAT_VERSION
from .configs import CONFIGS, RunConfig
from .cv_summary import classifier_cv, keypoint_cv
from .fit_classifier import (ClassifierSamples, classifier_samples, classifier_split, classifier_units,
                             fit_classifier_fold)
from .fit_keypoints import FoldOutcome, fit_keypoint_fold, keypoint_split, keypoint_units
from .loop import RunContext
from .manifest import Provenance, classifier_manifest, keypoint_manifest
from .models.resnet import PretrainedWeightsError
from .onnx_export import export_onnx
from .progress import CANCEL_EXIT_CODE, Cancelled, CancelToken, Progress, to_json
from .request import RequestError, TrainRequest, load_request, request_summary
from .seed_manifest import seed_classifier_manifest, seed_keypoint_manifest
from .tensor_index import TensorIndex, TensorIndexError, data_hash, describe, load_tensor_index
from .vocabulary import CLASSIFIER_SPECS, KEYPOINT_ROLES

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


@dataclass(frozen=True)
class FoldJob:
    role: str
    fold: int
    units: int
    train: int
    val: int


def pick_device(wanted: str) -> torch.device:
    if wanted == "cuda" and not torch.cuda.is_available():
        raise RequestError("request.device is 'cuda' but no CUDA device is available to this torch")
    if wanted == "cpu" or not torch.cuda.is_available():
        return torch.device("cpu")
    torch.backends.cudnn.benchmark = True
    return torch.device("cuda")


def plan_jobs(req: TrainRequest, cfg: RunConfig, index: TensorIndex, folds: Sequence[int],
              samples: Dict[str, ClassifierSamples], progress: Progress) -> List[FoldJob]:
    """Checks that every requested role x fold has data, and counts the work for the ETA."""
    known_folds = set(index.folds())
    missing = [f for f in folds if f not in known_folds]
    if missing:
        raise TensorIndexError(f"request.folds {missing} has no studies in the tensor index (folds: {sorted(known_folds)})")
    jobs: List[FoldJob] = []
    for role in req.roles:
        if role in KEYPOINT_ROLES:
            group = index.keypoints.get(role)
            if group is None:
                raise TensorIndexError(f"role {role} was requested but the tensor index has no keypoints.{role}")
            kcfg = cfg.keypoints[role]
            if group.data.shape[-1] != kcfg.input_size or group.data.shape[-2] != kcfg.input_size:
                progress.log(f"warning: {role} tensors are {group.data.shape[-2:]} px, config '{cfg.name}' "
                             f"expects {kcfg.input_size}; training at the tensors' size")
            for fold in folds:
                split = keypoint_split(group, index, fold)
                if len(split.train) == 0:
                    raise TensorIndexError(f"{role}: fold {fold} leaves no labelled training samples")
                epochs = req.epochs_override or kcfg.epochs
                jobs.append(FoldJob(role, fold, keypoint_units(split, kcfg, epochs), len(split.train), len(split.val)))
        else:
            kinds = sorted({k for variant, _ in CLASSIFIER_SPECS[role].variants for k in variant})
            if not any(k in index.rois for k in kinds):
                raise TensorIndexError(f"role {role} was requested but the tensor index has none of the ROI "
                                       f"groups it reads: {', '.join('rois.' + k for k in kinds)}")
            ccfg = cfg.classifiers[role]
            samples[role] = classifier_samples(role, index)
            roi_size = next(iter(index.rois.values())).data.shape[-1]
            if roi_size != ccfg.roi_size:
                progress.log(f"warning: ROI tensors are {roi_size} px, config '{cfg.name}' expects "
                             f"{ccfg.roi_size}; training at the tensors' size")
            for fold in folds:
                train, val = classifier_split(samples[role], fold)
                if len(train) == 0:
                    raise TensorIndexError(f"{role}: fold {fold} leaves no labelled training samples")
                epochs = req.epochs_override or ccfg.epochs
                jobs.append(FoldJob(role, fold, classifier_units(len(train), len(val), ccfg, epochs),
                                    len(train), len(val)))
    return jobs


def _write_json(path: Path, value: Any) -> None:
    """Write-then-rename, so a reader never sees half a file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(to_json(value, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def train_job(job: FoldJob, req: TrainRequest, cfg: RunConfig, index: TensorIndex,
              samples: Dict[str, ClassifierSamples], ctx: RunContext, dhash: str) -> Tuple[Dict[str, Any], FoldOutcome]:
    """Trains one role x fold and writes its .onnx, .check.json and .manifest.json; returns the summary entry."""
    if job.role in KEYPOINT_ROLES:
        group = index.keypoints[job.role]
        kcfg = cfg.keypoints[job.role]
        outcome = fit_keypoint_fold(job.role, group, index, job.fold, kcfg, ctx)
        shape = list(group.data.shape[1:])
        ctx.cancel.check()
        exported = export_onnx(outcome.model, job.role, job.fold, shape, "image", "heatmaps", req.output_dir)
        prov = _provenance(req, cfg, index, ctx.device, dhash, outcome)
        if kcfg.architecture == "seed":
            manifest = seed_keypoint_manifest(job.role, job.fold, shape, exported, prov.as_json(asdict(kcfg)),
                                              metrics=outcome.metrics)
        else:
            manifest = keypoint_manifest(job.role, job.fold, kcfg, shape, exported, prov, outcome.metrics)
        seed_arch = kcfg.architecture == "seed"
    else:
        ccfg = cfg.classifiers[job.role]
        backbone = req.classifier_backbone or ccfg.backbone
        outcome = fit_classifier_fold(job.role, index, samples[job.role], job.fold, ccfg, backbone, ctx)
        roi = next(iter(index.rois.values())).data
        shape = [len(CLASSIFIER_SPECS[job.role].slots)] + list(roi.shape[1:])
        ctx.cancel.check()
        exported = export_onnx(outcome.model, job.role, job.fold, shape, "rois", "logits", req.output_dir)
        prov = _provenance(req, cfg, index, ctx.device, dhash, outcome)
        if ccfg.architecture == "seed":
            rnn = {"gruHidden": ccfg.gru_hidden, "gruLayers": ccfg.gru_layers, "bidirectional": False}
            manifest = seed_classifier_manifest(job.role, job.fold, backbone, shape, exported,
                                                prov.as_json({**asdict(ccfg), "backbone": backbone}), rnn=rnn,
                                                metrics=outcome.metrics)
        else:
            manifest = classifier_manifest(job.role, job.fold, ccfg, backbone, shape, exported, prov, outcome.metrics)
        seed_arch = ccfg.architecture == "seed"
    if seed_arch:
        # The seed's checkpoint format (torch.save(model.state_dict())): loads into the seed's own model class.
        torch.save(outcome.model.cpu().state_dict(), req.output_dir / f"{job.role}-fold{job.fold}.pt")
    manifest_path = req.output_dir / f"{job.role}-fold{job.fold}.manifest.json"
    _write_json(manifest_path, manifest)
    entry = {"role": job.role, "fold": job.fold, "onnx": exported.onnx_path.name, "manifest": manifest_path.name,
             "check": exported.check_path.name, "sha256": exported.sha256, "bytes": exported.bytes,
             "architecture": manifest["architecture"], "metrics": outcome.metrics}
    return entry, outcome


def cross_validation(req: TrainRequest, index: TensorIndex, oof: Dict[str, List[Dict[str, Any]]],
                     per_fold: Dict[str, List[Dict[str, Any]]]) -> Dict[str, Any]:
    cv: Dict[str, Any] = {"keypoints": {}, "folds": per_fold}
    for role in req.roles:
        if role in KEYPOINT_ROLES:
            mpp = {i: float(v) for i, v in enumerate(index.keypoints[role].mm_per_pixel)}
            cv["keypoints"][role] = keypoint_cv(oof.get(role, []), mpp)
    cv["classifiers"] = classifier_cv({r: oof[r] for r in req.roles if r not in KEYPOINT_ROLES}, index)
    return cv


def run(req: TrainRequest, progress: Progress, cancel: CancelToken) -> Dict[str, Any]:
    started = time.monotonic()
    cfg = CONFIGS[req.config]
    progress.step_interval_s = cfg.step_event_interval_s
    torch.set_num_threads(req.threads or cfg.threads or os.cpu_count() or 1)
    index = load_tensor_index(req.tensor_index)
    device = pick_device(req.device)
    folds = list(req.folds) if req.folds else list(index.folds())
    samples: Dict[str, ClassifierSamples] = {}
    jobs = plan_jobs(req, cfg, index, folds, samples, progress)
    req.output_dir.mkdir(parents=True, exist_ok=True)
    progress.plan(sum(j.units for j in jobs))
    progress.emit("start", version=FORMAT_VERSION, config=cfg.name, roles=list(req.roles), folds=folds,
                  device=str(device), torch=torch.__version__, threads=torch.get_num_threads(),
                  studies=len(index.studies), tensors=describe(index), outputDir=str(req.output_dir),
                  jobs=[{"role": j.role, "fold": j.fold, "train": j.train, "val": j.val} for j in jobs])
    progress.log(f"config {cfg.name} on {device}; {len(jobs)} role x fold runs; hashing the training data")
    dhash = data_hash(index)
    ctx = RunContext(device=device, progress=progress, cancel=cancel, seed=req.seed, augment=cfg.augment,
                     pretrained=dict(req.pretrained), epochs_override=req.epochs_override)
    models: List[Dict[str, Any]] = []
    oof: Dict[str, List[Dict[str, Any]]] = {}
    per_fold: Dict[str, List[Dict[str, Any]]] = {}
    for job in jobs:
        cancel.check()
        t0 = time.monotonic()
        progress.log(f"{job.role} fold {job.fold}: {job.train} training / {job.val} validation samples")
        entry, outcome = train_job(job, req, cfg, index, samples, ctx, dhash)
        models.append(entry)
        oof.setdefault(job.role, []).extend(outcome.oof)
        per_fold.setdefault(job.role, []).append({"fold": job.fold, **outcome.metrics})
        progress.emit("export", **{k: v for k, v in entry.items() if k != "metrics"})
        progress.emit("fold", role=job.role, fold=job.fold, metrics=outcome.metrics,
                      seconds=round(time.monotonic() - t0, 2))
    for role, rows in oof.items():
        _write_json(req.output_dir / f"{role}.oof.json", rows)
    cv = cross_validation(req, index, oof, per_fold)
    summary = {
        "formatVersion": FORMAT_VERSION, "config": cfg.name, "seed": req.seed, "folds": folds,
        "roles": list(req.roles), "device": str(device), "torch": torch.__version__, "trainingDataHash": dhash,
        "tensorIndex": str(req.tensor_index), "durationS": round(time.monotonic() - started, 2),
        "onnxBytes": sum(m["bytes"] for m in models), "models": models, "cv": cv,
        "oof": {role: f"{role}.oof.json" for role in oof}, "request": request_summary(req),
    }
    summary_path = req.output_dir / "run-summary.json"
    _write_json(summary_path, summary)
    scores = {k: v["score"] for k, v in cv["classifiers"].items() if k in ("split", "global", "ensemble")}
    progress.emit("done", summary=str(summary_path), durationS=summary["durationS"], models=len(models),
                  onnxBytes=summary["onnxBytes"], cv={**cv["keypoints"], **scores})
    return summary


def _provenance(req: TrainRequest, cfg: RunConfig, index: TensorIndex, device: torch.device, dhash: str,
                outcome: FoldOutcome) -> Provenance:
    return Provenance(config=cfg, seed=req.seed, device=str(device), data_hash=dhash,
                      tensor_index=str(req.tensor_index), train_samples=outcome.train_samples,
                      val_samples=outcome.val_samples, epochs=outcome.epochs, request=request_summary(req),
                      export_meta=index.meta)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spinetrainer.train", description=__doc__)
    parser.add_argument("--request", required=True, type=Path, help="request JSON (docs/training-format.md)")
    args = parser.parse_args(argv)
    torch.set_num_threads(os.cpu_count() or 1)
    progress = Progress()
    cancel = CancelToken()
    cancel.install()
    try:
        run(load_request(args.request), progress, cancel)
        return 0
    except (RequestError, PretrainedWeightsError) as exc:
        progress.emit("error", code="BAD_REQUEST", message=str(exc))
        progress.log(f"error: {exc}")
        return EXIT_BAD_INPUT
    except TensorIndexError as exc:
        progress.emit("error", code="BAD_TENSORS", message=str(exc))
        progress.log(f"error: {exc}")
        return EXIT_BAD_INPUT
    except Cancelled as exc:
        progress.emit("error", code="CANCELLED", message=str(exc))
        progress.log(str(exc))
        return CANCEL_EXIT_CODE
    except Exception as exc:  # noqa: BLE001 - the one place that turns any failure into an error event
        traceback.print_exc(file=sys.stderr)
        progress.emit("error", code="INTERNAL", message=f"{type(exc).__name__}: {exc}")
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
