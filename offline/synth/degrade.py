"""Camera-side degradation of a clean plate: what a street CCTV crop of that plate looks like.

Order matters and follows the imaging chain: things on the plate (bolts, dirt), the plate in
the scene (holder, perspective, the detector's loose crop, occlusion, glare), then the camera
(night/IR, optics and motion blur, low resolution, sensor noise, JPEG).
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from offline.synth.holder import add_holder, add_screws
from offline.synth.render import RenderedPlate
from offline.synth.render_base import BoxXYXY, ImageBGR

FloatImage = npt.NDArray[np.float32]


def _u8(img: FloatImage | npt.NDArray[np.floating]) -> ImageBGR:
    return np.clip(img, 0, 255).astype(np.uint8)


def add_dirt(plate: ImageBGR, rng: np.random.Generator) -> ImageBGR:
    h, w = plate.shape[:2]
    grid = rng.random((max(2, h // 20), max(2, w // 20))).astype(np.float32)
    blotch = cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
    strength = float(rng.uniform(0.1, 0.45))
    shade = 1.0 - strength * np.clip(blotch, 0, 1)[..., None]
    tint = np.asarray([0.85, 0.95, 1.0], np.float32)  # brownish road grime
    return _u8(plate.astype(np.float32) * (1.0 - (1.0 - shade) * (2.0 - tint)))


def place_in_scene(plate: ImageBGR, text_box: BoxXYXY, rng: np.random.Generator) -> ImageBGR:
    """Warp the plate into a car-body background and cut it out the way a plate detector would.

    Mostly the box is the plate's outline; sometimes it is tight around the characters, as hand
    labels (openalpr) and some detectors draw it.
    """
    h, w = plate.shape[:2]
    pad_x, pad_y = int(w * 0.45), int(h * 1.2)  # room for the warp: no plate part leaves the scene
    # Car paint: mostly greys and muted colours, sometimes a saturated one.
    grey = float(rng.uniform(10, 230))
    bg_colour = (grey + (rng.integers(0, 256, 3) - grey) * float(rng.uniform(0, 1) ** 2)).astype(np.float32)
    scene_h, scene_w = h + 2 * pad_y, w + 2 * pad_x
    scene = np.empty((scene_h, scene_w, 3), np.float32)
    scene[:] = bg_colour
    scene += rng.normal(0, float(rng.uniform(2, 15)), (scene_h, scene_w, 1)).astype(np.float32)
    # Bumper edges, the number-plate recess, grille slats: horizontal bands of other shades
    # above and below the plate.
    for _ in range(int(rng.integers(0, 4))):
        y0 = int(rng.uniform(0, scene_h))
        scene[y0 : y0 + int(h * rng.uniform(0.05, 0.4))] *= float(rng.uniform(0.3, 1.4))
    if rng.random() < 0.3:
        # A vertical shading: the bumper's curve catching the light.
        scene *= np.linspace(float(rng.uniform(0.5, 1.3)), float(rng.uniform(0.5, 1.3)), scene_h)[
            :, None, None
        ].astype(np.float32)

    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    jit = float(rng.choice([0.0, rng.uniform(0.0, 0.08), rng.uniform(0.05, 0.18)], p=[0.2, 0.55, 0.25]))
    dst = (
        src
        + np.array([pad_x, pad_y], dtype=np.float32)
        + rng.uniform(-jit, jit, (4, 2)).astype(np.float32) * np.array([w, h], dtype=np.float32)
    )
    # In-plane rotation (camera roll or a sloping plate).
    angle = np.deg2rad(float(rng.normal(0, 3)))
    centre = dst.mean(axis=0)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], dtype=np.float32)
    dst = ((dst - centre) @ rot.T + centre).astype(np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(plate, m, (scene_w, scene_h), flags=cv2.INTER_LINEAR)
    alpha = cv2.warpPerspective(np.ones((h, w), np.float32), m, (scene_w, scene_h), flags=cv2.INTER_LINEAR)
    scene = scene * (1 - alpha[..., None]) + warped.astype(np.float32) * alpha[..., None]

    style = rng.random()
    if style < 0.2:
        tx0, ty0, tx1, ty1 = text_box
        corners = np.array([[[tx0, ty0], [tx1, ty0], [tx1, ty1], [tx0, ty1]]], dtype=np.float32)
        outline = cv2.perspectiveTransform(corners, m)[0]
        lo_x, hi_x, lo_y, hi_y = (0.0, 0.05, 0.0, 0.15)
    elif style < 0.7:
        outline = dst
        lo_x, hi_x, lo_y, hi_y = (-0.02, 0.08, -0.05, 0.25)
    else:
        # A loose detector box, grown again by rectification: bumper above and below (less of it
        # for squarer plates, so the crop stays a plate-shaped box).
        outline = dst
        lo_x, hi_x, lo_y, hi_y = (0.02, 0.15, 0.1, 0.6 * min(1.0, w / h / 4.0))
    x0, y0 = outline.min(axis=0)
    x1, y1 = outline.max(axis=0)
    bw, bh = x1 - x0, y1 - y0
    mx = rng.uniform(lo_x, hi_x, 2) * bw
    my = rng.uniform(lo_y, hi_y, 2) * bh
    cx0, cx1 = int(max(0, x0 - mx[0])), int(min(scene_w, x1 + mx[1]))
    cy0, cy1 = int(max(0, y0 - my[0])), int(min(scene_h, y1 + my[1]))
    return _u8(scene[cy0:cy1, cx0:cx1])


def add_occlusion(img: ImageBGR, rng: np.random.Generator) -> ImageBGR:
    """A tow bar or bumper lip across the bottom of the crop: it may clip the foot of the
    characters but never hides a whole one (the label must stay readable)."""
    out = img.copy()
    h, w = out.shape[:2]
    colour = tuple(int(c) for c in rng.integers(0, 120, 3))
    cut = int(h * rng.uniform(0.04, 0.12))
    cv2.rectangle(out, (0, h - cut), (w, h), colour, -1)
    return out


def add_glare(img: ImageBGR, rng: np.random.Generator) -> ImageBGR:
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    sx, sy = w * rng.uniform(0.1, 0.5), h * rng.uniform(0.3, 1.2)
    blob = np.exp(-(((xx - cx) / sx) ** 2 + ((yy - cy) / sy) ** 2))
    return _u8(img.astype(np.float32) + float(rng.uniform(60, 200)) * blob[..., None])


def night_ir(img: ImageBGR, rng: np.random.Generator) -> ImageBGR:
    """Near-infrared at night: yellow and white reflect alike, the scene goes dark, noise rises."""
    f = img.astype(np.float32)
    grey = 0.2 * f[..., 0] + 0.4 * f[..., 1] + 0.4 * f[..., 2]
    bright = grey > 120  # the retroreflective plate face
    gain = float(rng.uniform(1.0, 1.6))
    grey = np.where(bright, grey * gain, grey * float(rng.uniform(0.2, 0.6)))
    grey += rng.normal(0, float(rng.uniform(3, 14)), grey.shape)
    g = _u8(grey)
    return np.repeat(g[..., None], 3, axis=2)


def blur(img: ImageBGR, rng: np.random.Generator, strength: float = 1.0) -> ImageBGR:
    """Defocus or motion blur; `strength` scales the kernel (1 at full plate scale)."""
    if rng.random() < 0.5:
        sigma = float(rng.uniform(0.4, 1.6)) * strength
        return np.asarray(cv2.GaussianBlur(img, (0, 0), sigma), dtype=np.uint8)
    length = max(1, int(rng.integers(2, 8) * strength))
    kernel = np.zeros((length * 2 + 1, length * 2 + 1), np.float32)
    kernel[length, :] = 1.0  # mostly horizontal: vehicles cross the frame
    rot = cv2.getRotationMatrix2D((length, length), float(rng.normal(0, 20)), 1.0)
    kernel = np.asarray(cv2.warpAffine(kernel, rot, kernel.shape[::-1]), dtype=np.float32)
    kernel /= max(float(kernel.sum()), 1e-6)
    return np.asarray(cv2.filter2D(img, -1, kernel), dtype=np.uint8)


def jpeg(img: ImageBGR, rng: np.random.Generator) -> ImageBGR:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(15, 90))])
    if not ok:
        return img
    return np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR), dtype=np.uint8)


def degrade(plate: RenderedPlate, rng: np.random.Generator) -> ImageBGR:
    """Turn a clean 1 px/mm plate into a realistic crop (BGR uint8, small and imperfect)."""
    if rng.random() < 0.45:
        plate = add_screws(plate, rng)
    if rng.random() < 0.3:
        plate = RenderedPlate(add_dirt(plate.image, rng), plate.text_box, plate.gaps)
    if rng.random() < 0.5:
        plate = add_holder(plate, rng)
    img = place_in_scene(plate.image, plate.text_box, rng)
    if rng.random() < 0.15:
        img = add_occlusion(img, rng)
    if rng.random() < 0.15:
        img = add_glare(img, rng)
    # Lighting and colour balance.
    f = img.astype(np.float32) * float(rng.uniform(0.5, 1.3)) + float(rng.uniform(-40, 30))
    f *= rng.uniform(0.92, 1.08, 3).astype(np.float32)
    img = _u8(f)
    if rng.random() < 0.2:
        img = night_ir(img, rng)
    if rng.random() < 0.4:
        img = blur(img, rng)
    # Characters 79 px tall now; a street camera gives them roughly 8 to 60 px.
    char_px = float(np.exp(rng.uniform(np.log(9.0), np.log(60.0))))
    scale = char_px / 79.0
    h, w = img.shape[:2]
    size = (max(8, int(round(w * scale))), max(8, int(round(h * scale))))
    img = np.asarray(cv2.resize(img, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    if rng.random() < 0.25:
        img = blur(img, rng, strength=0.5)
    if rng.random() < 0.5:
        noise = rng.normal(0, float(rng.uniform(1, 10)), img.shape)
        img = _u8(img.astype(np.float32) + noise)
    if rng.random() < 0.6:
        img = jpeg(img, rng)
    return img
