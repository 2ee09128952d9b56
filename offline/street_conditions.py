"""Street-camera conditions for a labelled still: the plate brought to a target width, then degraded.

Each condition has one stated strength, applied at the target resolution (a street camera blurs and
compresses what it captures at that resolution, not the high-resolution original):

- `clean`: only the resize (area interpolation, what a smaller sensor footprint gives);
- `gaussian`: defocus, Gaussian blur of sigma `GAUSSIAN_SIGMA_PX`;
- `motion5`, `motion9`: horizontal motion blur, a normalised 1 x N box kernel of 5 and 9 px
  (a car at walking pace under a 1/50 s night exposure smears a 64 px plate by about that much);
- `night`: greyscale, dark gamma (`NIGHT_GAMMA`, then scaled to `NIGHT_GAIN` of full range), sensor
  noise (Gaussian, sigma `NIGHT_NOISE_SIGMA` grey levels, seeded);
- `jpeg`: JPEG at quality `JPEG_QUALITY` (a busy NVR stream).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

ImageBGR = npt.NDArray[np.uint8]
BoxXYXY = tuple[float, float, float, float]

CONDITIONS = ("clean", "gaussian", "motion5", "motion9", "night", "jpeg")
WIDTHS = (48, 64, 80, 120)
GAUSSIAN_SIGMA_PX = 1.0
MOTION_PX = {"motion5": 5, "motion9": 9}
NIGHT_GAMMA = 2.2
NIGHT_GAIN = 0.6
NIGHT_NOISE_SIGMA = 6.0
JPEG_QUALITY = 20
# Scene kept around the plate box, in plate widths left/right and plate heights above/below: the
# rectifier grows the box and a reader sees the bumper around it, as on a real crop.
CONTEXT_WIDTHS = 0.5
CONTEXT_HEIGHTS = 1.5


class UnknownConditionError(ValueError):
    """A condition name not in `CONDITIONS`."""


@dataclass(frozen=True, slots=True)
class ScaledPlate:
    image: ImageBGR  # the scene around the plate, resized so the plate has the target width
    box: BoxXYXY  # the plate box in `image`


def check_conditions(names: Sequence[str]) -> list[str]:
    """`names` validated against `CONDITIONS`; raises `UnknownConditionError` naming the bad ones."""
    unknown = [n for n in names if n not in CONDITIONS]
    if unknown:
        raise UnknownConditionError(
            f"unknown conditions {', '.join(unknown)}; choose from {', '.join(CONDITIONS)}"
        )
    return list(names)


def scale_to_plate_width(image: ImageBGR, box: BoxXYXY, width: int) -> ScaledPlate:
    """Cut the scene around `box` (see `CONTEXT_*`) and resize it so the plate is `width` px wide."""
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    if bw <= 1 or bh <= 1 or width < 8:
        raise ValueError(f"cannot scale plate box {box} to {width} px")
    h, w = image.shape[:2]
    cx0 = int(max(0, np.floor(x0 - CONTEXT_WIDTHS * bw)))
    cy0 = int(max(0, np.floor(y0 - CONTEXT_HEIGHTS * bh)))
    cx1 = int(min(w, np.ceil(x1 + CONTEXT_WIDTHS * bw)))
    cy1 = int(min(h, np.ceil(y1 + CONTEXT_HEIGHTS * bh)))
    region = image[cy0:cy1, cx0:cx1]
    scale = width / bw
    size = (max(8, round((cx1 - cx0) * scale)), max(8, round((cy1 - cy0) * scale)))
    # Area interpolation when shrinking (what fewer sensor pixels see); cubic for the rare upscale.
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    resized = np.asarray(cv2.resize(region, size, interpolation=interp), dtype=np.uint8)
    sx, sy = size[0] / (cx1 - cx0), size[1] / (cy1 - cy0)
    scaled_box = ((x0 - cx0) * sx, (y0 - cy0) * sy, (x1 - cx0) * sx, (y1 - cy0) * sy)
    return ScaledPlate(resized, scaled_box)


def motion_kernel(length: int) -> npt.NDArray[np.float32]:
    """Horizontal motion blur: a 1 x `length` box, normalised."""
    if length < 1:
        raise ValueError(f"motion blur length must be >= 1 px, got {length}")
    return np.full((1, length), 1.0 / length, dtype=np.float32)


def gaussian_blur(image: ImageBGR, sigma: float = GAUSSIAN_SIGMA_PX) -> ImageBGR:
    return np.asarray(cv2.GaussianBlur(image, (0, 0), sigma), dtype=np.uint8)


def motion_blur(image: ImageBGR, length: int) -> ImageBGR:
    return np.asarray(
        cv2.filter2D(image, -1, motion_kernel(length), borderType=cv2.BORDER_REPLICATE), dtype=np.uint8
    )


def night(image: ImageBGR, rng: np.random.Generator) -> ImageBGR:
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0
    dark = 255.0 * NIGHT_GAIN * np.power(grey, NIGHT_GAMMA)
    noisy = dark + rng.normal(0.0, NIGHT_NOISE_SIGMA, dark.shape).astype(np.float32)
    out = np.clip(np.rint(noisy), 0, 255).astype(np.uint8)
    return np.ascontiguousarray(np.repeat(out[..., None], 3, axis=2))


def jpeg(image: ImageBGR, quality: int = JPEG_QUALITY) -> ImageBGR:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("OpenCV could not JPEG-encode the image")
    return np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR), dtype=np.uint8)


def apply_condition(image: ImageBGR, condition: str, rng: np.random.Generator) -> ImageBGR:
    """`image` under `condition` at its stated strength (module docstring)."""
    if condition == "clean":
        return image
    if condition == "gaussian":
        return gaussian_blur(image)
    if condition in MOTION_PX:
        return motion_blur(image, MOTION_PX[condition])
    if condition == "night":
        return night(image, rng)
    if condition == "jpeg":
        return jpeg(image)
    raise UnknownConditionError(f"unknown condition {condition!r}; choose from {', '.join(CONDITIONS)}")
