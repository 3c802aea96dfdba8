"""Gaussian heatmap targets and their argmax decoding.

Coordinates are (x, y) in the input's pixel grid, the value of pixel (i, j) being the Gaussian at (i, j). The
exporter places a label at x_norm * W, y_norm * H (the seed's CoordDataset convention, docs/training-format.md,
"Coordinates"), and inference decodes an argmax (u, v) as x_norm = u / W: the exact inverse.
"""
from __future__ import annotations

from typing import Tuple

import torch


def sigma_for_size(sigma_at_512: float, size: int) -> float:
    return sigma_at_512 * size / 512.0


def gaussian_targets(points: torch.Tensor, height: int, width: int, sigma: float) -> Tuple[torch.Tensor, torch.Tensor]:
    """points [B, K, 2] (NaN = missing) -> (heatmaps [B, K, H, W] peaking at 1, mask [B, K] of present points)."""
    mask = torch.isfinite(points).all(dim=-1)
    safe = torch.where(mask.unsqueeze(-1), points, torch.zeros_like(points))
    ys = torch.arange(height, device=points.device, dtype=points.dtype).view(1, 1, height, 1)
    xs = torch.arange(width, device=points.device, dtype=points.dtype).view(1, 1, 1, width)
    dx2 = (xs - safe[..., 0, None, None]) ** 2
    dy2 = (ys - safe[..., 1, None, None]) ** 2
    maps = torch.exp(-(dx2 + dy2) / (2.0 * sigma * sigma))
    return maps * mask[..., None, None].to(maps.dtype), mask


def argmax_points(heatmaps: torch.Tensor) -> torch.Tensor:
    """heatmaps [B, K, H, W] -> points [B, K, 2] (x, y) of each map's maximum."""
    b, k, h, w = heatmaps.shape
    flat = heatmaps.reshape(b, k, h * w).argmax(dim=-1)
    return torch.stack([(flat % w).to(torch.float32), (flat // w).to(torch.float32)], dim=-1)
