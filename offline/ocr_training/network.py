"""The recogniser network: EasyOCR's generation-2 CRNN (VGG + 2 BiLSTM + linear), plate alphabet.

english_g2's architecture, so its trained weights start us off: the output layer shrinks to CTC
blank + 36 characters, keeping english_g2's own rows for those characters, and the network can be
pruned to fewer channels and LSTM units (`prune`) before fine-tuning, keeping the channels that
carry most of the signal. The class itself lives in `easyocr_network` (copied beside the weights).
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import torch
from torch import nn

from offline.synth.formats import CHARSET

ENGLISH_G2_IMG_H = 64  # english_g2's input height
# Our input height: EasyOCR resizes every crop to it (the network yaml's imgH). Three quarters of
# english_g2's: about 56 % of the convolution work and 75 % of the LSTM steps. 32 px was tried
# and learnt far more slowly from english_g2's 64 px features (held-out synthetic accuracy 0.41
# after 300 steps, against 0.60 after 150 at 48 px).
IMG_H = 48
ENGLISH_G2_PARAMS: dict[str, int] = {"input_channel": 1, "output_channel": 256, "hidden_size": 256}
# Three quarters of english_g2's channels and LSTM units: about 55 % of its per-plate time on a
# 2-core CPU. The plate alphabet and plate layouts need far less capacity than english_g2's
# 97 characters of free text, and the smaller network also trains more steps per hour.
NETWORK_PARAMS: dict[str, int] = {"input_channel": 1, "output_channel": 192, "hidden_size": 192}
# english_g2's alphabet (easyocr/config.py); output row i + 1 is character i, row 0 the CTC blank.
ENGLISH_G2_CHARACTERS = (
    "0123456789!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ €ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)


def build_model(
    output_channel: int = ENGLISH_G2_PARAMS["output_channel"],
    hidden_size: int = ENGLISH_G2_PARAMS["hidden_size"],
) -> nn.Module:
    """The plate-alphabet network, english_g2's size unless told (a fresh one is then pruned to ours)."""
    from offline.ocr_training.easyocr_network import Model

    if output_channel % 8:
        raise ValueError(
            f"output_channel must be a multiple of 8 (VGG uses /8, /4, /2), got {output_channel}"
        )
    model: nn.Module = Model(
        input_channel=1, output_channel=output_channel, hidden_size=hidden_size, num_class=len(CHARSET) + 1
    )
    return model


def network_params(model: nn.Module) -> dict[str, int]:
    """The yaml `network_params` that rebuild `model`'s shape."""
    last_conv = model.get_submodule("FeatureExtraction.ConvNet.18")
    prediction = model.get_submodule("Prediction")
    assert isinstance(last_conv, nn.Conv2d) and isinstance(prediction, nn.Linear)
    return {
        "input_channel": 1,
        "output_channel": int(last_conv.out_channels),
        "hidden_size": int(prediction.in_features),
    }


def _strip_module_prefix(state: dict[str, torch.Tensor]) -> OrderedDict[str, torch.Tensor]:
    return OrderedDict((k.removeprefix("module."), v) for k, v in state.items())


def english_g2_rows(charset: str = CHARSET) -> list[int]:
    """Rows of english_g2's output layer for [blank] + charset."""
    missing = [c for c in charset if c not in ENGLISH_G2_CHARACTERS]
    if missing:
        raise ValueError(f"characters {missing} are not in english_g2's alphabet")
    return [0] + [ENGLISH_G2_CHARACTERS.index(c) + 1 for c in charset]


def init_from_english_g2(model: nn.Module, weights: Path) -> None:
    """Load english_g2.pth into `model`, keeping only the output rows for blank + A-Z0-9."""
    state = _strip_module_prefix(torch.load(weights, map_location="cpu", weights_only=True))
    rows = torch.tensor(english_g2_rows())
    expected = len(ENGLISH_G2_CHARACTERS) + 1
    if state["Prediction.weight"].shape[0] != expected:
        raise ValueError(
            f"{weights} has {state['Prediction.weight'].shape[0]} output classes, english_g2 has {expected}"
        )
    state["Prediction.weight"] = state["Prediction.weight"][rows].clone()
    state["Prediction.bias"] = state["Prediction.bias"][rows].clone()
    model.load_state_dict(state)


def save_for_easyocr(model: nn.Module, path: Path, *, half: bool = True) -> None:
    """EasyOCR strips a 7-character `module.` prefix from every key when it loads on CPU.

    fp16 storage halves the file; load_state_dict copies it back into the fp32 parameters.
    """
    state = OrderedDict(
        ("module." + k, (v.half() if half and v.is_floating_point() else v).detach().cpu().clone())
        for k, v in model.state_dict().items()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, path)


def load_trained(path: Path) -> nn.Module:
    """One of our checkpoints, whatever its size (read off the stored tensors)."""
    state = _strip_module_prefix(torch.load(path, map_location="cpu", weights_only=True))
    model = build_model(
        output_channel=int(state["FeatureExtraction.ConvNet.18.weight"].shape[0]),
        hidden_size=int(state["Prediction.weight"].shape[1]),
    )
    model.load_state_dict(
        OrderedDict((k, v.float() if v.is_floating_point() else v) for k, v in state.items())
    )
    return model
