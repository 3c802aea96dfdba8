"""Augmentations move keypoint targets with the image, and the heatmap encoding round-trips."""
import math

import pytest
import torch

from spinetrainer import augment
from spinetrainer.heatmaps import argmax_points, gaussian_targets


def test_gaussian_targets_peak_at_points_and_mask_missing() -> None:
    pts = torch.tensor([[[10.0, 20.0], [float("nan"), float("nan")]]])
    maps, mask = gaussian_targets(pts, 32, 48, sigma=2.0)
    assert maps.shape == (1, 2, 32, 48)
    assert mask.tolist() == [[True, False]]
    assert maps[0, 0, 20, 10] == pytest.approx(1.0)
    assert maps[0, 0, 20, 12] == pytest.approx(math.exp(-4 / 8))
    assert float(maps[0, 1].abs().max()) == 0.0
    assert argmax_points(maps)[0, 0].tolist() == [10.0, 20.0]


def test_warp_moves_a_blob_where_warp_points_says() -> None:
    gen = torch.Generator().manual_seed(3)
    size = 96
    pts = torch.tensor([[[30.0, 40.0], [70.0, 25.0]], [[50.0, 60.0], [20.0, 75.0]]])
    maps, _ = gaussian_targets(pts, size, size, sigma=2.0)
    a = augment.random_affine(2, gen)
    moved_image = augment.warp(maps, a)
    moved_points = augment.warp_points(pts, a, size, size)
    assert (moved_points - pts).abs().max() > 2  # the transform really moved them
    assert (argmax_points(moved_image) - moved_points).abs().max() <= 1.0


def test_identity_affine_leaves_image_unchanged() -> None:
    x = torch.randn(1, 3, 16, 16)
    assert torch.allclose(augment.warp(x, torch.eye(2).unsqueeze(0)), x, atol=1e-5)
    pts = torch.tensor([[[3.0, 4.0]]])
    assert torch.allclose(augment.warp_points(pts, torch.eye(2).unsqueeze(0), 16, 16), pts)


def test_channel_shuffle_permutes_only_selected_samples() -> None:
    gen = torch.Generator().manual_seed(0)
    x = torch.arange(4 * 5, dtype=torch.float32).view(4, 5, 1, 1).expand(4, 5, 2, 2).contiguous()
    out = augment.channel_shuffle(x, 1.0, gen, only=torch.tensor([True, False, True, False]))
    assert torch.equal(out[1], x[1]) and torch.equal(out[3], x[3])
    for i in (0, 2):
        assert sorted(out[i, :, 0, 0].tolist()) == x[i, :, 0, 0].tolist()
    assert not torch.equal(out[0], x[0]) or not torch.equal(out[2], x[2])


def test_sharpen_or_blur() -> None:
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(6, 3, 24, 24)
    assert torch.allclose(augment.sharpen_or_blur(x, 0.0, gen), x, atol=1e-6)
    out = augment.sharpen_or_blur(x, 1.0, gen)
    assert out.shape == x.shape and not torch.allclose(out, x)
    k = augment._motion_blur_kernel(5, 0.7)
    assert float(k.sum()) == pytest.approx(1.0) and float(k.min()) >= 0.0
