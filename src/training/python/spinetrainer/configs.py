"""The named hyperparameter sets a request chooses from (`tiny`, `small`, `full`).

`full` is the 9th-place solution's recipe. `tiny` and `small` shrink the networks (widths, GRU size, input size)
so that they train on a CPU and fit the demo's size budget; every manifest records what was shrunk.
Run `python -m spinetrainer.configs NAME` to print one as JSON (the tensor exporter reads the sizes from it).
"""
from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from typing import Dict, Optional, Tuple

from .vocabulary import CLASSIFIER_ROLES, KEYPOINT_ROLES

# Widths of the torchvision networks, used to say how far a config shrinks them.
TORCHVISION_RESNET_WIDTH = 64
REFERENCE_DECODER_CHANNELS = 256
# torchvision backbones of spinegraph's own (shrinkable) classifier, and the seed's timm backbones (config `full`).
SPINEGRAPH_BACKBONES: Tuple[str, ...] = ("resnet18", "convnext_tiny", "swin_t")
SEED_BACKBONES: Tuple[str, ...] = ("resnet18", "swin_tiny_patch4_window7_224", "convnext_nano")
BACKBONES: Tuple[str, ...] = SPINEGRAPH_BACKBONES + SEED_BACKBONES[1:]
# "spinegraph": models/deeplab.py + models/classifier.py (widths can shrink); "seed": models/seed (the 9th-place
# networks exactly, state-dict compatible with the seed's checkpoints).
ARCHITECTURES: Tuple[str, ...] = ("spinegraph", "seed")


@dataclass(frozen=True)
class KeypointConfig:
    input_size: int            # the size the exporter resizes each slice to (H = W)
    encoder_width: int         # ResNet34 stem width; torchvision's is 64
    decoder_channels: int      # ASPP and decoder width; DeepLabV3+'s reference is 256
    epochs: int
    batch_size: int
    lr: float
    weight_decay: float = 1e-2
    sigma_at_512: float = 10.0  # Gaussian target std in px at 512 x 512, scaled with the input size
    channel_shuffle: bool = False
    architecture: str = "spinegraph"


@dataclass(frozen=True)
class ClassifierConfig:
    roi_size: int              # the size the exporter resizes each ROI slice to (H = W)
    slices: int
    backbone: str              # resnet18 | convnext_tiny | swin_t
    backbone_width: int        # ResNet18 stem width (ignored by convnext_tiny and swin_t)
    gru_hidden: int
    gru_layers: int
    epochs: int
    batch_size: int
    lr: float                  # for resnet18; transformer backbones use transformer_lr
    transformer_lr: float = 3e-5
    weight_decay: float = 1e-2
    schedule: str = "cosine"   # cosine | step
    step_size: int = 2
    step_gamma: float = 0.1
    bidirectional: bool = True
    dropout: float = 0.2
    architecture: str = "spinegraph"


@dataclass(frozen=True)
class RunConfig:
    name: str
    keypoints: Dict[str, KeypointConfig]
    classifiers: Dict[str, ClassifierConfig]
    step_event_interval_s: float = 1.0
    augment: bool = True
    threads: Optional[int] = None  # None: every core. Tiny networks run faster on one thread than on two.
    notes: str = ""


def _keypoints(size: int, width: int, decoder: int, epochs: Tuple[int, int, int], batch: int,
               lr: float, sigma_at_512: float = 10.0, architecture: str = "spinegraph") -> Dict[str, KeypointConfig]:
    return {role: KeypointConfig(input_size=size, encoder_width=width, decoder_channels=decoder, epochs=ep,
                                 batch_size=batch, lr=lr, sigma_at_512=sigma_at_512,
                                 channel_shuffle=(role == "keypoints-axial"), architecture=architecture)
            for role, ep in zip(KEYPOINT_ROLES, epochs)}


def _classifiers(cfg: ClassifierConfig) -> Dict[str, ClassifierConfig]:
    return {role: cfg for role in CLASSIFIER_ROLES}


CONFIGS: Dict[str, RunConfig] = {
    "tiny": RunConfig(
        name="tiny",
        keypoints=_keypoints(64, 8, 16, (2, 2, 2), 4, 1e-3),
        classifiers=_classifiers(ClassifierConfig(
            roi_size=32, slices=5, backbone="resnet18", backbone_width=8, gru_hidden=16, gru_layers=1,
            epochs=2, batch_size=8, lr=1e-3)),
        step_event_interval_s=0.0,
        threads=1,
        notes="plumbing check: tiny widths, 64 px keypoints, 32 px ROIs, 2 epochs",
    ),
    "small": RunConfig(
        name="small",
        # Wider targets, smaller batches and a higher lr than the reference: with ~100 training studies from
        # scratch, the reference's 5 px targets (at 256) had not left chance level after 20 epochs (87 px mean
        # error), while 10 px targets, batch 4 and lr 2e-3 reached 2 px in 30 (GPU sweep, 80 synthetic studies).
        keypoints=_keypoints(256, 12, 32, (30, 30, 15), 4, 2e-3, sigma_at_512=20.0),
        classifiers=_classifiers(ClassifierConfig(
            roi_size=64, slices=5, backbone="resnet18", backbone_width=16, gru_hidden=64, gru_layers=1,
            epochs=6, batch_size=16, lr=1e-3)),
        notes="demo set, about 22 MB of ONNX for one fold of every role: ResNet34 encoder at width 12 with "
              "decoder 32 at 256 px, heatmap std 20 px at 512 (reference 10), batch 4, lr 2e-3; ResNet18 at "
              "width 16 on 64 px ROIs; GRU hidden 64 x 1",
    ),
    "full": RunConfig(
        name="full",
        keypoints=_keypoints(512, 64, 256, (30, 20, 10), 16, 1e-3, architecture="seed"),
        classifiers=_classifiers(ClassifierConfig(
            roi_size=128, slices=5, backbone="resnet18", backbone_width=64, gru_hidden=512, gru_layers=2,
            epochs=4, batch_size=16, lr=1e-3, schedule="step", bidirectional=False, dropout=0.0,
            architecture="seed")),
        notes="the 9th-place networks exactly (models/seed, state-dict compatible with the seed's checkpoints): "
              "512 px smp DeepLabV3+/ResNet34; timm resnet18 at 128 px (swin_tiny_patch4_window7_224 and "
              "convnext_nano at 224 with classifierBackbone) + GRU 512 x 2 per series type",
    ),
}


def config_as_json(cfg: RunConfig) -> Dict[str, object]:
    return asdict(cfg)


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else "small"
    if name not in CONFIGS:
        print(f"unknown config {name!r}; one of {sorted(CONFIGS)}", file=sys.stderr)
        sys.exit(2)
    print(json.dumps(config_as_json(CONFIGS[name]), indent=2))


if __name__ == "__main__":
    main()
