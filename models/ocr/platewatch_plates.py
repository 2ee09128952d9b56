"""PlateWatch plate recogniser network, loaded by EasyOCR as a custom `recog_network`.

Same architecture as EasyOCR's english_g2 (VGG + 2 BiLSTM + linear); only the alphabet differs.
"""

from easyocr.model.vgg_model import Model

__all__ = ["Model"]
