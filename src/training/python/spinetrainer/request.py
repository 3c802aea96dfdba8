"""The training request JSON (format version 1), parsed and checked before any work starts."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

from . import FORMAT_VERSION
from .configs import BACKBONES, CONFIGS, SEED_BACKBONES, SPINEGRAPH_BACKBONES
from .vocabulary import ROLES

DEVICES = ("auto", "cpu", "cuda")
PRETRAINED_KEYS = ("resnet34", "resnet18", "convnext_tiny", "swin_t", "swin_tiny_patch4_window7_224", "convnext_nano")


class RequestError(ValueError):
    """The request cannot be run as written (bad field, missing file)."""


@dataclass(frozen=True)
class TrainRequest:
    output_dir: Path
    config: str
    seed: int
    folds: Optional[Tuple[int, ...]]     # None: every fold present in the tensor index
    roles: Tuple[str, ...]
    tensor_index: Path
    pretrained: Dict[str, Path]
    device: str
    classifier_backbone: Optional[str]   # None: the config's backbone
    epochs_override: Optional[int]
    threads: Optional[int]               # None: the config's choice (every core, or 1 for tiny)


def _require(cond: bool, message: str) -> None:
    if not cond:
        raise RequestError(message)


def parse_request(raw: Mapping[str, Any], base_dir: Path) -> TrainRequest:
    """Validates a decoded request; relative paths are resolved against `base_dir` (the request's folder)."""
    _require(isinstance(raw, Mapping), "request must be a JSON object")
    _require(raw.get("version") == FORMAT_VERSION, f"request.version must be {FORMAT_VERSION}, got {raw.get('version')!r}")
    known = {"version", "outputDir", "config", "seed", "folds", "roles", "tensorIndex", "pretrained", "device",
             "classifierBackbone", "epochs", "threads"}
    unknown = sorted(set(raw) - known)
    _require(not unknown, f"unknown request field(s): {', '.join(unknown)}")

    def path_of(value: Any, name: str) -> Path:
        _require(isinstance(value, str) and value != "", f"request.{name} must be a non-empty string path")
        p = Path(value)
        return p if p.is_absolute() else (base_dir / p)

    output_dir = path_of(raw.get("outputDir"), "outputDir")
    config = raw.get("config")
    _require(config in CONFIGS, f"request.config must be one of {sorted(CONFIGS)}, got {config!r}")
    seed = raw.get("seed", 0)
    _require(isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0,
             f"request.seed must be a non-negative integer, got {seed!r}")

    folds_raw = raw.get("folds")
    folds: Optional[Tuple[int, ...]] = None
    if folds_raw is not None:
        _require(isinstance(folds_raw, list) and len(folds_raw) > 0
                 and all(isinstance(f, int) and not isinstance(f, bool) and f >= 0 for f in folds_raw),
                 f"request.folds must be a non-empty list of fold numbers, got {folds_raw!r}")
        folds = tuple(sorted(set(folds_raw)))

    roles_raw = raw.get("roles", list(ROLES))
    _require(isinstance(roles_raw, list) and len(roles_raw) > 0, "request.roles must be a non-empty list")
    bad_roles = [r for r in roles_raw if r not in ROLES]
    _require(not bad_roles, f"unknown role(s) {bad_roles}; roles are {list(ROLES)}")
    roles = tuple(r for r in ROLES if r in roles_raw)  # canonical order: keypoints first

    tensor_index = path_of(raw.get("tensorIndex"), "tensorIndex")
    _require(tensor_index.is_file(), f"request.tensorIndex: no such file {tensor_index}")

    pretrained_raw = raw.get("pretrained") or {}
    _require(isinstance(pretrained_raw, Mapping), "request.pretrained must be an object {backbone: path}")
    pretrained: Dict[str, Path] = {}
    for key, value in pretrained_raw.items():
        _require(key in PRETRAINED_KEYS, f"request.pretrained: unknown backbone {key!r}; one of {list(PRETRAINED_KEYS)}")
        p = path_of(value, f"pretrained.{key}")
        _require(p.is_file(), f"request.pretrained.{key}: no such file {p}")
        pretrained[key] = p

    device = raw.get("device", "auto")
    _require(device in DEVICES, f"request.device must be one of {list(DEVICES)}, got {device!r}")
    backbone = raw.get("classifierBackbone")
    _require(backbone is None or backbone in BACKBONES,
             f"request.classifierBackbone must be one of {list(BACKBONES)}, got {backbone!r}")
    if backbone is not None:
        seed_arch = CONFIGS[str(config)].classifiers["classifier-spinal"].architecture == "seed"
        allowed = SEED_BACKBONES if seed_arch else SPINEGRAPH_BACKBONES
        _require(backbone in allowed, f"request.classifierBackbone {backbone!r} is not a backbone of config "
                                      f"{config!r}; one of {list(allowed)}")
    epochs = raw.get("epochs")
    _require(epochs is None or (isinstance(epochs, int) and not isinstance(epochs, bool) and epochs > 0),
             f"request.epochs must be a positive integer, got {epochs!r}")

    threads = raw.get("threads")
    _require(threads is None or (isinstance(threads, int) and not isinstance(threads, bool) and threads > 0),
             f"request.threads must be a positive integer, got {threads!r}")

    return TrainRequest(output_dir=output_dir, config=str(config), seed=seed, folds=folds, roles=roles,
                        tensor_index=tensor_index, pretrained=pretrained, device=device,
                        classifier_backbone=backbone, epochs_override=epochs, threads=threads)


def load_request(path: Path) -> TrainRequest:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RequestError(f"request file not found: {path}") from exc
    except json.JSONDecodeError as exc:
        raise RequestError(f"request file is not valid JSON: {exc}") from exc
    return parse_request(raw, path.resolve().parent)


def request_summary(req: TrainRequest) -> Dict[str, Any]:
    """The request as recorded in manifests and the run summary (paths as strings)."""
    return {
        "config": req.config, "seed": req.seed, "folds": list(req.folds) if req.folds else None,
        "roles": list(req.roles), "device": req.device, "classifierBackbone": req.classifier_backbone,
        "epochs": req.epochs_override, "threads": req.threads,
        "pretrained": {k: str(v) for k, v in req.pretrained.items()},
    }


