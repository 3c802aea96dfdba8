"""Smoke check on a GPU host: trains `small` (one fold of every role) on a synthetic set written in the
documented tensor format, with device "auto", and leaves the outputs and the JSON-lines log in OUT_DIR.

    PYTHONPATH=src/training/python python3 src/training/python/tools/gpu_smoke.py OUT_DIR [STUDIES]
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from synthetic import write_export, write_request  # noqa: E402


def main() -> int:
    out = Path(sys.argv[1])
    studies = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    t0 = time.monotonic()
    index = write_export(out / "tensors", studies=studies, folds=5, kp_size=256, roi_size=64, seed=0)
    print(f"tensors written in {time.monotonic() - t0:.1f} s", file=sys.stderr)
    request = write_request(out / "request.json", index, out / "run", config="small", device="auto", folds=[0])
    with (out / "events.jsonl").open("w") as events, (out / "trainer.log").open("w") as log:
        code = subprocess.run([sys.executable, "-m", "spinetrainer.train", "--request", str(request)],
                              stdout=events, stderr=log).returncode
    print(f"trainer exit {code} after {time.monotonic() - t0:.1f} s", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
