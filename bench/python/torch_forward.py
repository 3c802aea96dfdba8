"""PyTorch side of `npm run bench -- inference`: times the same forward passes that onnxruntime-node runs.

A line server, so the benchmark can alternate ORT and PyTorch model by model (the machines are shared and the
load drifts; alternating keeps the two measurements of a model close in time) without paying torch's import per
model. One JSON request per stdin line, one JSON reply per stdout line:

    {"op": "forward", "role": R, "batch": B, "runs": N, "warmup": W}
        -> {"ok": true, "ms": [...], "stateSha256": H}   (eval, inference_mode, input [B] + sample shape)
    {"op": "matmul", "n": N, "runs": R, "warmup": W}  -> {"ok": true, "ms": [...], "flops": 2 N^3}
    {"op": "exit"}

The first line out is {"ready": true, "torch": version, "threads": T}. Threads: argv[1] (default 2); argv[2]: the
priors JSON the models were exported with (full_models.WithPositionalPrior), if any.
Failures reply {"ok": false, "error": message} and the server keeps going.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import torch

from full_models import Priors, RoleModel, build, state_hash
from spinetrainer.onnx_export import fmix32_input


def timed(fn: Any, runs: int, warmup: int) -> List[float]:
    for _ in range(warmup):
        fn()
    ms: List[float] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t0) * 1000.0)
    return ms


_built: Dict[str, RoleModel] = {}
_priors: Optional[Priors] = None


def model_for(role: str) -> RoleModel:
    """The last role's model stays built: the benchmark asks for one role at several batch sizes in a row."""
    if role not in _built:
        _built.clear()
        _built[role] = build(role, _priors)
    return _built[role]


def forward(req: Dict[str, Any]) -> Dict[str, Any]:
    built = model_for(str(req["role"]))
    x = torch.from_numpy(fmix32_input([int(req["batch"])] + built.sample_shape, seed=1))
    with torch.inference_mode():
        ms = timed(lambda: built.model(x), int(req["runs"]), int(req.get("warmup", 1)))
    return {"ok": True, "ms": ms, "stateSha256": state_hash(built.model)}


def matmul(req: Dict[str, Any]) -> Dict[str, Any]:
    n = int(req["n"])
    gen = torch.Generator().manual_seed(0)
    a, b = torch.rand(n, n, generator=gen), torch.rand(n, n, generator=gen)
    with torch.inference_mode():
        ms = timed(lambda: torch.mm(a, b), int(req["runs"]), int(req.get("warmup", 1)))
    return {"ok": True, "ms": ms, "flops": 2 * n ** 3}


def reply(value: Dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


def main() -> int:
    global _priors
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
    _priors = json.loads(Path(sys.argv[2]).read_text()) if len(sys.argv) > 2 else None
    reply({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()})
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            op = req.get("op")
            if op == "exit":
                return 0
            if op == "forward":
                reply(forward(req))
            elif op == "matmul":
                reply(matmul(req))
            else:
                reply({"ok": False, "error": f"unknown op {op!r}"})
        except Exception as exc:  # noqa: BLE001 - report and keep serving: one bad request must not end the run
            reply({"ok": False, "error": f"{type(exc).__name__}: {exc}"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
