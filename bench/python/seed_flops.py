"""FLOPs per sample of every distinct network of the seed's ensemble (2 x multiply-adds of convolutions, linear layers
and GRUs; Swin's attention products are not counted, a few per cent of its work), for the GFLOP/s column of the
"seed ensemble" row and the GPU estimate in docs/scaling.md.

    python3 seed_flops.py OUT.json      -> {"<name>": flops per sample, ...}
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Dict

import torch

from export_seed_set import seed_networks
from full_models import count_flops
from spinetrainer.models.seed.build import build_seed_model


def main() -> None:
    torch.manual_seed(0)
    flops: Dict[str, int] = {}
    for name, _role, cfg, shape, _input in seed_networks():
        flops[name] = count_flops(build_seed_model(cfg).eval(), shape)
        print(json.dumps({"counted": name, "gflop": flops[name] / 1e9}), flush=True)
    Path(sys.argv[1]).write_text(json.dumps(flops, indent=1))


if __name__ == "__main__":
    main()
