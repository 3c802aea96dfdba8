"""The seed's keypoint model: `CoordModel("DeepLabV3Plus", "resnet34")` on smp 0.3.3.

smp's DeepLabV3Plus: ResNet34 encoder at output stride 16 (layer4 strides -> dilation 2), ASPP with separable
atrous branches (12, 24, 36) and a pooling branch, 3x3 separable conv, x4 bilinear upsampling (align_corners=True,
nn.UpsamplingBilinear2d), 48-channel layer1 projection, separable fuse, 1x1 head and x4 bilinear upsampling.
Module names follow smp (`unet.encoder`, `unet.decoder.aspp.0.convs...`, `unet.segmentation_head.0`).
"""
from __future__ import annotations

from typing import List

import torch
import torch.nn.functional as F
from torch import nn

from ..resnet import RESNET_LAYERS, ResNetEncoder


def _separable(cin: int, cout: int, dilation: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cin, 3, padding=dilation, dilation=dilation, groups=cin, bias=False),
                         nn.Conv2d(cin, cout, 1, bias=False))


def _bn_relu(conv: nn.Module, cout: int) -> nn.Sequential:
    return nn.Sequential(conv, nn.BatchNorm2d(cout), nn.ReLU())


class _ASPPPooling(nn.Sequential):
    def __init__(self, cin: int, cout: int) -> None:
        super().__init__(nn.AdaptiveAvgPool2d(1), nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU())

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return F.interpolate(super().forward(x), size=x.shape[-2:], mode="bilinear", align_corners=False)


class _ASPP(nn.Module):
    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.convs = nn.ModuleList([_bn_relu(nn.Conv2d(cin, cout, 1, bias=False), cout)]
                                   + [_bn_relu(_separable(cin, cout, r), cout) for r in (12, 24, 36)]
                                   + [_ASPPPooling(cin, cout)])
        self.project = nn.Sequential(nn.Conv2d(5 * cout, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                                     nn.Dropout(0.5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.project(torch.cat([c(x) for c in self.convs], dim=1))


class _Decoder(nn.Module):
    def __init__(self, high_channels: int, low_channels: int, out: int = 256) -> None:
        super().__init__()
        self.aspp = nn.Sequential(_ASPP(high_channels, out), _separable(out, out), nn.BatchNorm2d(out), nn.ReLU())
        self.up = nn.UpsamplingBilinear2d(scale_factor=4)
        self.block1 = _bn_relu(nn.Conv2d(low_channels, 48, 1, bias=False), 48)
        self.block2 = _bn_relu(_separable(48 + out, out), out)

    def forward(self, low: torch.Tensor, high: torch.Tensor) -> torch.Tensor:
        return self.block2(torch.cat([self.up(self.aspp(high)), self.block1(low)], dim=1))


class _SmpResNetEncoder(ResNetEncoder):
    """smp's resnet34 encoder at output stride 16 (smp dilates every conv of layer4: stride 1, dilation 2)."""

    def __init__(self, in_channels: int) -> None:
        super().__init__(RESNET_LAYERS["resnet34"], in_channels=in_channels)
        for m in self.layer4.modules():
            if isinstance(m, nn.Conv2d):
                m.stride, m.dilation = (1, 1), (2, 2)
                m.padding = ((m.kernel_size[0] // 2) * 2, (m.kernel_size[1] // 2) * 2)


class _DeepLabV3Plus(nn.Module):
    def __init__(self, in_channels: int, classes: int) -> None:
        super().__init__()
        self.encoder = _SmpResNetEncoder(in_channels)
        self.decoder = _Decoder(512, 64)
        self.segmentation_head = nn.Sequential(nn.Conv2d(256, classes, 1), nn.UpsamplingBilinear2d(scale_factor=4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feats: List[torch.Tensor] = self.encoder(x)
        return self.segmentation_head(self.decoder(feats[1], feats[4]))


class CoordModel(nn.Module):
    """Input [B, in_channels, H, W] (H, W multiples of 16), output heatmaps [B, num_classes, H, W]."""

    def __init__(self, base_model: str = "DeepLabV3Plus", encoder_name: str = "resnet34", num_classes: int = 5,
                 in_channels: int = 3) -> None:
        super().__init__()
        if base_model != "DeepLabV3Plus" or encoder_name != "resnet34":
            raise ValueError(f"unknown keypoint architecture {base_model}/{encoder_name}; the seed's is "
                             "DeepLabV3Plus/resnet34")
        self.in_channels, self.num_classes = in_channels, num_classes
        self.unet = _DeepLabV3Plus(in_channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.unet(x)
