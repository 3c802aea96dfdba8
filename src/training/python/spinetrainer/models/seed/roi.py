"""The seed's ROI classifiers (rsna2024/model/model.py): a timm backbone over sliding slice windows, a GRU over
the windows, the mean of its states, a linear head; one feature extractor per series type.

Each model has the seed's forward as `forward_seed(...)` (same arguments; `level`/`side` are accepted and unused,
as in the seed) and `forward(rois)`, the graph spinegraph runs: `rois` [B, slots, slices, H, W] with the slots in
the seed's argument order, logits condition-major ([B, conditions * 3]: index = condition * 3 + class). Only the
global model needs a reorder: the seed's 15 logits are class-major (rsna_lumbar_metric.prepare_data unflattens
them as [3, 5]).
"""
from __future__ import annotations

from typing import Sequence, Union

import torch
from torch import nn

from .backbones import create_backbone


class SplitROIFeatures(nn.Module):
    def __init__(self, base_model: str, in_channels: int = 1, rnn_hidden_size: int = 512, rnn_num_layers: int = 2,
                 rnn_dropout: float = 0.0, rnn_bidirectional: bool = False) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.model = create_backbone(base_model, in_channels)
        self.feature_num = int(self.model.num_features)
        self.rnn = nn.GRU(input_size=self.feature_num, hidden_size=rnn_hidden_size, num_layers=rnn_num_layers,
                          dropout=rnn_dropout, bidirectional=rnn_bidirectional, batch_first=True)
        self.out_features = rnn_hidden_size * (2 if rnn_bidirectional else 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x [B, slices, H, W] -> [B, out_features]. Windows of `in_channels` slices, as the seed slides them."""
        start = self.in_channels // 2
        end = self.in_channels - start
        windows = [x[:, i - start: i + end] for i in range(start, x.shape[1] - end + 1)]
        stacked = torch.stack(windows, dim=1)  # [B, W, C, H, W]
        feats = self.model(stacked.flatten(0, 1))
        feats = feats.reshape(x.shape[0], len(windows), feats.shape[-1])  # (unflatten has no ONNX export in 1.13)
        states, _ = self.rnn(feats)
        return states.mean(dim=1)


def _channels(in_channels: Union[int, Sequence[int]], n: int) -> Sequence[int]:
    if isinstance(in_channels, int):
        return [in_channels] * n
    if len(in_channels) != n:
        raise ValueError(f"in_channels lists {len(in_channels)} series, the model has {n}")
    return list(in_channels)


class _RoiModel(nn.Module):
    def _features(self, base_model: str, in_channels: int, rnn_hidden_size: int, rnn_num_layers: int,
                  rnn_dropout: float, rnn_bidirectional: bool) -> SplitROIFeatures:
        return SplitROIFeatures(base_model, in_channels, rnn_hidden_size, rnn_num_layers, rnn_dropout,
                                rnn_bidirectional)


class SpinalROIModel(_RoiModel):
    """Slots: Sag T2 spinal ROI, axial spinal ROI. Output: spinal canal stenosis, 3 logits."""

    def __init__(self, base_model: str, num_classes: int = 3, in_channels: Union[int, Sequence[int]] = (1, 1),
                 rnn_hidden_size: int = 512, rnn_num_layers: int = 2, rnn_dropout: float = 0.0,
                 rnn_bidirectional: bool = False) -> None:
        super().__init__()
        ch = _channels(in_channels, 2)
        args = (rnn_hidden_size, rnn_num_layers, rnn_dropout, rnn_bidirectional)
        self.model_sagt2 = self._features(base_model, ch[0], *args)
        self.model_axi = self._features(base_model, ch[1], *args)
        self.classifier = nn.Linear(2 * self.model_sagt2.out_features, num_classes)

    def forward_seed(self, x_sagt2: torch.Tensor, x_axi: torch.Tensor, level: object = None) -> torch.Tensor:
        return self.classifier(torch.cat((self.model_sagt2(x_sagt2), self.model_axi(x_axi)), dim=1))

    def forward(self, rois: torch.Tensor) -> torch.Tensor:
        return self.forward_seed(rois[:, 0], rois[:, 1])


class ForaminalROIModel(_RoiModel):
    """One slot (Sag T1 ROI of the side; the seed flips right-side inputs itself). Output: 3 logits."""

    def __init__(self, base_model: str, num_classes: int = 3, in_channels: Union[int, Sequence[int]] = 1,
                 rnn_hidden_size: int = 512, rnn_num_layers: int = 2, rnn_dropout: float = 0.0,
                 rnn_bidirectional: bool = False) -> None:
        super().__init__()
        ch = _channels(in_channels, 1)
        self.model = self._features(base_model, ch[0], rnn_hidden_size, rnn_num_layers, rnn_dropout,
                                    rnn_bidirectional)
        self.classifier = nn.Linear(self.model.out_features, num_classes)

    def forward_seed(self, x: torch.Tensor, level: object = None, side: object = None) -> torch.Tensor:
        return self.classifier(self.model(x))

    def forward(self, rois: torch.Tensor) -> torch.Tensor:
        return self.forward_seed(rois[:, 0])


class SubarticularROIModel(ForaminalROIModel):
    """One slot (axial ROI of the side, right side mirrored). Output: 3 logits."""


class GlobalROIModel(_RoiModel):
    """Slots: Sag T2, Sag T1 left, Sag T1 right, axial left, axial right (one extractor per series type).

    Output 15 logits for the 5 conditions of a level (spinal, L/R foraminal, L/R subarticular).
    """

    def __init__(self, base_model: str, num_classes: int = 15, in_channels: Union[int, Sequence[int]] = (1, 1, 1),
                 rnn_hidden_size: int = 512, rnn_num_layers: int = 2, rnn_dropout: float = 0.0,
                 rnn_bidirectional: bool = False) -> None:
        super().__init__()
        ch = _channels(in_channels, 3)
        args = (rnn_hidden_size, rnn_num_layers, rnn_dropout, rnn_bidirectional)
        self.model_sagt2 = self._features(base_model, ch[0], *args)
        self.model_sagt1 = self._features(base_model, ch[1], *args)
        self.model_axi = self._features(base_model, ch[2], *args)
        self.classifier = nn.Linear(5 * self.model_sagt2.out_features, num_classes)
        self.num_classes = num_classes

    def forward_seed(self, x_sagt2: torch.Tensor, x_sagt1_left: torch.Tensor, x_sagt1_right: torch.Tensor,
                     x_axi_left: torch.Tensor, x_axi_right: torch.Tensor, level: object = None) -> torch.Tensor:
        feats = torch.cat((self.model_sagt2(x_sagt2), self.model_sagt1(x_sagt1_left), self.model_sagt1(x_sagt1_right),
                           self.model_axi(x_axi_left), self.model_axi(x_axi_right)), dim=1)
        return self.classifier(feats)

    def forward(self, rois: torch.Tensor) -> torch.Tensor:
        logits = self.forward_seed(rois[:, 0], rois[:, 1], rois[:, 2], rois[:, 3], rois[:, 4])
        # class-major [B, 3, 5] -> condition-major [B, 5 * 3]
        return logits.reshape(logits.shape[0], 3, -1).transpose(1, 2).flatten(1)


class StudyROIModel(_RoiModel):
    """The seed's study-level transformer model (not part of the notebook's ensemble; definitions only)."""

    def __init__(self, base_model: str, num_classes: int = 75, in_channels: Union[int, Sequence[int]] = (1, 1, 1),
                 rnn_hidden_size: int = 512, rnn_num_layers: int = 2, rnn_dropout: float = 0.0,
                 rnn_bidirectional: bool = False) -> None:
        super().__init__()
        ch = _channels(in_channels, 3)
        args = (rnn_hidden_size, rnn_num_layers, rnn_dropout, rnn_bidirectional)
        self.model_sagt2 = self._features(base_model, ch[0], *args)
        self.model_sagt1 = self._features(base_model, ch[1], *args)
        self.model_axi = self._features(base_model, ch[2], *args)
        size = self.model_sagt2.out_features
        self.embedding_size = size
        self.positional_embedder = nn.Linear(5, size)
        self.sequence_embedder = nn.Linear(5, size)
        layer = nn.TransformerEncoderLayer(d_model=size, nhead=8, dim_feedforward=size, batch_first=True)
        self.transformer_encoder = nn.TransformerEncoder(layer, num_layers=2)
        self.classifier = nn.Linear(size, 3)

    def forward_seed(self, x_sagt2: torch.Tensor, x_sagt1_left: torch.Tensor, x_sagt1_right: torch.Tensor,
                     x_axi_left: torch.Tensor, x_axi_right: torch.Tensor) -> torch.Tensor:
        def run(m: SplitROIFeatures, x: torch.Tensor) -> torch.Tensor:
            return m(x.flatten(0, 1)).unflatten(0, (-1, 5))
        x = torch.stack([run(self.model_sagt2, x_sagt2), run(self.model_sagt1, x_sagt1_left),
                         run(self.model_sagt1, x_sagt1_right), run(self.model_axi, x_axi_left),
                         run(self.model_axi, x_axi_right)], dim=1)
        bs = x.shape[0]
        position = torch.eye(5).repeat(bs, 5, 1, 1).to(x.device)
        sequence = torch.eye(5).repeat(bs, 5, 1, 1).swapaxes(1, 2).to(x.device)
        tokens = (x + self.positional_embedder(position) + self.sequence_embedder(sequence)).flatten(1, 2)
        return self.classifier(self.transformer_encoder(tokens)).swapaxes(1, 2).flatten(1, 2)
