"""The request and the tensor index are checked up front, with errors that name the problem."""
import json
from pathlib import Path

import numpy as np
import pytest

from spinetrainer.request import RequestError, load_request
from spinetrainer.tensor_index import TensorIndexError, data_hash, load_tensor_index
from synthetic import write_export, write_request


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_export(tmp_path_factory.mktemp("tensors"), studies=4, keypoint_groups=["keypoints-axial"]).parent


def test_valid_request_resolves_relative_paths(tmp_path: Path, export_dir: Path) -> None:
    (tmp_path / "req.json").write_text(json.dumps({
        "version": 1, "outputDir": "out", "config": "small", "seed": 3, "folds": [1, 0, 1],
        "roles": ["classifier-global", "keypoints-axial"], "tensorIndex": str(export_dir / "index.json")}))
    req = load_request(tmp_path / "req.json")
    assert req.output_dir == tmp_path / "out"
    assert req.folds == (0, 1)
    assert req.roles == ("keypoints-axial", "classifier-global")  # canonical order: keypoints first
    assert req.device == "auto"


@pytest.mark.parametrize("patch,message", [
    ({"version": 2}, "version must be 1"),
    ({"config": "huge"}, "config must be one of"),
    ({"roles": ["classifier-knee"]}, "unknown role"),
    ({"device": "tpu"}, "device must be one of"),
    ({"folds": []}, "folds must be a non-empty list"),
    ({"tensorIndex": "nowhere.json"}, "no such file"),
    ({"pretrained": {"resnet34": "missing.pth"}}, "no such file"),
    ({"classifierBackbone": "vgg"}, "classifierBackbone"),
    ({"colour": "blue"}, "unknown request field"),
])
def test_bad_requests_name_the_field(tmp_path: Path, export_dir: Path, patch: dict, message: str) -> None:
    path = write_request(tmp_path / "req.json", export_dir / "index.json", tmp_path / "out")
    raw = json.loads(path.read_text())
    raw.update(patch)
    path.write_text(json.dumps(raw))
    with pytest.raises(RequestError, match=message):
        load_request(path)


def test_index_loads_groups_and_missing_points(export_dir: Path) -> None:
    index = load_tensor_index(export_dir / "index.json")
    assert index.folds() == (0, 1)
    group = index.keypoints["keypoints-axial"]
    assert group.data.shape == (4, 3, 64, 64) and group.data.dtype == np.float32
    assert np.isnan(group.points[1, 1]).all() and np.isfinite(group.points[0]).all()
    assert index.studies["1000"].label("SPINAL_CANAL_STENOSIS", "L5_S1") == -1
    assert ("1002", "L1_L2") not in index.rois["AXIAL_LEFT"].rows
    assert len(data_hash(index)) == 64


def _broken_copy(src: Path, dst: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    dst.mkdir()
    for f in src.iterdir():
        (dst / f.name).write_bytes(f.read_bytes())
    raw = json.loads((dst / "index.json").read_text())
    edit(raw, dst)
    (dst / "index.json").write_text(json.dumps(raw))
    return dst / "index.json"


def test_wrong_file_size_is_reported(tmp_path: Path, export_dir: Path) -> None:
    def edit(raw: dict, d: Path) -> None:
        raw["rois"]["AXIAL_LEFT"]["shape"][2] = 31
    with pytest.raises(TensorIndexError, match=r"rois.AXIAL_LEFT: roi-AXIAL_LEFT.f32 holds \d+ bytes"):
        load_tensor_index(_broken_copy(export_dir, tmp_path / "t", edit))


def test_point_outside_input_is_reported(tmp_path: Path, export_dir: Path) -> None:
    def edit(raw: dict, d: Path) -> None:
        raw["keypoints"]["keypoints-axial"]["samples"][2]["points"][0] = [70.0, 3.0]
    with pytest.raises(TensorIndexError, match=r"samples\[2\]: points\[0\] = \[70.0, 3.0\] lies outside"):
        load_tensor_index(_broken_copy(export_dir, tmp_path / "t", edit))


def test_unknown_study_and_bad_label_are_reported(tmp_path: Path, export_dir: Path) -> None:
    def unknown_study(raw: dict, d: Path) -> None:
        raw["rois"]["SAG_T1_LEFT"]["samples"][0]["studyId"] = "999"
    with pytest.raises(TensorIndexError, match="studyId '999' is not listed"):
        load_tensor_index(_broken_copy(export_dir, tmp_path / "a", unknown_study))

    def bad_label(raw: dict, d: Path) -> None:
        raw["studies"][0]["labels"]["SPINAL_CANAL_STENOSIS"] = [0, 1, 2, 3, 0]
    with pytest.raises(TensorIndexError, match="integers in -1..2"):
        load_tensor_index(_broken_copy(export_dir, tmp_path / "b", bad_label))
