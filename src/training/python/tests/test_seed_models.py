"""spinegraph's definitions of the seed's networks and the seed-folder reader, without the reference code (the
parity suite compares them with smp/timm; these check the parts that are spinegraph's own)."""
import json
from pathlib import Path
from typing import Any, Dict

import pytest
import torch

from spinetrainer.models.seed.build import UnknownArchitecture, build_seed_model
from spinetrainer.models.seed.roi import GlobalROIModel, SplitROIFeatures
from spinetrainer.seed_folder import SeedFolderError, load_checkpoint, read_seed_folder


def test_split_features_batches_the_seeds_sliding_windows() -> None:
    torch.manual_seed(0)
    m = SplitROIFeatures("resnet18", in_channels=3, rnn_hidden_size=8, rnn_num_layers=1).eval()
    x = torch.randn(2, 5, 32, 32)
    with torch.no_grad():
        # The seed's loop: one backbone call per window x[:, i-1 : i+2], i = 1 .. 3.
        feats = torch.stack([m.model(x[:, i - 1: i + 2]) for i in range(1, 4)], dim=1)
        want = m.rnn(feats)[0].mean(dim=1)
        got = m(x)
    assert got.shape == (2, 8)
    assert torch.allclose(got, want, atol=1e-6)


def test_global_graph_reorders_class_major_logits_to_condition_major() -> None:
    torch.manual_seed(0)
    m = GlobalROIModel("resnet18", rnn_hidden_size=8, rnn_num_layers=1).eval()
    rois = torch.randn(1, 5, 5, 32, 32)
    with torch.no_grad():
        seed = m.forward_seed(*[rois[:, i] for i in range(5)])  # [1, 15]: class * 5 + condition
        ours = m(rois)                                          # [1, 15]: condition * 3 + class
    for condition in range(5):
        for cls in range(3):
            assert ours[0, condition * 3 + cls] == seed[0, cls * 5 + condition]


def test_unknown_architectures_are_named() -> None:
    with pytest.raises(UnknownArchitecture, match="efficientnet_b0"):
        build_seed_model({"type": "SpinalROIModel", "args": {"base_model": "efficientnet_b0", "num_classes": 3}})
    with pytest.raises(UnknownArchitecture, match="UNet"):
        build_seed_model({"type": "CoordModel", "args": {"base_model": "UNet", "encoder_name": "resnet34"}})
    with pytest.raises(UnknownArchitecture, match="VitModel"):
        build_seed_model({"type": "VitModel", "args": {}})


def _seed_folder(root: Path, name: str, hidden: int, saved_hidden: int, folds: int = 2,
                 one_fold: bool = False) -> Path:
    cfg: Dict[str, Any] = {
        "project_name": "rsna-2024", "labels": {"Normal/Mild": 0, "Moderate": 1, "Severe": 2},
        "model": {"type": "ForaminalROIModel", "args": {"base_model": "resnet18", "num_classes": 3, "in_channels": 1,
                                                        "pretrained": True, "rnn_hidden_size": hidden,
                                                        "rnn_num_layers": 1}},
        "dataset": {"type": "ForaminalROIDataset", "args": {"img_num": 5, "roi_size": 50, "resolution": 32}},
        "trainer": {"cv_fold": folds, "one_fold": one_fold},
    }
    folder = root / f"rsna-2024-{name}"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(cfg))
    (folder / "splits.csv").write_text("study_id,split,fold\n" + "".join(
        f"{s},validation,{f}\n{s + 1},train,{f}\n" for f in range(1, folds + 1) for s in (10 * f,)))
    saved = dict(cfg["model"])
    saved["args"] = {**cfg["model"]["args"], "rnn_hidden_size": saved_hidden}
    for k in range(1, (1 if one_fold else folds) + 1):
        torch.save(build_seed_model(saved).state_dict(), folder / f"{folder.name}-cv{k}_best.pt")
    return folder


def test_reads_a_folder_and_loads_its_folds_strictly(tmp_path: Path) -> None:
    folder = read_seed_folder(_seed_folder(tmp_path, "ok", 8, 8))
    assert folder.role == "classifier-foraminal" and folder.sample_shape == (1, 5, 32, 32)
    assert [c.seed_fold for c in folder.checkpoints] == [1, 2]
    assert folder.classes == ("NORMAL_MILD", "MODERATE", "SEVERE")
    for ckpt in folder.checkpoints:
        load_checkpoint(folder.build(), ckpt)


