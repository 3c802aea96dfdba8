"""One fold of a 2.5D ROI classifier: train on the other folds, predict the held-out fold (out-of-fold)."""
from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import augment
from .configs import ClassifierConfig
from .fit_keypoints import FoldOutcome
from .loop import (RunContext, adamw, batch_count, batches, mean_or_none, schedule, seed_everything, seed_for,
                   to_device)
from .metric import ScoredRow, competition_score, weighted_log_loss
from .models.classifier import RoiSequenceClassifier
from .models.seed.train_build import build_seed_classifier
from .tensor_index import TensorIndex
from .vocabulary import AXIAL_ROI_KINDS, CLASSIFIER_SPECS, LEVELS, SEVERITY_WEIGHTS


@dataclass(frozen=True)
class ClassifierSamples:
    """Every (study, level, variant) a classifier can be fed: which ROI row fills each slot, and the labels."""
    role: str
    study_ids: Tuple[str, ...]
    levels: Tuple[str, ...]
    variants: np.ndarray   # [N] index into CLASSIFIER_SPECS[role].variants
    rows: np.ndarray       # [N, R] row in the slot's ROI group; -1 = missing (the slot is fed zeros)
    labels: np.ndarray     # [N, C] severity index; -1 = not graded
    folds: np.ndarray      # [N]


def classifier_samples(role: str, index: TensorIndex) -> ClassifierSamples:
    spec = CLASSIFIER_SPECS[role]
    ids: List[str] = []
    levels: List[str] = []
    variants: List[int] = []
    rows: List[List[int]] = []
    labels: List[List[int]] = []
    for sid in sorted(index.studies):
        study = index.studies[sid]
        for level in LEVELS:
            for v, (kinds, conditions) in enumerate(spec.variants):
                r = [index.rois[k].rows.get((sid, level), -1) if k in index.rois else -1 for k in kinds]
                if all(x < 0 for x in r):
                    continue
                ids.append(sid)
                levels.append(level)
                variants.append(v)
                rows.append(r)
                labels.append([study.label(c, level) for c in conditions])
    r_count = len(spec.slots)
    return ClassifierSamples(
        role=role, study_ids=tuple(ids), levels=tuple(levels), variants=np.asarray(variants, dtype=np.int64),
        rows=np.asarray(rows, dtype=np.int64).reshape(-1, r_count),
        labels=np.asarray(labels, dtype=np.int64).reshape(-1, spec.conditions_out),
        folds=np.asarray([index.fold_of(s) for s in ids], dtype=np.int64))


def classifier_split(samples: ClassifierSamples, fold: int) -> Tuple[np.ndarray, np.ndarray]:
    labelled = (samples.labels >= 0).any(axis=1)
    return np.nonzero((samples.folds != fold) & labelled)[0], np.nonzero(samples.folds == fold)[0]


def classifier_units(n_train: int, n_val: int, cfg: ClassifierConfig, epochs: int) -> int:
    return epochs * (batch_count(n_train, cfg.batch_size) + batch_count(n_val, cfg.batch_size * 2))


def gather_rois(index: TensorIndex, samples: ClassifierSamples, which: np.ndarray) -> np.ndarray:
    """[B, R, S, H, W] float32 for the samples `which`; missing ROIs stay zero."""
    spec = CLASSIFIER_SPECS[samples.role]
    first = next(iter(index.rois.values())).data
    out = np.zeros((len(which), len(spec.slots)) + tuple(first.shape[1:]), dtype=np.float32)
    for v, (kinds, _) in enumerate(spec.variants):
        in_variant = np.nonzero(samples.variants[which] == v)[0]
        for slot, kind in enumerate(kinds):
            rows = samples.rows[which[in_variant], slot]
            present = rows >= 0
            if present.any():
                out[in_variant[present], slot] = index.rois[kind].data[rows[present]]
    return out


def axial_slot_mask(role: str, samples: ClassifierSamples, which: np.ndarray) -> np.ndarray:
    """[B, R] True where the slot holds an axial ROI (those get channel shuffle, per the 9th-place recipe)."""
    spec = CLASSIFIER_SPECS[role]
    table = np.asarray([[k in AXIAL_ROI_KINDS for k in kinds] for kinds, _ in spec.variants])
    return table[samples.variants[which]]


def build_classifier(role: str, cfg: ClassifierConfig, backbone: str, ctx: RunContext) -> nn.Module:
    spec = CLASSIFIER_SPECS[role]
    pretrained = ctx.pretrained.get(backbone)
    if cfg.architecture == "seed":
        return build_seed_classifier(role, backbone, cfg.gru_hidden, cfg.gru_layers, pretrained)
    return RoiSequenceClassifier(len(spec.slots), spec.conditions_out, backbone, cfg.backbone_width,
                                 cfg.gru_hidden, cfg.gru_layers, cfg.bidirectional, cfg.dropout, pretrained)


