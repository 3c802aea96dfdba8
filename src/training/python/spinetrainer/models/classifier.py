"""2.5D ROI classifier: a 2D backbone over every slice of every ROI, a GRU over the slices, a linear head.

Input `rois` [B, R, S, H, W]: R ROI slots (which ROI kind fills each slot is in the manifest), S slices each.
Every slice is a 1-channel image; the backbone and GRU are shared by all slots (the global model's "same
feature extractor"); the pooled GRU states of the R slots are concatenated for the head, so the head knows
which slot is which. Output: logits [B, conditions * 3], condition-major, classes NORMAL_MILD, MODERATE, SEVERE.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Tuple, cast

import torch
from torch import nn
from torchvision.models import convnext_tiny, swin_t

from .resnet import adapt_first_conv, load_state_dict_file, load_torchvision_resnet, resnet_encoder


class SliceEncoder(nn.Module):
    """1-channel slice [N, 1, H, W] -> feature vector [N, features]."""

    features: int


class ResNetSliceEncoder(SliceEncoder):
    def __init__(self, width: int, pretrained: Optional[Path]) -> None:
        super().__init__()
        self.net = resnet_encoder("resnet18", width, 1)
        if pretrained is not None:
            load_torchvision_resnet(self.net, pretrained)
        self.features = self.net.out_channels[4]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)[4].mean(dim=(2, 3))


def _one_channel_stem(stem: nn.Conv2d) -> nn.Conv2d:
    conv = nn.Conv2d(1, stem.out_channels, cast(Tuple[int, int], stem.kernel_size),
                     cast(Tuple[int, int], stem.stride), cast(Tuple[int, int], stem.padding))
    with torch.no_grad():
        conv.weight.copy_(adapt_first_conv(stem.weight, 1))
        if stem.bias is not None and conv.bias is not None:
            conv.bias.copy_(stem.bias)
    return conv


class TorchvisionSliceEncoder(SliceEncoder):
    """ConvNeXt-Tiny or Swin-T from torchvision, stem adapted to 1 channel, classifier head dropped."""

    def __init__(self, backbone: str, pretrained: Optional[Path]) -> None:
        super().__init__()
        self.backbone = backbone
        net = convnext_tiny() if backbone == "convnext_tiny" else swin_t()
        if pretrained is not None:
            state = {k: v for k, v in load_state_dict_file(pretrained).items()
                     if not k.startswith(("head.", "classifier.2."))}
            net.load_state_dict(state, strict=False)
        net.features[0][0] = _one_channel_stem(net.features[0][0])
        self.body = net.features
        # convnext: LayerNorm2d + flatten after pooling; swin: LayerNorm over channels-last features
        self.norm = net.classifier[0] if backbone == "convnext_tiny" else net.norm
        self.features = 768

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.backbone == "convnext_tiny":
            return self.norm(self.body(x).mean(dim=(2, 3), keepdim=True)).flatten(1)
        return self.norm(self.body(x)).mean(dim=(1, 2))  # swin features are [N, H, W, C]


def slice_encoder(backbone: str, width: int, pretrained: Optional[Path] = None) -> SliceEncoder:
    if backbone == "resnet18":
        return ResNetSliceEncoder(width, pretrained)
    if backbone in ("convnext_tiny", "swin_t"):
        return TorchvisionSliceEncoder(backbone, pretrained)
    raise ValueError(f"unknown backbone {backbone!r}")


class RoiSequenceClassifier(nn.Module):
    def __init__(self, rois: int, conditions: int, backbone: str = "resnet18", width: int = 64,
                 gru_hidden: int = 512, gru_layers: int = 2, bidirectional: bool = True, dropout: float = 0.2,
                 pretrained: Optional[Path] = None) -> None:
        super().__init__()
        self.rois, self.conditions = rois, conditions
        self.encoder = slice_encoder(backbone, width, pretrained)
        self.gru = nn.GRU(self.encoder.features, gru_hidden, num_layers=gru_layers, batch_first=True,
                          bidirectional=bidirectional)
        self.state_size = gru_hidden * (2 if bidirectional else 1)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(rois * self.state_size, conditions * 3)

    def forward(self, rois: torch.Tensor) -> torch.Tensor:
        slices, height, width = rois.shape[2], rois.shape[3], rois.shape[4]
        feats = self.encoder(rois.reshape(-1, 1, height, width))
        states, _ = self.gru(feats.reshape(-1, slices, self.encoder.features))
        pooled = states.mean(dim=1).reshape(-1, self.rois * self.state_size)
        return self.head(self.dropout(pooled))
