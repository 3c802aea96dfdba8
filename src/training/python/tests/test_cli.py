"""The CLI end to end: request JSON + tensors in the documented format -> ONNX, manifests, JSON-lines progress."""
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

import onnx
import pytest

from synthetic import write_export, write_request

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
ROLES = ["keypoints-sagittal-t2", "keypoints-sagittal-t1", "keypoints-axial", "classifier-spinal",
         "classifier-foraminal", "classifier-subarticular", "classifier-global"]


def _env() -> Dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PACKAGE_ROOT), "PYTHONUNBUFFERED": "1"}


def _run(request: Path, timeout: float = 300) -> Tuple[int, List[Dict[str, Any]], str]:
    proc = subprocess.run([sys.executable, "-m", "spinetrainer.train", "--request", str(request)],
                          capture_output=True, text=True, timeout=timeout, env=_env())
    events = [json.loads(line) for line in proc.stdout.splitlines()]  # every stdout line must be JSON
    return proc.returncode, events, proc.stderr


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Tuple[Path, int, List[Dict[str, Any]], str]:
    base = tmp_path_factory.mktemp("cli")
    index = write_export(base / "tensors", studies=6, folds=2)
    request = write_request(base / "request.json", index, base / "out")
    started = time.monotonic()
    code, events, stderr = _run(request)
    print(f"tiny run: {time.monotonic() - started:.1f} s")
    return base / "out", code, events, stderr


def test_tiny_config_runs_end_to_end(tiny_run: Tuple[Path, int, List[Dict[str, Any]], str]) -> None:
    out, code, events, stderr = tiny_run
    assert code == 0, stderr
    assert events[0]["event"] == "start" and events[-1]["event"] == "done"
    assert events[0]["folds"] == [0, 1] and events[0]["roles"] == ROLES
    kinds = {e["event"] for e in events}
    assert {"step", "epoch", "export", "fold"} <= kinds
    exports = [(e["role"], e["fold"]) for e in events if e["event"] == "export"]
    assert exports == [(r, f) for r in ROLES for f in (0, 1)]
    progress = [e["progress"] for e in events if "progress" in e]
    assert progress == sorted(progress) and progress[-1] == 1.0
    epoch = next(e for e in events if e["event"] == "epoch" and e["role"] == "classifier-global")
    assert epoch["valMetricName"] == "weightedLogLoss" and isinstance(epoch["valMetric"], float)


def test_outputs_match_their_manifests(tiny_run: Tuple[Path, int, List[Dict[str, Any]], str]) -> None:
    out, code, _, _ = tiny_run
    assert code == 0
    for role in ROLES:
        for fold in (0, 1):
            manifest = json.loads((out / f"{role}-fold{fold}.manifest.json").read_text())
            onnx_path = out / manifest["onnx"]["file"]
            assert manifest["role"] == role and manifest["fold"] == fold and manifest["formatVersion"] == 1
            assert manifest["onnx"]["sha256"] == hashlib.sha256(onnx_path.read_bytes()).hexdigest()
            model = onnx.load(str(onnx_path))
            onnx.checker.check_model(model)
            dims = [d.dim_param or d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
            assert dims == manifest["input"]["shape"]
            assert model.graph.input[0].name == manifest["input"]["name"]
            assert model.graph.output[0].name == manifest["output"]["name"]
            assert (out / manifest["onnx"]["check"]).is_file()
            assert len(manifest["provenance"]["trainingDataHash"]) == 64
            assert manifest["model"]["shrunk"], "tiny must say what it shrank"
    t1 = json.loads((out / "keypoints-sagittal-t1-fold0.manifest.json").read_text())
    assert t1["input"]["shape"] == ["batch", 3, 64, 64]
    assert t1["preprocessing"]["sliceSelection"]["offsetMm"] == {"LEFT": 16.8, "RIGHT": -16.8}
    axial = json.loads((out / "keypoints-axial-fold1.manifest.json").read_text())
    assert axial["output"]["channels"] == ["LEFT", "RIGHT"]
    glob = json.loads((out / "classifier-global-fold0.manifest.json").read_text())
    assert glob["input"]["shape"] == ["batch", 5, 5, 32, 32] and glob["output"]["shape"] == ["batch", 15]
    assert glob["preprocessing"]["rois"]["AXIAL_RIGHT"]["mirrored"] is True
    assert glob["output"]["classes"] == ["NORMAL_MILD", "MODERATE", "SEVERE"]


def test_run_summary_scores_out_of_fold_predictions(tiny_run: Tuple[Path, int, List[Dict[str, Any]], str]) -> None:
    out, code, events, _ = tiny_run
    assert code == 0
    summary = json.loads((out / "run-summary.json").read_text())
    assert events[-1]["summary"] == str(out / "run-summary.json")
    assert len(summary["models"]) == 14 and summary["onnxBytes"] == sum(m["bytes"] for m in summary["models"])
    kp = summary["cv"]["keypoints"]["keypoints-sagittal-t2"]
    assert kp["samples"] == 6 and kp["points"] == 30 and kp["meanPxError"] >= 0 and kp["meanMmError"] > 0
    cls = summary["cv"]["classifiers"]
    for family in ("split", "global", "ensemble"):
        assert all(cls[family][k] is not None for k in ("spinal", "foraminal", "subarticular", "anySevereSpinal"))
        assert cls[family]["score"] > 0 and cls[family]["baseline"]["score"] > 0
    # out-of-fold: each study predicted once per level by the global model (6 studies x 5 levels x 5 conditions)
    oof = json.loads((out / "classifier-global.oof.json").read_text())
    assert len(oof) == 150 and {r["studyId"] for r in oof} == {str(1000 + i) for i in range(6)}
    assert cls["global"]["rows"] == 149  # one ungraded cell in the synthetic labels


def test_sigterm_stops_promptly(tmp_path: Path) -> None:
    index = write_export(tmp_path / "tensors", studies=4, folds=2, keypoint_groups=["keypoints-sagittal-t2"])
    request = write_request(tmp_path / "request.json", index, tmp_path / "out", roles=["keypoints-sagittal-t2"],
                            epochs=500)
    proc = subprocess.Popen([sys.executable, "-m", "spinetrainer.train", "--request", str(request)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=_env())
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(json.loads(line))
        if lines[-1]["event"] == "step":
            break
    proc.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    rest, _ = proc.communicate(timeout=60)
    assert time.monotonic() - sent < 20
    assert proc.returncode == 143
    last = json.loads(rest.strip().splitlines()[-1])
    assert last["event"] == "error" and last["code"] == "CANCELLED"
    assert not (tmp_path / "out" / "run-summary.json").exists()


def test_bad_request_exits_2_with_error_event(tmp_path: Path) -> None:
    (tmp_path / "request.json").write_text(json.dumps({"version": 1, "config": "tiny"}))
    code, events, _ = _run(tmp_path / "request.json", timeout=60)
    assert code == 2 and len(events) == 1
    assert events[0]["event"] == "error" and events[0]["code"] == "BAD_REQUEST"
    assert "outputDir" in events[0]["message"]


def test_missing_tensor_group_exits_2(tmp_path: Path) -> None:
    index = write_export(tmp_path / "tensors", studies=4, folds=2, keypoint_groups=[])
    request = write_request(tmp_path / "request.json", index, tmp_path / "out", roles=["keypoints-axial"])
    code, events, _ = _run(request, timeout=60)
    assert code == 2 and events[-1]["code"] == "BAD_TENSORS"
    assert "keypoints.keypoints-axial" in events[-1]["message"]
