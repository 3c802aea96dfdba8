"""The full-size networks of the 9th-place pipeline (trainer config `full`), with random weights, one per role.

Both the exporter and the PyTorch timing server build them from here, seeded per role, so the ONNX files and the
PyTorch modules hold the same weights (`state_hash` proves it). FLOPs are counted with forward hooks: 2 x the
multiply-adds of every convolution, linear layer and GRU; BatchNorm, activations, pooling and resizing are left
out (onnxruntime folds BatchNorm into the convolutions, the rest is a fraction of a percent).

Keypoint models may carry a positional prior (see WithPositionalPrior): random weights put heatmap peaks anywhere,
and a Sag T2 point far from every axial stack makes the pipeline skip the axial keypoint run and the ROIs after it,
so a speed run would measure less work than a trained set does.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from torch import nn

from spinetrainer.configs import CONFIGS
from spinetrainer.models.classifier import RoiSequenceClassifier
from spinetrainer.models.deeplab import DeepLabV3Plus
from spinetrainer.vocabulary import CLASSIFIER_ROLES, CLASSIFIER_SPECS, KEYPOINT_OUTPUTS, KEYPOINT_ROLES

CONFIG = CONFIGS["full"]
BASE_SEED = 20240917

# Slices per keypoint input (the 9th-place solution: 5 Sag T2 slices, 3 Sag T1 slices, 3 axial slices).
KEYPOINT_SLICES: Dict[str, int] = {
    "keypoints-sagittal-t2": 5,
    "keypoints-sagittal-t1": 3,
    "keypoints-axial": 3,
}
ROLES: Tuple[str, ...] = KEYPOINT_ROLES + CLASSIFIER_ROLES
PRIOR_AMPLITUDE = 100.0  # random-weight heatmaps have a std of ~0.3: the bump decides the argmax
PRIOR_SIGMA_PX = 10.0

# Keypoint role -> per heatmap channel, (x, y) on the model's input grid.
Priors = Dict[str, List[List[float]]]


class WithPositionalPrior(nn.Module):
    """Benchmark only: heatmaps + a fixed Gaussian bump per channel at a typical position of that keypoint.

    One elementwise Add of a constant (C x H x W additions against ~63 GFLOP for the network), so the cost is the
    network's, while the pipeline downstream sees plausible points and does the work a trained set makes it do.
    """

    def __init__(self, net: nn.Module, centres: Sequence[Sequence[float]], size: int) -> None:
        super().__init__()
        self.net = net
        grid = torch.arange(size, dtype=torch.float32)
        bumps = [torch.exp(-((grid[None, :] - x) ** 2 + (grid[:, None] - y) ** 2) / (2 * PRIOR_SIGMA_PX ** 2))
                 for x, y in centres]
        self.register_buffer("prior", PRIOR_AMPLITUDE * torch.stack(bumps))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x) + self.prior


@dataclass(frozen=True)
class RoleModel:
    role: str
    model: nn.Module
    sample_shape: List[int]  # one sample, batch axis excluded
    input_name: str
    output_name: str


def build(role: str, priors: Optional[Priors] = None) -> RoleModel:
    """The role's network at full size, eval mode, weights drawn from a seed fixed per role; keypoint models get
    a positional prior when `priors` has one for the role."""
    torch.manual_seed(BASE_SEED + ROLES.index(role))
    if role in KEYPOINT_ROLES:
        kcfg = CONFIG.keypoints[role]
        channels = KEYPOINT_SLICES[role]
        model: nn.Module = DeepLabV3Plus(channels, len(KEYPOINT_OUTPUTS[role]), kcfg.encoder_width,
                                         kcfg.decoder_channels)
        shape = [channels, kcfg.input_size, kcfg.input_size]
        if priors is not None and role in priors:
            model = WithPositionalPrior(model, priors[role], kcfg.input_size)
        names = ("image", "heatmaps")
    else:
        ccfg = CONFIG.classifiers[role]
        spec = CLASSIFIER_SPECS[role]
        model = RoiSequenceClassifier(len(spec.slots), spec.conditions_out, ccfg.backbone, ccfg.backbone_width,
                                      ccfg.gru_hidden, ccfg.gru_layers, ccfg.bidirectional, ccfg.dropout)
        shape = [len(spec.slots), ccfg.slices, ccfg.roi_size, ccfg.roi_size]
        names = ("rois", "logits")
    return RoleModel(role, model.eval(), shape, names[0], names[1])


def state_hash(model: nn.Module) -> str:
    h = hashlib.sha256()
    for name, tensor in model.state_dict().items():
        h.update(name.encode())
        h.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def count_flops(model: nn.Module, sample_shape: List[int]) -> int:
    """FLOPs (2 x multiply-adds) of one sample through convolutions, linear layers and GRUs."""
    macs = [0]

    def conv(m: nn.Conv2d, _inp: Tuple[torch.Tensor, ...], out: torch.Tensor) -> None:
        kh, kw = m.kernel_size
        macs[0] += out.numel() * (m.in_channels // m.groups) * kh * kw

    def linear(m: nn.Linear, inp: Tuple[torch.Tensor, ...], _out: torch.Tensor) -> None:
        macs[0] += (inp[0].numel() // m.in_features) * m.in_features * m.out_features

    def gru(m: nn.GRU, inp: Tuple[torch.Tensor, ...], _out: object) -> None:
        x = inp[0]  # batch_first: [N, T, I]
        steps = x.shape[0] * x.shape[1]
        dirs = 2 if m.bidirectional else 1
        for layer in range(m.num_layers):
            width_in = m.input_size if layer == 0 else m.hidden_size * dirs
            macs[0] += steps * dirs * 3 * (width_in + m.hidden_size) * m.hidden_size

    hooks = []
    for mod in model.modules():
        if isinstance(mod, nn.Conv2d):
            hooks.append(mod.register_forward_hook(conv))
        elif isinstance(mod, nn.Linear):
            hooks.append(mod.register_forward_hook(linear))
        elif isinstance(mod, nn.GRU):
            hooks.append(mod.register_forward_hook(gru))
    try:
        with torch.inference_mode():
            model(torch.zeros([1] + sample_shape))
    finally:
        for h in hooks:
            h.remove()
    return 2 * macs[0]
