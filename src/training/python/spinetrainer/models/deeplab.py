"""DeepLabV3+ (Chen et al. 2018) with a ResNet34 encoder, producing one heatmap per keypoint at input size.

Encoder at output stride 16 (layer4 dilated); ASPP with depthwise-separable atrous branches (rates 12, 24, 36)
and an image-pooling branch; decoder fuses the ASPP output, upsampled x4, with the layer1 (stride 4) features
reduced by a 1x1 convolution; a 1x1 head, then bilinear upsampling to the input size.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .resnet import resnet_encoder


def _conv_bn_relu(cin: int, cout: int, kernel: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, kernel, padding=kernel // 2, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


def _separable(cin: int, cout: int, dilation: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cin, 3, padding=dilation, dilation=dilation, groups=cin, bias=False),
        nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class ASPP(nn.Module):
    def __init__(self, cin: int, cout: int, rates: Sequence[int], dropout: float = 0.1) -> None:
        super().__init__()
        self.branches = nn.ModuleList([_conv_bn_relu(cin, cout)] + [_separable(cin, cout, r) for r in rates])
        # No BatchNorm after pooling: a 1x1 map of batch 1 would make it fail in training.
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(cin, cout, 1), nn.ReLU(inplace=True))
        self.project = nn.Sequential(_conv_bn_relu(cout * (len(rates) + 2), cout), nn.Dropout(dropout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        size = x.shape[-2:]
        pooled = F.interpolate(self.pool(x), size=size, mode="bilinear", align_corners=False)
        return self.project(torch.cat([b(x) for b in self.branches] + [pooled], dim=1))


class DeepLabV3Plus(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, encoder_width: int = 64, decoder_channels: int = 256,
                 atrous_rates: Sequence[int] = (12, 24, 36)) -> None:
        super().__init__()
        self.encoder = resnet_encoder("resnet34", encoder_width, in_channels)
        self.encoder.dilate_last_stage()
        low_channels = max(8, round(48 * decoder_channels / 256))
        self.aspp = nn.Sequential(ASPP(self.encoder.out_channels[4], decoder_channels, atrous_rates),
                                  _separable(decoder_channels, decoder_channels))
        self.low = _conv_bn_relu(self.encoder.out_channels[1], low_channels)
        self.fuse = _separable(decoder_channels + low_channels, decoder_channels)
        self.head = nn.Conv2d(decoder_channels, out_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feats = self.encoder(x)
        low = self.low(feats[1])
        high = F.interpolate(self.aspp(feats[4]), size=low.shape[-2:], mode="bilinear", align_corners=False)
        out = self.head(self.fuse(torch.cat([high, low], dim=1)))
        return F.interpolate(out, size=x.shape[-2:], mode="bilinear", align_corners=False)
