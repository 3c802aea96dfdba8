"""The seed's ROI networks for spinegraph's roles, as the trainer's `full` config builds them (with optional local
ImageNet weights for the backbones, adapted to one input channel the way timm does: RGB filters summed)."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, Optional

import torch
from torch import nn

from ..resnet import PretrainedWeightsError, load_state_dict_file
from .roi import ForaminalROIModel, GlobalROIModel, SpinalROIModel, SplitROIFeatures, SubarticularROIModel

ROLE_MODELS = {"classifier-spinal": (SpinalROIModel, 3), "classifier-foraminal": (ForaminalROIModel, 3),
               "classifier-subarticular": (SubarticularROIModel, 3), "classifier-global": (GlobalROIModel, 15)}
_FIRST_CONV = {"resnet18": "conv1.weight", "swin_tiny_patch4_window7_224": "patch_embed.proj.weight",
               "convnext_nano": "stem.0.weight"}


def _backbone_state(path: Path, backbone: str, own: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    state = {k: v for k, v in load_state_dict_file(path).items() if not k.startswith(("fc.", "head.fc."))}
    first = _FIRST_CONV[backbone]
    if first in state and state[first].shape[1] != own[first].shape[1]:
        state[first] = state[first].sum(dim=1, keepdim=True)  # timm's adapt_input_conv for 1 channel
    wrong = [k for k, v in state.items() if k in own and own[k].shape != v.shape]
    missing = [k for k in own if k not in state]
    if wrong or missing:
        raise PretrainedWeightsError(f"{path}: not {backbone} weights in timm's layout (shapes differ for "
                                     f"{wrong[:3]}, missing {missing[:3]})")
    return {k: v for k, v in state.items() if k in own}


def build_seed_classifier(role: str, backbone: str, rnn_hidden: int, rnn_layers: int,
                          pretrained: Optional[Path] = None) -> nn.Module:
    cls, classes = ROLE_MODELS[role]
    model = cls(backbone, num_classes=classes, rnn_hidden_size=rnn_hidden, rnn_num_layers=rnn_layers)
    if pretrained is not None:
        extractors = [m for m in model.modules() if isinstance(m, SplitROIFeatures)]
        state = _backbone_state(pretrained, backbone, extractors[0].model.state_dict())
        for extractor in extractors:
            extractor.model.load_state_dict(state, strict=False)
    return model
