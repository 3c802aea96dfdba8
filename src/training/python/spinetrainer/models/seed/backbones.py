"""timm 0.9.2 backbones the seed's ROI models use, with `num_classes=0` (pooled features, no classifier).

resnet18 (timm.models.resnet), swin_tiny_patch4_window7_224 (timm.models.swin_transformer) and convnext_nano
(timm.models.convnext): module names, parameter/buffer shapes and forward arithmetic as in timm 0.9.2 (non-fused
attention, exact GELU, LayerNorm eps 1e-5 for Swin and 1e-6 for ConvNeXt).
"""
from __future__ import annotations

from typing import Dict, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from ..resnet import RESNET_LAYERS, ResNetEncoder

# name -> the ROI size the seed trains it at (Swin's window grid fixes 224; resnet18 runs at the config's 128)
BACKBONE_INPUT_SIZES: Dict[str, Optional[int]] = {
    "resnet18": None, "swin_tiny_patch4_window7_224": 224, "convnext_nano": None,
}


class Backbone(nn.Module):
    num_features: int


class TimmResNet18(ResNetEncoder):
    """timm resnet18: torchvision's layout (conv1/bn1/layer1-4, BasicBlock), global average pool."""

    def __init__(self, in_chans: int) -> None:
        super().__init__(RESNET_LAYERS["resnet18"], in_channels=in_chans)
        self.num_features = 512

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return super().forward(x)[4].mean(dim=(2, 3))


# ---------------------------------------------------------------- Swin-T (patch 4, window 7, 224)

def _window_partition(x: torch.Tensor, ws: int) -> torch.Tensor:
    b, h, w, c = x.shape
    x = x.view(b, h // ws, ws, w // ws, ws, c)
    return x.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, ws, ws, c)


def _window_reverse(windows: torch.Tensor, ws: int, h: int, w: int) -> torch.Tensor:
    c = windows.shape[-1]
    x = windows.view(-1, h // ws, w // ws, ws, ws, c)
    return x.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, h, w, c)


def _relative_position_index(ws: int) -> torch.Tensor:
    coords = torch.stack(torch.meshgrid([torch.arange(ws), torch.arange(ws)], indexing="ij")).flatten(1)
    rel = (coords[:, :, None] - coords[:, None, :]).permute(1, 2, 0).contiguous()
    rel[:, :, 0] += ws - 1
    rel[:, :, 1] += ws - 1
    rel[:, :, 0] *= 2 * ws - 1
    return rel.sum(-1)


class _Mlp(nn.Module):
    def __init__(self, dim: int, hidden: int, conv: bool = False) -> None:
        super().__init__()
        self.fc1 = nn.Conv2d(dim, hidden, 1) if conv else nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Conv2d(hidden, dim, 1) if conv else nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.act(self.fc1(x)))


class _WindowAttention(nn.Module):
    def __init__(self, dim: int, heads: int, ws: int) -> None:
        super().__init__()
        self.heads, self.area = heads, ws * ws
        self.scale = (dim // heads) ** -0.5
        self.relative_position_bias_table = nn.Parameter(torch.zeros((2 * ws - 1) ** 2, heads))
        nn.init.trunc_normal_(self.relative_position_bias_table, std=0.02)
        self.register_buffer("relative_position_index", _relative_position_index(ws))
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor, mask: Optional[torch.Tensor]) -> torch.Tensor:
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, -1).permute(2, 0, 3, 1, 4).unbind(0)
        attn = (q * self.scale) @ k.transpose(-2, -1)
        bias = self.relative_position_bias_table[self.relative_position_index.view(-1)]
        attn = attn + bias.view(self.area, self.area, -1).permute(2, 0, 1).contiguous().unsqueeze(0)
        if mask is not None:
            nw = mask.shape[0]
            attn = attn.view(-1, nw, self.heads, n, n) + mask.unsqueeze(1).unsqueeze(0)
            attn = attn.view(-1, self.heads, n, n)
        x = (attn.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, n, -1)
        return self.proj(x)


class _SwinBlock(nn.Module):
    def __init__(self, dim: int, resolution: int, heads: int, ws: int, shift: int) -> None:
        super().__init__()
        if resolution <= ws:
            shift, ws = 0, resolution
        self.resolution, self.ws, self.shift = resolution, ws, shift
        self.norm1 = nn.LayerNorm(dim)
        self.attn = _WindowAttention(dim, heads, ws)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = _Mlp(dim, dim * 4)
        mask: Optional[torch.Tensor] = None
        if shift > 0:
            img = torch.zeros((1, resolution, resolution, 1))
            cnt = 0
            for h in (slice(0, -ws), slice(-ws, -shift), slice(-shift, None)):
                for w in (slice(0, -ws), slice(-ws, -shift), slice(-shift, None)):
                    img[:, h, w, :] = cnt
                    cnt += 1
            win = _window_partition(img, ws).view(-1, ws * ws)
            mask = win.unsqueeze(1) - win.unsqueeze(2)
            mask = mask.masked_fill(mask != 0, -100.0).masked_fill(mask == 0, 0.0)
        self.register_buffer("attn_mask", mask)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, h, w, c = x.shape
        shortcut = x
        x = self.norm1(x)
        if self.shift > 0:
            x = torch.roll(x, shifts=(-self.shift, -self.shift), dims=(1, 2))
        win = _window_partition(x, self.ws).view(-1, self.ws * self.ws, c)
        win = self.attn(win, self.attn_mask).view(-1, self.ws, self.ws, c)
        x = _window_reverse(win, self.ws, h, w)
        if self.shift > 0:
            x = torch.roll(x, shifts=(self.shift, self.shift), dims=(1, 2))
        x = (shortcut + x).reshape(b, -1, c)
        x = x + self.mlp(self.norm2(x))
        return x.reshape(b, h, w, c)


