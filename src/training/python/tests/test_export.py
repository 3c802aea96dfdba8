"""ONNX export: the graph passes onnx.checker with a dynamic batch axis, and the check file is reproducible."""
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

from spinetrainer.models.classifier import RoiSequenceClassifier
from spinetrainer.models.deeplab import DeepLabV3Plus
from spinetrainer.onnx_export import OPSET, export_onnx, fmix32_input, sha256_file

REPO_ROOT = Path(__file__).resolve().parents[4]


def test_fmix32_generator_is_pinned() -> None:
    # These exact float32 values are what the TypeScript generator must produce (docs/training-format.md).
    x = fmix32_input([2, 3], seed=1234)
    assert x.dtype == np.float32 and x.shape == (2, 3)
    assert x.reshape(-1)[:4].tolist() == [-0.7603966593742371, 0.43150344491004944, -0.19459837675094604,
                                          0.5598119497299194]
    assert fmix32_input([1], seed=0).tolist() == [-1.0]  # fmix32(0) = 0


@pytest.mark.parametrize("kind", ["keypoints", "classifier"])
def test_export_writes_checked_onnx_and_check_file(tmp_path: Path, kind: str) -> None:
    torch.manual_seed(0)
    if kind == "keypoints":
        model, shape, names = DeepLabV3Plus(3, 2, 8, 16), [3, 64, 64], ("image", "heatmaps")
    else:
        model, shape, names = RoiSequenceClassifier(5, 5, "resnet18", 8, 16, 1), [5, 5, 32, 32], ("rois", "logits")
    exported = export_onnx(model, f"role-{kind}", 3, shape, names[0], names[1], tmp_path)

    graph = onnx.load(str(exported.onnx_path))
    onnx.checker.check_model(graph)
    assert [o.version for o in graph.opset_import if o.domain in ("", "ai.onnx")] == [OPSET]
    assert graph.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    assert exported.sha256 == sha256_file(exported.onnx_path) and exported.bytes > 10_000

    check = json.loads(exported.check_path.read_text())
    assert check["input"]["shape"] == [2] + shape and check["input"]["name"] == names[0]
    x = fmix32_input(check["input"]["shape"], check["input"]["seed"])
    assert check["input"]["first"] == x.reshape(-1)[:8].tolist()
    with torch.no_grad():
        y = model.eval()(torch.from_numpy(x)).numpy().reshape(-1)
    assert check["output"]["shape"][0] == 2
    np.testing.assert_allclose(check["output"]["first"], y[:16], rtol=1e-6, atol=1e-6)
    for position, value in check["output"]["samples"]:
        assert y[position] == pytest.approx(value, rel=1e-6, abs=1e-6)
    assert check["output"]["sum"] == pytest.approx(float(y.astype(np.float64).sum()), rel=1e-5, abs=1e-5)


NODE_CHECK = r"""
const ort = require(process.env.ORT_PATH);
const fs = require('fs');
const check = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
function fmix32Input(n, seed) {
  const out = new Float32Array(n); const base = Math.imul(seed, 0x9e3779b9) >>> 0;
  for (let i = 0; i < n; i++) { let h = (i + base) >>> 0; h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b) >>> 0;
    h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35) >>> 0; h ^= h >>> 16; out[i] = (h >>> 0) / 4294967296 * 2 - 1; }
  return out;
}
(async () => {
  const s = await ort.InferenceSession.create(process.argv[3]);
  const shape = check.input.shape; const n = shape.reduce((a, b) => a * b, 1);
  const x = fmix32Input(n, check.input.seed);
  const y = (await s.run({ [check.input.name]: new ort.Tensor('float32', x, shape) }))[check.output.name].data;
  const per = n / shape[0]; const x3 = new Float32Array(per * 3);
  x3.set(x.subarray(0, 2 * per), 0); x3.set(x.subarray(0, per), 2 * per);
  const y3 = (await s.run({ [check.input.name]: new ort.Tensor('float32', x3, [3, ...shape.slice(1)]) }))[check.output.name].data;
  let maxDiff = 0; let sum = 0; for (const v of y) sum += v;
  check.output.samples.forEach(([p, v]) => { maxDiff = Math.max(maxDiff, Math.abs(y[p] - v)); });
  const outPer = y.length / shape[0]; let batchDiff = 0;
  for (let i = 0; i < outPer; i++) batchDiff = Math.max(batchDiff, Math.abs(y3[2 * outPer + i] - y[i]));
  console.log(JSON.stringify({ inputOk: check.input.first.every((v, i) => v === x[i]), maxDiff,
    sumDiff: Math.abs(sum - check.output.sum), batchDiff }));
})();
"""


def test_onnxruntime_node_agrees_with_check_file(tmp_path: Path) -> None:
    ort = REPO_ROOT / "node_modules" / "onnxruntime-node"
    if shutil.which("node") is None or not ort.is_dir():
        pytest.skip("node or onnxruntime-node not available")
    torch.manual_seed(1)
    exported = export_onnx(RoiSequenceClassifier(2, 1, "resnet18", 8, 16, 1), "classifier-spinal", 0,
                           [2, 5, 32, 32], "rois", "logits", tmp_path)
    script = tmp_path / "check.cjs"
    script.write_text(NODE_CHECK)
    run = subprocess.run(["node", str(script), str(exported.check_path), str(exported.onnx_path)],
                         capture_output=True, text=True, timeout=120, env={"ORT_PATH": str(ort), "PATH": "/usr/bin:/bin:/usr/local/bin"})
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["inputOk"] is True
    assert result["maxDiff"] < 1e-4 and result["batchDiff"] < 1e-5
