"""Training really learns: losses fall on synthetic data whose answer is visible in the input."""
import io
import json
from typing import List

import pytest
import torch

from spinetrainer.configs import ClassifierConfig, KeypointConfig
from spinetrainer.fit_classifier import classifier_samples, fit_classifier_fold
from spinetrainer.fit_keypoints import fit_keypoint_fold
from spinetrainer.loop import RunContext
from spinetrainer.progress import CancelToken, Progress
from spinetrainer.tensor_index import TensorIndex, load_tensor_index
from synthetic import write_export


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> TensorIndex:
    path = write_export(tmp_path_factory.mktemp("learn"), studies=12, folds=3, kp_size=48, roi_size=24,
                        keypoint_groups=["keypoints-sagittal-t2"], seed=5)
    return load_tensor_index(path)


def _context(out: io.StringIO, augment: bool) -> RunContext:
    return RunContext(device=torch.device("cpu"), progress=Progress(out=out, err=io.StringIO(), step_interval_s=0),
                      cancel=CancelToken(), seed=11, augment=augment)


def _epochs(out: io.StringIO) -> List[dict]:
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    return [e for e in events if e["event"] == "epoch"]


def test_heatmap_loss_falls(index: TensorIndex) -> None:
    out = io.StringIO()
    cfg = KeypointConfig(input_size=48, encoder_width=8, decoder_channels=16, epochs=6, batch_size=4, lr=3e-3,
                         sigma_at_512=40.0)
    outcome = fit_keypoint_fold("keypoints-sagittal-t2", index.keypoints["keypoints-sagittal-t2"], index, 0, cfg,
                                _context(out, augment=True))
    epochs = _epochs(out)
    assert len(epochs) == 6
    assert epochs[-1]["loss"] < 0.5 * epochs[0]["loss"]
    assert epochs[-1]["valLoss"] < epochs[0]["valLoss"]
    assert outcome.val_samples == 4 and len(outcome.oof) == 4


def test_classifier_learns_severity_patterns(index: TensorIndex) -> None:
    out = io.StringIO()
    cfg = ClassifierConfig(roi_size=24, slices=5, backbone="resnet18", backbone_width=8, gru_hidden=16,
                           gru_layers=1, epochs=4, batch_size=16, lr=3e-3)
    samples = classifier_samples("classifier-subarticular", index)
    outcome = fit_classifier_fold("classifier-subarticular", index, samples, 0, cfg, "resnet18",
                                  _context(out, augment=False))
    epochs = _epochs(out)
    assert epochs[-1]["loss"] < 0.6 * epochs[0]["loss"]
    # bright squares sized by severity are easy: held-out weighted log loss far below chance (ln 3 = 1.10)
    assert outcome.metrics["valWeightedLogLoss"] is not None and outcome.metrics["valWeightedLogLoss"] < 0.6
    assert {r["condition"] for r in outcome.oof} == {"LEFT_SUBARTICULAR_STENOSIS", "RIGHT_SUBARTICULAR_STENOSIS"}
