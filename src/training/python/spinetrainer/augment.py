"""Batch augmentations in torch ops, per the 9th-place recipe: rotation and shear (+-15 deg), channel shuffle
(p=0.5, axial inputs only), and one of sharpen or motion blur (p=0.5).

They run on whatever device holds the batch; random draws come from a CPU torch.Generator so that a seeded run
repeats exactly on any device. Geometry works in centred pixel coordinates so that keypoint targets move with
the image exactly (see heatmaps.py for the coordinate convention).
"""
from __future__ import annotations

import math
from typing import Optional

import torch
import torch.nn.functional as F

MAX_ROTATION_DEG = 15.0
MAX_SHEAR_DEG = 15.0
KERNEL = 7  # every per-sample kernel (identity, sharpen, motion blur) is embedded in 7 x 7


def _uniform(n: int, low: float, high: float, gen: torch.Generator) -> torch.Tensor:
    return low + (high - low) * torch.rand(n, generator=gen)


def random_affine(n: int, gen: torch.Generator, max_rotation_deg: float = MAX_ROTATION_DEG,
                  max_shear_deg: float = MAX_SHEAR_DEG) -> torch.Tensor:
    """[n, 2, 2] matrices A (rotation @ x-shear) mapping output pixel offsets from the centre to input offsets."""
    rot = torch.deg2rad(_uniform(n, -max_rotation_deg, max_rotation_deg, gen))
    shear = torch.tan(torch.deg2rad(_uniform(n, -max_shear_deg, max_shear_deg, gen)))
    cos, sin = torch.cos(rot), torch.sin(rot)
    r = torch.stack([torch.stack([cos, -sin], -1), torch.stack([sin, cos], -1)], -2)
    s = torch.zeros(n, 2, 2)
    s[:, 0, 0] = 1.0
    s[:, 1, 1] = 1.0
    s[:, 0, 1] = shear
    return r @ s


def warp(images: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    """Resamples images [N, C, H, W] so that output pixel offset p (from the centre) reads input offset A p."""
    n, _, h, w = images.shape
    scale = torch.tensor([w / 2.0, h / 2.0])
    theta_lin = a / scale.view(1, 2, 1) * scale.view(1, 1, 2)  # S^-1 A S in normalised coordinates
    theta = torch.cat([theta_lin, torch.zeros(n, 2, 1)], dim=2).to(images.device, images.dtype)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def warp_points(points: torch.Tensor, a: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Moves points [N, K, 2] (pixel x, y) the way `warp` moves the image content: p_out = A^-1 p_in."""
    centre = torch.tensor([width / 2.0 - 0.5, height / 2.0 - 0.5], device=points.device, dtype=points.dtype)
    inv = torch.linalg.inv(a).to(points.device, points.dtype)
    return torch.einsum("nij,nkj->nki", inv, points - centre) + centre


def channel_shuffle(images: torch.Tensor, p: float, gen: torch.Generator,
                    only: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Permutes the channels of each sample with probability p (only where `only` [N] is True, if given)."""
    n, c = images.shape[:2]
    order = torch.arange(c).repeat(n, 1)
    chosen = torch.rand(n, generator=gen) < p
    if only is not None:
        chosen &= only.cpu()
    for i in torch.nonzero(chosen).flatten().tolist():
        order[i] = torch.randperm(c, generator=gen)
    index = order.to(images.device).view(n, c, 1, 1).expand_as(images)
    return torch.gather(images, 1, index)


def _sharpen_kernel(alpha: float, lightness: float) -> torch.Tensor:
    k = torch.zeros(KERNEL, KERNEL)
    c = KERNEL // 2
    k[c - 1:c + 2, c - 1:c + 2] = -1.0
    k[c, c] = 8.0 + lightness
    identity = torch.zeros(KERNEL, KERNEL)
    identity[c, c] = 1.0
    return (1 - alpha) * identity + alpha * k


def _motion_blur_kernel(length: int, angle: float) -> torch.Tensor:
    coords = torch.arange(KERNEL, dtype=torch.float32) - KERNEL // 2
    yy, xx = torch.meshgrid(coords, coords, indexing="ij")
    along = xx * math.cos(angle) + yy * math.sin(angle)
    across = -xx * math.sin(angle) + yy * math.cos(angle)
    k = torch.clamp(1.0 - across.abs(), min=0.0) * (along.abs() <= (length - 1) / 2 + 1e-6)
    return k / k.sum()


def sharpen_or_blur(images: torch.Tensor, p: float, gen: torch.Generator) -> torch.Tensor:
    """With probability p per sample, applies one of sharpen or motion blur (equally likely) to all its channels."""
    n, c, h, w = images.shape
    kernels = torch.zeros(n, KERNEL, KERNEL)
    kernels[:, KERNEL // 2, KERNEL // 2] = 1.0
    apply = torch.rand(n, generator=gen) < p
    blur = torch.rand(n, generator=gen) < 0.5
    for i in torch.nonzero(apply).flatten().tolist():
        if blur[i]:
            length = int(torch.randint(3, KERNEL + 1, (1,), generator=gen))
            kernels[i] = _motion_blur_kernel(length, float(_uniform(1, 0.0, math.pi, gen)))
        else:
            kernels[i] = _sharpen_kernel(float(_uniform(1, 0.2, 0.5, gen)), float(_uniform(1, 0.5, 1.0, gen)))
    weight = kernels.repeat_interleave(c, dim=0).unsqueeze(1).to(images.device, images.dtype)
    out = F.conv2d(images.reshape(1, n * c, h, w), weight, padding=KERNEL // 2, groups=n * c)
    return out.reshape(n, c, h, w)
