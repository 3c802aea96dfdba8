"""Builds a seed network from the `model` block of a seed experiment config (`{"type": ..., "args": {...}}`)."""
from __future__ import annotations

from typing import Any, Callable, Dict, Mapping

from torch import nn

from .backbones import BACKBONES
from .coord import CoordModel
from .roi import ForaminalROIModel, GlobalROIModel, SpinalROIModel, StudyROIModel, SubarticularROIModel

MODEL_TYPES: Dict[str, Callable[..., nn.Module]] = {
    "CoordModel": CoordModel, "SpinalROIModel": SpinalROIModel, "ForaminalROIModel": ForaminalROIModel,
    "SubarticularROIModel": SubarticularROIModel, "GlobalROIModel": GlobalROIModel, "StudyROIModel": StudyROIModel,
}
# Arguments that only choose pretrained weights at training time (no effect on the architecture).
_WEIGHT_ARGS = ("pretrained", "encoder_weights")
_ALLOWED_ARGS = {
    "CoordModel": {"base_model", "encoder_name", "num_classes", "in_channels"},
    "roi": {"base_model", "num_classes", "in_channels", "rnn_hidden_size", "rnn_num_layers", "rnn_dropout",
            "rnn_bidirectional"},
}


class UnknownArchitecture(ValueError):
    """The config names a network spinegraph has no definition for."""


def build_seed_model(model_cfg: Mapping[str, Any]) -> nn.Module:
    kind = model_cfg.get("type")
    if kind not in MODEL_TYPES:
        raise UnknownArchitecture(f"model.type {kind!r} is not one of the seed's networks ({', '.join(MODEL_TYPES)})")
    args = {k: v for k, v in dict(model_cfg.get("args") or {}).items() if k not in _WEIGHT_ARGS}
    allowed = _ALLOWED_ARGS["CoordModel" if kind == "CoordModel" else "roi"]
    extra = sorted(set(args) - allowed)
    if extra:
        raise UnknownArchitecture(f"model.args {extra} are not arguments of the seed's {kind}")
    if kind != "CoordModel" and args.get("base_model") not in BACKBONES:
        raise UnknownArchitecture(f"model.args.base_model {args.get('base_model')!r} is not one of the seed's "
                                  f"backbones ({', '.join(BACKBONES)})")
    try:
        return MODEL_TYPES[str(kind)](**args)
    except ValueError as e:
        raise UnknownArchitecture(str(e)) from e
