"""How heatmap target width, batch size and lr change keypoint learning at 256 px with the `small` widths.

    PYTHONPATH=src/training/python python3 src/training/python/tools/keypoint_sweep.py WORK_DIR [STUDIES]

Trains keypoints-sagittal-t2 fold 0 on a synthetic set for each setting and prints one JSON line per setting
(validation mean px error and its curve). Run on a GPU: on two CPU cores it takes hours.
"""
import io
import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from synthetic import write_export  # noqa: E402
from spinetrainer.configs import KeypointConfig  # noqa: E402
from spinetrainer.fit_keypoints import fit_keypoint_fold  # noqa: E402
from spinetrainer.loop import RunContext  # noqa: E402
from spinetrainer.progress import CancelToken, Progress  # noqa: E402
from spinetrainer.tensor_index import load_tensor_index  # noqa: E402

index = load_tensor_index(write_export(Path(sys.argv[1]), studies=int(sys.argv[2]), folds=5, kp_size=256,
                                       roi_size=16, keypoint_groups=["keypoints-sagittal-t2"], seed=0))
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
grid = [(10, 8, 1e-3, 20), (20, 8, 1e-3, 20), (40, 8, 1e-3, 20), (20, 4, 1e-3, 20), (20, 4, 2e-3, 30),
        (10, 4, 1e-3, 40), (40, 4, 1e-3, 30), (20, 4, 1e-3, 60)]
for sigma, batch, lr, epochs in grid:
    out = io.StringIO()
    ctx = RunContext(device=device, progress=Progress(out=out, err=io.StringIO()), cancel=CancelToken(), seed=1)
    cfg = KeypointConfig(256, 12, 32, epochs, batch, lr, sigma_at_512=sigma)
    t0 = time.monotonic()
    o = fit_keypoint_fold("keypoints-sagittal-t2", index.keypoints["keypoints-sagittal-t2"], index, 0, cfg, ctx)
    curve = [round(json.loads(l)["valMetric"], 1) for l in out.getvalue().splitlines() if '"event": "epoch"' in l]
    print(json.dumps({"sigma": sigma, "batch": batch, "lr": lr, "epochs": epochs, "px": o.metrics["valMeanPxError"],
                      "median": o.metrics["valMedianPxError"], "s": round(time.monotonic() - t0, 1),
                      "curve": curve[::max(1, len(curve) // 10)]}), flush=True)
