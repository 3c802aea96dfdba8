"""What every training loop shares: run context, seeding, batching, optimiser and schedule."""
from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import numpy as np
import torch
from torch import nn

from .progress import CancelToken, Progress


@dataclass
class RunContext:
    device: torch.device
    progress: Progress
    cancel: CancelToken
    seed: int
    augment: bool = True
    pretrained: Dict[str, Path] = field(default_factory=dict)
    epochs_override: Optional[int] = None


def seed_for(seed: int, role: str, fold: int) -> int:
    """A seed per (role, fold), so a role trains the same whether or not others run before it."""
    return (seed * 1_000_003 + zlib.crc32(f"{role}/{fold}".encode())) % (2 ** 31)


def seed_everything(seed: int) -> torch.Generator:
    random.seed(seed)
    np.random.seed(seed % (2 ** 32))
    torch.manual_seed(seed)
    gen = torch.Generator()
    gen.manual_seed(seed)
    return gen


def batches(indices: np.ndarray, batch_size: int, rng: Optional[np.random.RandomState]) -> Iterator[np.ndarray]:
    """Batches of `indices` (shuffled when `rng` is given), each sorted so memory-mapped reads go forward."""
    order = indices if rng is None else rng.permutation(indices)
    for start in range(0, len(order), batch_size):
        yield np.sort(order[start:start + batch_size])


def batch_count(n: int, batch_size: int) -> int:
    return math.ceil(n / batch_size) if n else 0


def adamw(model: nn.Module, lr: float, weight_decay: float) -> torch.optim.Optimizer:
    return torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)


def schedule(optimizer: torch.optim.Optimizer, kind: str, epochs: int, steps_per_epoch: int,
             step_size: int = 2, gamma: float = 0.1) -> torch.optim.lr_scheduler.LambdaLR:
    """Per-step learning-rate factor: cosine annealing to 0 over the run, or x gamma every step_size epochs."""
    total = max(1, epochs * steps_per_epoch)
    per_epoch = max(1, steps_per_epoch)

    def factor(step: int) -> float:
        if kind == "step":
            return gamma ** (step // per_epoch // step_size)
        return 0.5 * (1.0 + math.cos(math.pi * min(step, total) / total))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def to_device(array: np.ndarray, device: torch.device) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32)).to(device, non_blocking=True)


def mean_or_none(values: List[float]) -> Optional[float]:
    return float(np.mean(values)) if values else None