class _PatchMerging(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(4 * dim)
        self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, h, w, c = x.shape
        x = x.reshape(b, h // 2, 2, w // 2, 2, c).permute(0, 1, 3, 4, 2, 5).flatten(3)
        return self.reduction(self.norm(x))


class _SwinStage(nn.Module):
    def __init__(self, dim: int, out_dim: int, resolution: int, depth: int, heads: int, downsample: bool) -> None:
        super().__init__()
        self.downsample: nn.Module = _PatchMerging(dim) if downsample else nn.Identity()
        res = resolution // 2 if downsample else resolution
        self.blocks = nn.Sequential(*[_SwinBlock(out_dim, res, heads, 7, 0 if i % 2 == 0 else 3)
                                      for i in range(depth)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.blocks(self.downsample(x))


class _PatchEmbed(nn.Module):
    def __init__(self, in_chans: int, dim: int) -> None:
        super().__init__()
        self.proj = nn.Conv2d(in_chans, dim, 4, 4)
        self.norm = nn.LayerNorm(dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.proj(x).permute(0, 2, 3, 1))


class SwinTiny(nn.Module):
    """swin_tiny_patch4_window7_224: embed 96, depths (2, 2, 6, 2), heads (3, 6, 12, 24); input must be 224."""

    def __init__(self, in_chans: int, img_size: int = 224) -> None:
        super().__init__()
        depths, heads, dims = (2, 2, 6, 2), (3, 6, 12, 24), (96, 192, 384, 768)
        self.patch_embed = _PatchEmbed(in_chans, dims[0])
        grid, stages, prev = img_size // 4, [], dims[0]
        for i in range(4):
            stages.append(_SwinStage(prev, dims[i], grid, depths[i], heads[i], downsample=i > 0))
            if i > 0:
                grid //= 2
            prev = dims[i]
        self.layers = nn.Sequential(*stages)
        self.norm = nn.LayerNorm(dims[-1])
        self.num_features = dims[-1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.layers(self.patch_embed(x))).mean(dim=(1, 2))


# ---------------------------------------------------------------- ConvNeXt-nano (conv MLP)

class _LayerNorm2d(nn.LayerNorm):
    def __init__(self, channels: int) -> None:
        super().__init__(channels, eps=1e-6)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.layer_norm(x.permute(0, 2, 3, 1), self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class _ConvNeXtBlock(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.conv_dw = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)
        self.norm = _LayerNorm2d(dim)
        self.mlp = _Mlp(dim, dim * 4, conv=True)
        self.gamma = nn.Parameter(1e-6 * torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.mlp(self.norm(self.conv_dw(x)))
        return y.mul(self.gamma.reshape(1, -1, 1, 1)) + x


class _ConvNeXtStage(nn.Module):
    def __init__(self, cin: int, cout: int, depth: int, downsample: bool) -> None:
        super().__init__()
        self.downsample: nn.Module = (nn.Sequential(_LayerNorm2d(cin), nn.Conv2d(cin, cout, 2, 2)) if downsample
                                      else nn.Identity())
        self.blocks = nn.Sequential(*[_ConvNeXtBlock(cout) for _ in range(depth)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.blocks(self.downsample(x))


class _NormHead(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.norm = _LayerNorm2d(dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(x.mean(dim=(2, 3), keepdim=True)).flatten(1)


class ConvNeXtNano(nn.Module):
    """convnext_nano: depths (2, 2, 8, 2), dims (80, 160, 320, 640), conv MLP, layer scale, norm-then-pool head."""

    def __init__(self, in_chans: int) -> None:
        super().__init__()
        depths, dims = (2, 2, 8, 2), (80, 160, 320, 640)
        self.stem = nn.Sequential(nn.Conv2d(in_chans, dims[0], 4, 4), _LayerNorm2d(dims[0]))
        self.stages = nn.Sequential(*[_ConvNeXtStage(dims[max(i - 1, 0)], dims[i], depths[i], downsample=i > 0)
                                      for i in range(4)])
        self.head = _NormHead(dims[-1])
        self.num_features = dims[-1]
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.trunc_normal_(m.weight, std=0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.stages(self.stem(x)))


BACKBONES: Tuple[str, ...] = tuple(BACKBONE_INPUT_SIZES)


def create_backbone(name: str, in_chans: int) -> nn.Module:
    """timm.create_model(name, pretrained=False, in_chans=in_chans, num_classes=0), without timm."""
    if name == "resnet18":
        return TimmResNet18(in_chans)
    if name == "swin_tiny_patch4_window7_224":
        return SwinTiny(in_chans)
    if name == "convnext_nano":
        return ConvNeXtNano(in_chans)
    raise ValueError(f"unknown backbone {name!r}; the seed's are {', '.join(BACKBONES)}")
