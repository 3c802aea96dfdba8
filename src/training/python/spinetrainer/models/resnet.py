"""ResNet encoders from torchvision's BasicBlock at a chosen width.

At width 64 with 3 input channels the module is torchvision's resnet18/resnet34 (same parameter names and
shapes), so a local torchvision state dict loads into it; smaller widths shrink every stage proportionally.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Sequence

import torch
from torch import nn
from torchvision.models.resnet import BasicBlock

RESNET_LAYERS: Dict[str, Sequence[int]] = {"resnet18": (2, 2, 2, 2), "resnet34": (3, 4, 6, 3)}
TORCHVISION_WIDTH = 64


class PretrainedWeightsError(ValueError):
    """Local pretrained weights do not fit the network."""


class ResNetEncoder(nn.Module):
    """Stem + four stages; `forward` returns the features of every stage (strides 2, 4, 8, 16, 32)."""

    def __init__(self, layers: Sequence[int], width: int = TORCHVISION_WIDTH, in_channels: int = 3) -> None:
        super().__init__()
        self.width = width
        self.in_channels = in_channels
        self.conv1 = nn.Conv2d(in_channels, width, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self._inplanes = width
        self.layer1 = self._make_layer(width, layers[0], 1)
        self.layer2 = self._make_layer(width * 2, layers[1], 2)
        self.layer3 = self._make_layer(width * 4, layers[2], 2)
        self.layer4 = self._make_layer(width * 8, layers[3], 2)
        self.out_channels: List[int] = [width, width, width * 2, width * 4, width * 8]
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def _make_layer(self, planes: int, blocks: int, stride: int) -> nn.Sequential:
        downsample = None
        if stride != 1 or self._inplanes != planes:
            downsample = nn.Sequential(nn.Conv2d(self._inplanes, planes, 1, stride=stride, bias=False),
                                       nn.BatchNorm2d(planes))
        stage = [BasicBlock(self._inplanes, planes, stride, downsample)]
        self._inplanes = planes
        stage += [BasicBlock(planes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*stage)

    def dilate_last_stage(self) -> None:
        """Output stride 16 instead of 32: layer4 keeps its resolution and dilates its 3x3 convolutions."""
        first = self.layer4[0]
        first.conv1.stride = (1, 1)
        if first.downsample is not None:
            first.downsample[0].stride = (1, 1)
        for block in self.layer4:
            for conv in (block.conv1, block.conv2):
                conv.dilation, conv.padding = (2, 2), (2, 2)

    def forward(self, x: torch.Tensor) -> List[torch.Tensor]:
        stem = self.relu(self.bn1(self.conv1(x)))
        f1 = self.layer1(self.maxpool(stem))
        f2 = self.layer2(f1)
        f3 = self.layer3(f2)
        f4 = self.layer4(f3)
        return [stem, f1, f2, f3, f4]


def resnet_encoder(name: str, width: int, in_channels: int) -> ResNetEncoder:
    return ResNetEncoder(RESNET_LAYERS[name], width=width, in_channels=in_channels)


def load_state_dict_file(path: Path) -> Dict[str, torch.Tensor]:
    state = torch.load(str(path), map_location="cpu")
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise PretrainedWeightsError(f"{path}: not a state dict")
    return state


def adapt_first_conv(weight: torch.Tensor, in_channels: int) -> torch.Tensor:
    """RGB filters [O, 3, k, k] -> [O, in_channels, k, k]: cycle the colour filters, keep the response scale."""
    if weight.shape[1] == in_channels:
        return weight
    idx = torch.arange(in_channels) % weight.shape[1]
    return weight[:, idx] * (weight.shape[1] / in_channels)


def load_torchvision_resnet(encoder: ResNetEncoder, path: Path) -> None:
    """Loads a torchvision resnet18/34 state dict (fc ignored) into a full-width encoder."""
    if encoder.width != TORCHVISION_WIDTH:
        raise PretrainedWeightsError(
            f"pretrained ResNet weights need the torchvision width {TORCHVISION_WIDTH}; this config uses "
            f"{encoder.width} (use config 'full')")
    state = {k: v for k, v in load_state_dict_file(path).items() if not k.startswith("fc.")}
    if "conv1.weight" in state:
        state["conv1.weight"] = adapt_first_conv(state["conv1.weight"], encoder.in_channels)
    own = encoder.state_dict()
    wrong = [k for k, v in state.items() if k in own and own[k].shape != v.shape]
    if wrong:
        raise PretrainedWeightsError(f"{path}: shapes differ for {wrong[:5]} (is it the right ResNet depth?)")
    missing, unexpected = encoder.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise PretrainedWeightsError(f"{path}: missing {list(missing)[:5]}, unexpected {list(unexpected)[:5]}")
