"""PlateWatch plate recogniser network, loaded by EasyOCR as a custom `recog_network`.

EasyOCR's generation-2 CRNN (VGG + 2 BiLSTM + linear, easyocr.model.vgg_model) with the sizes
given in the network yaml, run with channels-last convolutions. This file is copied verbatim
beside the weights as `platewatch_plates.py` (detect/ocr_training/export.py), so it imports
nothing but torch and easyocr: EasyOCR loads it without PlateWatch installed.
"""

import torch
from easyocr.model.vgg_model import Model as VGGModel

__all__ = ["Model"]


class Model(VGGModel):  # type: ignore[misc]
    def __init__(self, input_channel: int, output_channel: int, hidden_size: int, num_class: int) -> None:
        super().__init__(input_channel, output_channel, hidden_size, num_class)
        # oneDNN runs these small-batch convolutions about a fifth faster in NHWC on the CPU. The
        # layout survives EasyOCR's load_state_dict, which copies into the existing tensors.
        self.FeatureExtraction.to(memory_format=torch.channels_last)

    def forward(self, input: torch.Tensor, text: object) -> torch.Tensor:  # noqa: A002 (EasyOCR's name)
        out: torch.Tensor = super().forward(input.contiguous(memory_format=torch.channels_last), text)
        return out
