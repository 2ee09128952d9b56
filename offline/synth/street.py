"""Street-camera degradations at real strength, as a generator option (`StreetDegradation`).

What a residential-road CCTV camera does to a plate, each with a stated maximum:
- perspective: the plate turned about its vertical axis (camera to the side) up to `max_yaw_deg`
  (35 deg), and tilted about its horizontal axis up to a third of that;
- infrared night: near-IR greyscale, the retroreflective plate face blooming into its surroundings
  (a Gaussian halo of the bright area, `bloom_sigma_frac` of the plate height, gain `bloom_gain`);
- rain: slanted bright streaks over the crop and a slight veil of contrast loss;
- low resolution: the plate brought to a width between `min_width_px` (40) and `max_width_px`;
- motion blur: horizontal, up to `max_motion_frac` (a tenth) of the plate width, applied at that
  resolution (the exposure smears what the sensor sees);
- a loose detector box: independent random margins of car body on each side (`max_margin_frac`);
- sensor noise and JPEG.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from offline.synth.render import RenderedPlate
from offline.synth.render_base import ImageBGR


@dataclass(frozen=True, slots=True)
class StreetDegradation:
    max_yaw_deg: float = 35.0
    min_width_px: int = 40
    max_width_px: int = 160
    max_motion_frac: float = 0.1
    night_probability: float = 0.35
    bloom_sigma_frac: float = 0.25
    bloom_gain: float = 0.8
    rain_probability: float = 0.3
    rain_streaks_per_kpx: float = 1.5  # streaks per 1,000 px of the crop
    # A detector's loose box: each side independently up to this share of the plate's width
    # (left/right) or height (top/bottom) of surround, or cut into the plate's blank margin.
    max_margin_frac: float = 0.3

    def __post_init__(self) -> None:
        if not 0 <= self.max_yaw_deg < 80:
            raise ValueError(f"max_yaw_deg must be in [0, 80), got {self.max_yaw_deg}")
        if not 8 <= self.min_width_px <= self.max_width_px:
            raise ValueError(
                f"need 8 <= min_width_px <= max_width_px, got {self.min_width_px}, {self.max_width_px}"
            )
        if not 0 <= self.max_margin_frac <= 1:
            raise ValueError(f"max_margin_frac must be in [0, 1], got {self.max_margin_frac}")
        if not 0 <= self.max_motion_frac <= 0.5:
            raise ValueError(f"max_motion_frac must be in [0, 0.5], got {self.max_motion_frac}")
        for name in ("night_probability", "rain_probability"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be a probability, got {getattr(self, name)}")


def _u8(img: npt.NDArray[np.floating] | ImageBGR) -> ImageBGR:
    return np.asarray(np.clip(img, 0, 255), dtype=np.uint8)


def perspective(
    plate: ImageBGR, yaw_deg: float, pitch_deg: float = 0.0, surround: tuple[int, int, int] = (110, 110, 110)
) -> tuple[ImageBGR, np.ndarray]:  # type: ignore[type-arg]
    """The plate seen turned by `yaw_deg` about its vertical axis (and `pitch_deg` about its
    horizontal one) by a pinhole camera with a focal length of twice the plate width; returns the
    warped plate on a `surround` colour (neutral grey by default), cut to the warped outline,
    and its 4 corners there."""
    h, w = plate.shape[:2]
    f = 2.0 * w
    yaw, pitch = np.deg2rad(yaw_deg), np.deg2rad(pitch_deg)
    ry = np.array([[np.cos(yaw), 0, np.sin(yaw)], [0, 1, 0], [-np.sin(yaw), 0, np.cos(yaw)]])
    rx = np.array([[1, 0, 0], [0, np.cos(pitch), -np.sin(pitch)], [0, np.sin(pitch), np.cos(pitch)]])
    corners = np.array([[-w / 2, -h / 2, 0], [w / 2, -h / 2, 0], [w / 2, h / 2, 0], [-w / 2, h / 2, 0]])
    cam = corners @ (ry @ rx).T + np.array([0, 0, f])
    proj = cam[:, :2] * f / cam[:, 2:3]
    proj -= proj.min(axis=0)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    dst = proj.astype(np.float32)
    out_w, out_h = int(np.ceil(dst[:, 0].max())) + 1, int(np.ceil(dst[:, 1].max())) + 1
    m = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(plate, m, (out_w, out_h), flags=cv2.INTER_LINEAR, borderValue=surround)
    return np.asarray(warped, dtype=np.uint8), dst


def loose_crop(
    img: ImageBGR, rng: np.random.Generator, max_frac: float, surround: tuple[int, int, int]
) -> ImageBGR:
    """The warped plate as a detector boxes it: random, independent margins on each side (car
    body of the surround colour, with a bumper edge), sometimes a side cut into the plate's margin."""
    h, w = img.shape[:2]
    sides = []
    # Cutting in stays within every layout's blank margin: 1.5 % of the width, 8 % of the height.
    for extent, cut in ((h, 0.08), (h, 0.08), (w, 0.015), (w, 0.015)):  # top, bottom, left, right
        frac = float(rng.uniform(-cut, max_frac)) if rng.random() < 0.85 else 0.0
        sides.append(int(round(frac * extent)))
    top, bottom, left, right = sides
    out = cv2.copyMakeBorder(
        img, max(0, top), max(0, bottom), max(0, left), max(0, right), cv2.BORDER_CONSTANT, value=surround
    )
    if top > 2 and rng.random() < 0.5:
        y = int(rng.integers(0, top))
        out[y : y + max(1, top // 4)] = np.clip(out[y : y + max(1, top // 4)] * rng.uniform(0.4, 1.5), 0, 255)
    y0, x0 = max(0, -top), max(0, -left)
    y1, x1 = out.shape[0] - max(0, -bottom), out.shape[1] - max(0, -right)
    return np.ascontiguousarray(out[y0:y1, x0:x1], dtype=np.uint8)


def infrared_bloom(img: ImageBGR, sigma_px: float, gain: float, rng: np.random.Generator) -> ImageBGR:
    """Near-IR night: greyscale where yellow and white reflect alike, a dark scene, and the bright
    retroreflective face bleeding light into everything around it (`sigma_px` halo, `gain`)."""
    f = img.astype(np.float32)
    grey = 0.1 * f[..., 0] + 0.45 * f[..., 1] + 0.45 * f[..., 2]
    bright = (grey > 140).astype(np.float32)
    lit = np.where(bright > 0, 235.0, grey * 0.35)
    halo = cv2.GaussianBlur(bright * 255.0, (0, 0), max(0.5, sigma_px))
    out = lit + gain * halo * (1.0 - bright)
    out += rng.normal(0.0, 6.0, out.shape)
    g = _u8(out)
    return np.ascontiguousarray(np.repeat(g[..., None], 3, axis=2))


def rain(img: ImageBGR, rng: np.random.Generator, streaks_per_kpx: float) -> ImageBGR:
    """Slanted bright rain streaks (`streaks_per_kpx` per 1,000 px) and a contrast-losing veil."""
    h, w = img.shape[:2]
    layer = np.zeros((h, w), np.float32)
    n = int(round(streaks_per_kpx * h * w / 1000.0))
    angle = float(rng.uniform(-0.35, 0.35))
    for _ in range(n):
        x, y = float(rng.uniform(0, w)), float(rng.uniform(0, h))
        length = float(rng.uniform(0.1, 0.3)) * h
        x2, y2 = x + length * np.sin(angle), y + length * np.cos(angle)
        cv2.line(layer, (int(x), int(y)), (int(x2), int(y2)), float(rng.uniform(0.4, 0.9)), 1, cv2.LINE_AA)
    veil = float(rng.uniform(0.05, 0.2))
    f = img.astype(np.float32) * (1 - veil) + 180.0 * veil
    f = f * (1 - layer[..., None]) + 230.0 * layer[..., None]
    return _u8(f)


def motion_blur(img: ImageBGR, length: int) -> ImageBGR:
    """Horizontal motion blur over `length` px (a normalised 1 x length box)."""
    if length <= 1:
        return img
    kernel = np.full((1, length), 1.0 / length, np.float32)
    return np.asarray(cv2.filter2D(img, -1, kernel, borderType=cv2.BORDER_REPLICATE), dtype=np.uint8)


def resize_to_width(img: ImageBGR, width: int) -> ImageBGR:
    h, w = img.shape[:2]
    height = max(4, int(round(h * width / w)))
    interp = cv2.INTER_AREA if width < w else cv2.INTER_CUBIC
    return np.asarray(cv2.resize(img, (width, height), interpolation=interp), dtype=np.uint8)


def street_degrade(plate: RenderedPlate, rng: np.random.Generator, options: StreetDegradation) -> ImageBGR:
    """A clean plate as a street camera records it (module docstring), BGR uint8."""
    yaw = float(rng.uniform(-options.max_yaw_deg, options.max_yaw_deg))
    pitch = float(rng.uniform(-options.max_yaw_deg, options.max_yaw_deg)) / 3.0
    surround = tuple(int(v) for v in rng.integers(20, 220, 3))
    img, corners = perspective(plate.image, yaw, pitch, surround)  # type: ignore[arg-type]
    img = loose_crop(img, rng, options.max_margin_frac, surround)  # type: ignore[arg-type]
    if rng.random() < options.night_probability:
        sigma = options.bloom_sigma_frac * plate.image.shape[0]
        img = infrared_bloom(img, sigma, options.bloom_gain * float(rng.uniform(0.5, 1.0)), rng)
    if rng.random() < options.rain_probability:
        img = rain(img, rng, options.rain_streaks_per_kpx)
    plate_w = float(corners[:, 0].max() - corners[:, 0].min())
    target = float(np.exp(rng.uniform(np.log(options.min_width_px), np.log(options.max_width_px))))
    img = resize_to_width(img, max(8, int(round(img.shape[1] * target / plate_w))))
    length = int(rng.integers(0, int(options.max_motion_frac * target) + 1))
    img = motion_blur(img, length)
    img = _u8(img.astype(np.float32) + rng.normal(0, float(rng.uniform(1, 8)), img.shape))
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(20, 90))])
    return np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR), dtype=np.uint8) if ok else img
