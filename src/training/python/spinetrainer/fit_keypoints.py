"""One fold of a keypoint heatmap model: train on the other folds, predict the held-out fold (out-of-fold)."""
from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import torch
from torch import nn

from . import augment
from .configs import KeypointConfig
from .heatmaps import argmax_points, gaussian_targets, sigma_for_size
from .loop import (RunContext, adamw, batch_count, batches, mean_or_none, schedule, seed_everything, seed_for,
                   to_device)
from .models.deeplab import DeepLabV3Plus
from .models.resnet import ResNetEncoder, load_torchvision_resnet
from .models.seed.coord import CoordModel
from .tensor_index import KeypointGroup, TensorIndex
from .vocabulary import KEYPOINT_OUTPUTS


@dataclass(frozen=True)
class KeypointSplit:
    train: np.ndarray
    val: np.ndarray


@dataclass
class FoldOutcome:
    model: nn.Module
    metrics: Dict[str, Optional[float]]
    oof: List[Dict[str, Any]]
    train_samples: int
    val_samples: int
    epochs: int


def keypoint_split(group: KeypointGroup, index: TensorIndex, fold: int) -> KeypointSplit:
    folds = np.asarray([index.fold_of(s) for s in group.study_ids])
    labelled = np.isfinite(group.points).all(axis=-1).any(axis=-1)
    return KeypointSplit(train=np.nonzero((folds != fold) & labelled)[0], val=np.nonzero(folds == fold)[0])


def keypoint_units(split: KeypointSplit, cfg: KeypointConfig, epochs: int) -> int:
    return epochs * (batch_count(len(split.train), cfg.batch_size) + batch_count(len(split.val), cfg.batch_size * 2))


def build_keypoint_model(role: str, in_channels: int, cfg: KeypointConfig) -> nn.Module:
    if cfg.architecture == "seed":
        return CoordModel(num_classes=len(KEYPOINT_OUTPUTS[role]), in_channels=in_channels)
    return DeepLabV3Plus(in_channels, len(KEYPOINT_OUTPUTS[role]), cfg.encoder_width, cfg.decoder_channels)


def keypoint_encoder(model: nn.Module) -> ResNetEncoder:
    encoder = model.unet.encoder if isinstance(model, CoordModel) else model.encoder
    assert isinstance(encoder, ResNetEncoder)
    return encoder


def _augment(x: torch.Tensor, pts: torch.Tensor, cfg: KeypointConfig, gen: torch.Generator
             ) -> Tuple[torch.Tensor, torch.Tensor]:
    h, w = x.shape[-2:]
    a = augment.random_affine(x.shape[0], gen)
    x = augment.warp(x, a)
    pts = augment.warp_points(pts, a, h, w)
    outside = (pts[..., 0] < -0.5) | (pts[..., 0] > w - 0.5) | (pts[..., 1] < -0.5) | (pts[..., 1] > h - 0.5)
    pts = torch.where(outside.unsqueeze(-1), torch.full_like(pts, float("nan")), pts)
    if cfg.channel_shuffle:
        x = augment.channel_shuffle(x, 0.5, gen)
    return augment.sharpen_or_blur(x, 0.5, gen), pts


