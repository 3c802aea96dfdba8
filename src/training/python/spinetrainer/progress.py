"""Progress as JSON lines on stdout (one object per line, nothing else on stdout); human logs on stderr.

Cancellation: SIGTERM (or SIGINT) sets a flag that the training loops check between steps; a second signal
exits at once.
"""
from __future__ import annotations

import json
import math
import os
import signal
import sys
import time
from types import FrameType
from typing import Any, Dict, Optional, TextIO

CANCEL_EXIT_CODE = 143


class Cancelled(Exception):
    """The run was asked to stop (SIGTERM / SIGINT)."""


class CancelToken:
    def __init__(self) -> None:
        self.requested = False
        self.signal_name = ""

    def install(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, _frame: Optional[FrameType]) -> None:
        if self.requested:
            os._exit(CANCEL_EXIT_CODE)
        self.requested = True
        self.signal_name = signal.Signals(signum).name

    def check(self) -> None:
        if self.requested:
            raise Cancelled(f"stopped by {self.signal_name or 'request'}")


def _json_safe(value: Any) -> Any:
    """NaN and infinities are not JSON: they become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def to_json(value: Any, **kwargs: Any) -> str:
    return json.dumps(_json_safe(value), allow_nan=False, **kwargs)


class Progress:
    """Emits events and keeps the overall fraction done and the ETA (work counted in optimiser/eval steps)."""

    def __init__(self, out: TextIO = sys.stdout, err: TextIO = sys.stderr, step_interval_s: float = 1.0) -> None:
        self.out, self.err = out, err
        self.step_interval_s = step_interval_s
        self.started = time.monotonic()
        self.total_units = 0
        self.done_units = 0
        self._last_step_event = -math.inf

    def plan(self, total_units: int) -> None:
        self.total_units = max(1, total_units)

    def advance(self, units: int = 1) -> None:
        self.done_units = min(self.total_units, self.done_units + units)

    def fraction(self) -> float:
        return self.done_units / self.total_units if self.total_units else 0.0

    def eta_s(self) -> Optional[float]:
        if self.done_units == 0:
            return None
        elapsed = time.monotonic() - self.started
        return round(elapsed / self.done_units * (self.total_units - self.done_units), 1)

    def emit(self, event: str, **fields: Any) -> None:
        record: Dict[str, Any] = {"event": event, **fields}
        if event in ("epoch", "step", "fold", "export"):
            record.setdefault("progress", round(self.fraction(), 4))
            record.setdefault("eta_s", self.eta_s())
        self.out.write(to_json(record) + "\n")
        self.out.flush()

    def step(self, last_of_epoch: bool, **fields: Any) -> None:
        """A step event, throttled to one per `step_interval_s` (the last step of an epoch always reports)."""
        now = time.monotonic()
        if last_of_epoch or now - self._last_step_event >= self.step_interval_s:
            self._last_step_event = now
            self.emit("step", **fields)

    def log(self, message: str) -> None:
        self.err.write(f"[spinetrainer {time.strftime('%H:%M:%S')}] {message}\n")
        self.err.flush()