def test_one_fold_config_needs_only_cv1(tmp_path: Path) -> None:
    folder = read_seed_folder(_seed_folder(tmp_path, "one", 8, 8, folds=5, one_fold=True))
    assert [c.seed_fold for c in folder.checkpoints] == [1]


def test_missing_fold_is_named(tmp_path: Path) -> None:
    path = _seed_folder(tmp_path, "gap", 8, 8, folds=3)
    (path / f"{path.name}-cv2_best.pt").unlink()
    with pytest.raises(SeedFolderError, match=r"missing fold 2: rsna-2024-gap-cv2_best\.pt not found"):
        read_seed_folder(path)


def test_config_weight_mismatch_names_key_and_shapes(tmp_path: Path) -> None:
    folder = read_seed_folder(_seed_folder(tmp_path, "mismatch", 16, 8))
    with pytest.raises(SeedFolderError, match=r"model\.rnn\.weight_ih_l0 has shape \[24, 512\] in the checkpoint, "
                                              r"the config's network needs \[48, 512\]"):
        load_checkpoint(folder.build(), folder.checkpoints[0])


def test_truncated_checkpoint_is_reported(tmp_path: Path) -> None:
    path = _seed_folder(tmp_path, "cut", 8, 8)
    ckpt = path / f"{path.name}-cv1_best.pt"
    ckpt.write_bytes(ckpt.read_bytes()[:100_000])
    folder = read_seed_folder(path)
    with pytest.raises(SeedFolderError, match=r"not a readable PyTorch checkpoint \(100000 bytes; truncated"):
        load_checkpoint(folder.build(), folder.checkpoints[0])


def test_study_model_and_unknown_pairs_are_refused(tmp_path: Path) -> None:
    path = _seed_folder(tmp_path, "study", 8, 8)
    cfg = json.loads((path / "config.json").read_text())
    cfg["model"]["type"] = "StudyROIModel"
    (path / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(SeedFolderError, match="not part of the seed's ensemble"):
        read_seed_folder(path)
    cfg["model"]["type"], cfg["dataset"]["type"] = "ForaminalROIModel", "SpinalROIDataset"
    (path / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(SeedFolderError, match="unknown architecture"):
        read_seed_folder(path)


@pytest.mark.parametrize("role,seed_type", [("classifier-spinal", "SpinalROIModel"),
                                            ("classifier-foraminal", "ForaminalROIModel"),
                                            ("classifier-subarticular", "SubarticularROIModel"),
                                            ("classifier-global", "GlobalROIModel")])
def test_full_config_classifiers_are_the_seed_networks(role: str, seed_type: str) -> None:
    from spinetrainer.configs import CONFIGS
    from spinetrainer.fit_classifier import build_classifier
    from spinetrainer.loop import RunContext
    from spinetrainer.progress import CancelToken, Progress

    cfg = CONFIGS["full"].classifiers[role]
    ctx = RunContext(device=torch.device("cpu"), progress=Progress(), cancel=CancelToken(), seed=0)
    trained = build_classifier(role, cfg, "resnet18", ctx).state_dict()
    slots = {"SpinalROIModel": [1, 1], "GlobalROIModel": [1, 1, 1]}.get(seed_type, 1)
    seed = build_seed_model({"type": seed_type, "args": {"base_model": "resnet18", "in_channels": slots,
                                                         "num_classes": 15 if "Global" in seed_type else 3}})
    assert [(k, tuple(v.shape)) for k, v in trained.items()] == \
        [(k, tuple(v.shape)) for k, v in seed.state_dict().items()]


@pytest.mark.parametrize("role,channels", [("keypoints-sagittal-t2", 5), ("keypoints-axial", 3)])
def test_full_config_keypoint_models_are_the_seed_coord_model(role: str, channels: int) -> None:
    from spinetrainer.configs import CONFIGS
    from spinetrainer.fit_keypoints import build_keypoint_model

    trained = build_keypoint_model(role, channels, CONFIGS["full"].keypoints[role]).state_dict()
    seed = build_seed_model({"type": "CoordModel", "args": {"base_model": "DeepLabV3Plus", "encoder_name": "resnet34",
                                                            "num_classes": 2 if "axial" in role else 5,
                                                            "in_channels": channels}}).state_dict()
    assert [(k, tuple(v.shape)) for k, v in trained.items()] == [(k, tuple(v.shape)) for k, v in seed.items()]
