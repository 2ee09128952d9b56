"""Write a trained checkpoint as an EasyOCR custom-recogniser folder.

EasyOCR loads `<name>.yaml` and `<name>.py` from `user_network_directory` and `<name>.pth` from
`model_storage_directory`; we keep all three in one folder (models/ocr/).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from offline.ocr_training import easyocr_network
from offline.ocr_training.network import IMG_H, load_trained, network_params
from offline.synth.formats import CHARSET

NETWORK_NAME = "platewatch_plates"


def network_source() -> str:
    """The network definition EasyOCR imports: `easyocr_network.py`, byte for byte."""
    return Path(easyocr_network.__file__).read_text(encoding="utf-8")


def network_yaml(params: dict[str, int], img_h: int = IMG_H) -> dict[str, object]:
    return {
        "network_params": dict(params),
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
    params = network_params(load_trained(pth))
    py.write_text(network_source(), encoding="utf-8")
    yml.write_text(yaml.safe_dump(network_yaml(params, img_h), sort_keys=False), encoding="utf-8")
    return [pth, py, yml]