def _augment(x: torch.Tensor, axial: np.ndarray, gen: torch.Generator) -> torch.Tensor:
    b, r, s, h, w = x.shape
    flat = x.reshape(b * r, s, h, w)
    flat = augment.warp(flat, augment.random_affine(b * r, gen))
    flat = augment.channel_shuffle(flat, 0.5, gen, only=torch.from_numpy(axial.reshape(-1)))
    return augment.sharpen_or_blur(flat, 0.5, gen).reshape(b, r, s, h, w)


def _loss(logits: torch.Tensor, labels: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Class-weighted cross entropy over every graded output (weights 1/2/4 = the metric's sample weights)."""
    return F.cross_entropy(logits.reshape(-1, 3), labels.reshape(-1), weight=weights, ignore_index=-1)


def fit_classifier_fold(role: str, index: TensorIndex, samples: ClassifierSamples, fold: int,
                        cfg: ClassifierConfig, backbone: str, ctx: RunContext) -> FoldOutcome:
    train_idx, val_idx = classifier_split(samples, fold)
    epochs = ctx.epochs_override or cfg.epochs
    seed = seed_for(ctx.seed, role, fold)
    gen = seed_everything(seed)
    rng = np.random.RandomState(seed)
    model = build_classifier(role, cfg, backbone, ctx).to(ctx.device)
    lr = cfg.lr if backbone == "resnet18" else cfg.transformer_lr
    optimizer = adamw(model, lr, cfg.weight_decay)
    steps = batch_count(len(train_idx), cfg.batch_size)
    scheduler = schedule(optimizer, cfg.schedule, epochs, steps, cfg.step_size, cfg.step_gamma)
    weights = torch.tensor(SEVERITY_WEIGHTS, dtype=torch.float32, device=ctx.device)
    metrics: Dict[str, Optional[float]] = {}
    oof: List[Dict[str, Any]] = []
    for epoch in range(1, epochs + 1):
        model.train()
        started, losses = time.monotonic(), []
        for step, which in enumerate(batches(train_idx, cfg.batch_size, rng), start=1):
            ctx.cancel.check()
            x = to_device(gather_rois(index, samples, which), ctx.device)
            if ctx.augment:
                x = _augment(x, axial_slot_mask(role, samples, which), gen)
            labels = torch.from_numpy(samples.labels[which]).to(ctx.device)
            loss = _loss(model(x), labels, weights)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            losses.append(float(loss.detach()))
            ctx.progress.advance()
            ctx.progress.step(step == steps, role=role, fold=fold, epoch=epoch, step=step, steps=steps,
                              loss=losses[-1], lr=scheduler.get_last_lr()[0])
        metrics, oof = _validate(model, index, samples, val_idx, cfg, ctx)
        metrics["trainLoss"] = mean_or_none(losses)
        ctx.progress.emit("epoch", role=role, fold=fold, epoch=epoch, epochs=epochs, loss=metrics["trainLoss"],
                          valLoss=metrics["valWeightedLogLoss"], valMetric=metrics["valWeightedLogLoss"],
                          valMetricName="weightedLogLoss", seconds=round(time.monotonic() - started, 2))
    return FoldOutcome(model=copy.deepcopy(model).cpu().eval(), metrics=metrics, oof=oof,
                       train_samples=len(train_idx), val_samples=len(val_idx), epochs=epochs)


@torch.no_grad()
def _validate(model: nn.Module, index: TensorIndex, samples: ClassifierSamples, val_idx: np.ndarray,
              cfg: ClassifierConfig, ctx: RunContext
              ) -> Tuple[Dict[str, Optional[float]], List[Dict[str, Any]]]:
    model.eval()
    spec = CLASSIFIER_SPECS[samples.role]
    oof: List[Dict[str, Any]] = []
    scored: List[ScoredRow] = []
    for which in batches(val_idx, cfg.batch_size * 2, None):
        ctx.cancel.check()
        logits = model(to_device(gather_rois(index, samples, which), ctx.device))
        probs = torch.softmax(logits.reshape(len(which), -1, 3), dim=-1).cpu().numpy()
        for i, s in enumerate(which):
            for c, condition in enumerate(spec.variants[samples.variants[s]][1]):
                label = int(samples.labels[s, c])
                p = [round(float(v), 6) for v in probs[i, c]]
                oof.append({"studyId": samples.study_ids[s], "level": samples.levels[s], "condition": condition,
                            "label": label, "probs": p})
                if label >= 0:
                    scored.append(ScoredRow(samples.study_ids[s], condition, samples.levels[s], label, p))
        ctx.progress.advance()
    if not scored:
        return {"valWeightedLogLoss": None, "valScore": None, "valRows": 0.0}, oof
    labels = np.asarray([r.label for r in scored])
    loss = weighted_log_loss(labels, np.asarray([r.probs for r in scored]), np.asarray(SEVERITY_WEIGHTS)[labels])
    return {"valWeightedLogLoss": loss, "valScore": competition_score(scored)["score"],
            "valRows": float(len(scored))}, oof
