"""Write a trained checkpoint as an EasyOCR custom-recogniser folder.

EasyOCR loads `<name>.yaml` and `<name>.py` from `user_network_directory` and `<name>.pth` from
`model_storage_directory`; we keep all three in one folder (models/ocr/).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from detect.ocr_training.network import IMG_H, NETWORK_PARAMS
from detect.synth.formats import CHARSET

NETWORK_NAME = "platewatch_plates"

NETWORK_SOURCE = '''"""PlateWatch plate recogniser network, loaded by EasyOCR as a custom `recog_network`.

Same architecture as EasyOCR's english_g2 (VGG + 2 BiLSTM + linear); only the alphabet differs.
"""

from easyocr.model.vgg_model import Model

__all__ = ["Model"]
'''


def network_yaml(img_h: int = IMG_H) -> dict[str, object]:
    return {
        "network_params": dict(NETWORK_PARAMS),
        "imgH": img_h,
        "lang_list": ["en"],
        "character_list": CHARSET,
    }


def export_folder(checkpoint: Path, folder: Path, name: str = NETWORK_NAME, img_h: int = IMG_H) -> list[Path]:
    """Copy the checkpoint and write the network definition; returns the files written."""
    if not checkpoint.is_file():
        raise FileNotFoundError(f"checkpoint {checkpoint} does not exist")
    folder.mkdir(parents=True, exist_ok=True)
    pth, py, yml = folder / f"{name}.pth", folder / f"{name}.py", folder / f"{name}.yaml"
    if checkpoint.resolve() != pth.resolve():
        shutil.copyfile(checkpoint, pth)
    py.write_text(NETWORK_SOURCE, encoding="utf-8")
    yml.write_text(yaml.safe_dump(network_yaml(img_h), sort_keys=False), encoding="utf-8")
    return [pth, py, yml]
