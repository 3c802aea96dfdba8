"""ONNX export (opset 17, dynamic batch axis), structural verification, and the PyTorch reference check file.

There is no onnxruntime for Python here, so the PyTorch-vs-ONNX comparison is split: this side runs the PyTorch
model on a deterministic input and records its output (`{role}-fold{k}.check.json`); the TypeScript side rebuilds
the same input, runs the .onnx in onnxruntime-node and compares (docs/training-format.md, "Check files").
"""
from __future__ import annotations

import hashlib
import inspect
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import onnx
import torch
from torch import nn

OPSET = 17
CHECK_SEED = 1234
CHECK_BATCH = 2
CHECK_FIRST = 16
CHECK_SAMPLES = 32
CHECK_TOLERANCE = {"abs": 1e-4, "rel": 1e-3}


class ExportError(RuntimeError):
    """The exported graph is not what the manifest will promise."""


@dataclass(frozen=True)
class ExportedModel:
    onnx_path: Path
    check_path: Path
    sha256: str
    bytes: int


def fmix32_input(shape: Sequence[int], seed: int = CHECK_SEED) -> np.ndarray:
    """Deterministic float32 in [-1, 1): x[i] = fmix32((i + seed * 0x9E3779B9) mod 2^32) / 2^32 * 2 - 1.

    fmix32 is MurmurHash3's finaliser; every step is exact uint32 arithmetic, so TypeScript (Math.imul, >>> 0)
    reproduces it bit for bit.
    """
    n = int(np.prod(shape))
    h = (np.arange(n, dtype=np.uint64) + np.uint64((seed * 0x9E3779B9) % 2 ** 32)) % np.uint64(2 ** 32)
    h = h.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h = (h.astype(np.uint64) * np.uint64(0x85EBCA6B) % np.uint64(2 ** 32)).astype(np.uint32)
    h ^= h >> np.uint32(13)
    h = (h.astype(np.uint64) * np.uint64(0xC2B2AE35) % np.uint64(2 ** 32)).astype(np.uint32)
    h ^= h >> np.uint32(16)
    return (h.astype(np.float64) / 2 ** 32 * 2 - 1).astype(np.float32).reshape(tuple(shape))


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _export_kwargs() -> Dict[str, Any]:
    # torch >= 2.9 defaults to the dynamo exporter; this graph is made for (and tested with) the TorchScript one.
    return {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}


def _verify_graph(path: Path, input_name: str, output_name: str, input_shape: Sequence[int]) -> None:
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    inputs = {i.name: i for i in model.graph.input}
    outputs = {o.name: o for o in model.graph.output}
    if list(inputs) != [input_name] or list(outputs) != [output_name]:
        raise ExportError(f"{path.name}: expected input {input_name} / output {output_name}, "
                          f"got {list(inputs)} / {list(outputs)}")
    dims = inputs[input_name].type.tensor_type.shape.dim
    if dims[0].dim_param != "batch" or [d.dim_value for d in dims[1:]] != list(input_shape[1:]):
        raise ExportError(f"{path.name}: input dims {[d.dim_param or d.dim_value for d in dims]} do not match "
                          f"['batch'] + {list(input_shape[1:])}")
    if outputs[output_name].type.tensor_type.shape.dim[0].dim_param != "batch":
        raise ExportError(f"{path.name}: output batch axis is not dynamic")
    opset = max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    if opset != OPSET:
        raise ExportError(f"{path.name}: opset {opset}, expected {OPSET}")


def _check_record(role: str, fold: int, onnx_name: str, input_name: str, output_name: str,
                  x: np.ndarray, y: np.ndarray) -> Dict[str, Any]:
    flat = y.reshape(-1).astype(np.float64)
    positions: List[int] = np.linspace(0, flat.size - 1, CHECK_SAMPLES).round().astype(int).tolist()
    return {
        "formatVersion": 1, "role": role, "fold": fold, "onnx": onnx_name,
        "input": {"name": input_name, "shape": list(x.shape), "dtype": "float32", "generator": "fmix32",
                  "seed": CHECK_SEED, "first": x.reshape(-1)[:8].astype(float).tolist()},
        "output": {"name": output_name, "shape": list(y.shape), "first": flat[:CHECK_FIRST].tolist(),
                   "samples": [[p, flat[p]] for p in positions], "sum": float(flat.sum()),
                   "sumAbs": float(np.abs(flat).sum()), "mean": float(flat.mean()), "std": float(flat.std())},
        "tolerance": CHECK_TOLERANCE,
    }


def export_onnx(model: nn.Module, role: str, fold: int, sample_shape: Sequence[int], input_name: str,
                output_name: str, out_dir: Path, stem: Optional[str] = None) -> ExportedModel:
    """Exports `model` (CPU, eval) for inputs [batch] + sample_shape; writes `<stem>.onnx` and `<stem>.check.json`
    (stem: `{role}-fold{fold}` unless given)."""
    model = model.cpu().eval()
    stem = stem or f"{role}-fold{fold}"
    onnx_path, check_path = out_dir / f"{stem}.onnx", out_dir / f"{stem}.check.json"
    x = fmix32_input([CHECK_BATCH] + list(sample_shape))
    xt = torch.from_numpy(x)
    with torch.no_grad(), warnings.catch_warnings():
        # The TorchScript exporter warns about shape inference and GRU batch sizes; the graph is verified below
        # and the dynamic batch axis is exercised by the TypeScript check.
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (xt,), str(onnx_path), opset_version=OPSET, input_names=[input_name],
                          output_names=[output_name], do_constant_folding=True,
                          dynamic_axes={input_name: {0: "batch"}, output_name: {0: "batch"}}, **_export_kwargs())
        y = model(xt).numpy()
    _verify_graph(onnx_path, input_name, output_name, x.shape)
    check = _check_record(role, fold, onnx_path.name, input_name, output_name, x, y)
    check_path.write_text(json.dumps(check, indent=1) + "\n", encoding="utf-8")
    return ExportedModel(onnx_path=onnx_path, check_path=check_path, sha256=sha256_file(onnx_path),
                         bytes=onnx_path.stat().st_size)
