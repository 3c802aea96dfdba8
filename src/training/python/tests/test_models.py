"""Network shapes, torchvision compatibility of the encoders, and local pretrained weights."""
from pathlib import Path

import pytest
import torch
import torchvision

from spinetrainer.models.classifier import RoiSequenceClassifier
from spinetrainer.models.deeplab import DeepLabV3Plus
from spinetrainer.models.resnet import PretrainedWeightsError, load_torchvision_resnet, resnet_encoder


@pytest.mark.parametrize("channels,maps,size", [(5, 5, 64), (3, 5, 96), (3, 2, 64)])
def test_deeplab_heatmaps_at_input_size(channels: int, maps: int, size: int) -> None:
    model = DeepLabV3Plus(channels, maps, encoder_width=8, decoder_channels=16).eval()
    with torch.no_grad():
        out = model(torch.randn(2, channels, size, size))
    assert out.shape == (2, maps, size, size)


def test_full_width_deeplab_encoder_is_output_stride_16() -> None:
    model = DeepLabV3Plus(5, 5)  # torchvision widths, decoder 256
    with torch.no_grad():
        feats = model.encoder.eval()(torch.randn(1, 5, 64, 64))
    assert [f.shape[-1] for f in feats] == [32, 16, 8, 4, 4]
    assert feats[4].shape[1] == 512


@pytest.mark.parametrize("name", ["resnet18", "resnet34"])
def test_encoder_matches_torchvision_parameters(name: str) -> None:
    ours = {k: v.shape for k, v in resnet_encoder(name, 64, 3).state_dict().items()}
    theirs = {k: v.shape for k, v in getattr(torchvision.models, name)().state_dict().items()
              if not k.startswith("fc.")}
    assert ours == theirs


def test_pretrained_weights_load_with_adapted_first_conv(tmp_path: Path) -> None:
    reference = torchvision.models.resnet34()
    path = tmp_path / "resnet34.pth"
    torch.save(reference.state_dict(), path)
    model = DeepLabV3Plus(5, 5)
    load_torchvision_resnet(model.encoder, path)
    w = reference.conv1.weight
    assert torch.allclose(model.encoder.conv1.weight[:, 0], w[:, 0] * 3 / 5)
    assert torch.allclose(model.encoder.conv1.weight[:, 3], w[:, 0] * 3 / 5)
    assert torch.equal(model.encoder.layer3[2].conv2.weight, reference.layer3[2].conv2.weight)


def test_pretrained_weights_refused_for_shrunk_encoder(tmp_path: Path) -> None:
    path = tmp_path / "resnet34.pth"
    torch.save(torchvision.models.resnet34().state_dict(), path)
    with pytest.raises(PretrainedWeightsError, match="width"):
        load_torchvision_resnet(DeepLabV3Plus(5, 5, encoder_width=16).encoder, path)


@pytest.mark.parametrize("rois,conditions", [(2, 1), (1, 1), (5, 5)])
def test_classifier_logits(rois: int, conditions: int) -> None:
    model = RoiSequenceClassifier(rois, conditions, "resnet18", width=8, gru_hidden=16, gru_layers=2).eval()
    with torch.no_grad():
        out = model(torch.randn(3, rois, 5, 32, 32))
    assert out.shape == (3, conditions * 3)


def test_classifier_rois_are_independent_of_batch_neighbours() -> None:
    model = RoiSequenceClassifier(5, 5, "resnet18", width=8, gru_hidden=16, gru_layers=1).eval()
    x = torch.randn(3, 5, 5, 32, 32)
    with torch.no_grad():
        assert torch.allclose(model(x)[1:2], model(x[1:2]), atol=1e-5)


@pytest.mark.parametrize("backbone", ["convnext_tiny", "swin_t"])
def test_transformer_era_backbones(backbone: str) -> None:
    model = RoiSequenceClassifier(1, 1, backbone, gru_hidden=16, gru_layers=1).eval()
    with torch.no_grad():
        assert model(torch.randn(1, 1, 2, 64, 64)).shape == (1, 3)
