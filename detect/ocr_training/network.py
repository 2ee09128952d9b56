"""The recogniser network: EasyOCR's generation-2 CRNN (VGG + 2 BiLSTM + linear), plate alphabet.

The architecture is english_g2's unchanged, so its trained weights start us off; only the output
layer shrinks to CTC blank + 36 characters, keeping english_g2's own rows for those characters.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import torch
from torch import nn

from detect.synth.formats import CHARSET

ENGLISH_G2_IMG_H = 64  # english_g2's input height
# Our input height: EasyOCR resizes every crop to it (the network yaml's imgH). Three quarters of
# english_g2's: about 56 % of the convolution work and 75 % of the LSTM steps. 32 px was tried
# and learnt far more slowly from english_g2's 64 px features (held-out synthetic accuracy 0.41
# after 300 steps, against 0.60 after 150 at 48 px).
IMG_H = 48
NETWORK_PARAMS: dict[str, int] = {"input_channel": 1, "output_channel": 256, "hidden_size": 256}
# english_g2's alphabet (easyocr/config.py); output row i + 1 is character i, row 0 the CTC blank.
ENGLISH_G2_CHARACTERS = (
    "0123456789!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ €ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)


def build_model() -> nn.Module:
    from easyocr.model.vgg_model import Model

    model: nn.Module = Model(num_class=len(CHARSET) + 1, **NETWORK_PARAMS)
    return model


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
    model = build_model()
    state = _strip_module_prefix(torch.load(path, map_location="cpu", weights_only=True))
    model.load_state_dict(
        OrderedDict((k, v.float() if v.is_floating_point() else v) for k, v in state.items())
    )
    return model