def _masked_mse(pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask.to(pred.dtype)[..., None, None]
    per_map = pred.shape[-1] * pred.shape[-2]
    return ((pred - target) ** 2 * m).sum() / (m.sum() * per_map).clamp(min=1.0)


def fit_keypoint_fold(role: str, group: KeypointGroup, index: TensorIndex, fold: int, cfg: KeypointConfig,
                      ctx: RunContext) -> FoldOutcome:
    split = keypoint_split(group, index, fold)
    epochs = ctx.epochs_override or cfg.epochs
    seed = seed_for(ctx.seed, role, fold)
    gen = seed_everything(seed)
    rng = np.random.RandomState(seed)
    _, channels, height, width = group.data.shape
    sigma = sigma_for_size(cfg.sigma_at_512, width)
    model = build_keypoint_model(role, channels, cfg)
    if "resnet34" in ctx.pretrained:
        load_torchvision_resnet(keypoint_encoder(model), ctx.pretrained["resnet34"])
    model.to(ctx.device)
    optimizer = adamw(model, cfg.lr, cfg.weight_decay)
    steps = batch_count(len(split.train), cfg.batch_size)
    scheduler = schedule(optimizer, "cosine", epochs, steps)
    metrics: Dict[str, Optional[float]] = {}
    oof: List[Dict[str, Any]] = []
    for epoch in range(1, epochs + 1):
        model.train()
        started, losses = time.monotonic(), []
        for step, rows in enumerate(batches(split.train, cfg.batch_size, rng), start=1):
            ctx.cancel.check()
            x = to_device(group.data[rows], ctx.device)
            pts = torch.from_numpy(group.points[rows]).to(ctx.device)
            if ctx.augment:
                x, pts = _augment(x, pts, cfg, gen)
            target, mask = gaussian_targets(pts, height, width, sigma)
            loss = _masked_mse(model(x), target, mask)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            losses.append(float(loss.detach()))
            ctx.progress.advance()
            ctx.progress.step(step == steps, role=role, fold=fold, epoch=epoch, step=step, steps=steps,
                              loss=losses[-1], lr=scheduler.get_last_lr()[0])
        metrics, oof = _validate(model, group, split.val, cfg, sigma, ctx)
        metrics["trainLoss"] = mean_or_none(losses)
        ctx.progress.emit("epoch", role=role, fold=fold, epoch=epoch, epochs=epochs, loss=metrics["trainLoss"],
                          valLoss=metrics["valLoss"], valMetric=metrics["valMeanPxError"],
                          valMetricName="meanPxError", seconds=round(time.monotonic() - started, 2))
    model.eval()
    return FoldOutcome(model=copy.deepcopy(model).cpu().eval(), metrics=metrics, oof=oof,
                       train_samples=len(split.train), val_samples=len(split.val), epochs=epochs)


@torch.no_grad()
def _validate(model: nn.Module, group: KeypointGroup, rows_all: np.ndarray, cfg: KeypointConfig, sigma: float,
              ctx: RunContext) -> Tuple[Dict[str, Optional[float]], List[Dict[str, Any]]]:
    model.eval()
    errors_px: List[float] = []
    errors_mm: List[float] = []
    losses: List[float] = []
    oof: List[Dict[str, Any]] = []
    h, w = group.data.shape[-2:]
    names = KEYPOINT_OUTPUTS[group.role]
    for rows in batches(rows_all, cfg.batch_size * 2, None):
        ctx.cancel.check()
        x = to_device(group.data[rows], ctx.device)
        target_pts = torch.from_numpy(group.points[rows]).to(ctx.device)
        pred = model(x)
        target, mask = gaussian_targets(target_pts, h, w, sigma)
        if bool(mask.any()):
            losses.append(float(_masked_mse(pred, target, mask)))
        found = argmax_points(pred).cpu().numpy()
        err = np.linalg.norm(found - group.points[rows], axis=-1)  # NaN where the target is missing
        for i, row in enumerate(rows):
            mpp = float(group.mm_per_pixel[row])
            for j in range(len(names)):
                if np.isfinite(err[i, j]):
                    errors_px.append(float(err[i, j]))
                    if np.isfinite(mpp):
                        errors_mm.append(float(err[i, j]) * mpp)
            oof.append({"studyId": group.study_ids[row], "row": int(row),
                        "predicted": found[i].round(3).tolist(),
                        "target": [None if not np.isfinite(p).all() else p.tolist() for p in group.points[row]],
                        "errorPx": [None if not np.isfinite(e) else round(float(e), 3) for e in err[i]]})
        ctx.progress.advance()
    metrics: Dict[str, Optional[float]] = {
        "valMeanPxError": mean_or_none(errors_px), "valMedianPxError": float(np.median(errors_px)) if errors_px else None,
        "valMeanMmError": mean_or_none(errors_mm), "valPoints": float(len(errors_px)), "valLoss": mean_or_none(losses)}
    return metrics, oof
