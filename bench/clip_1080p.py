"""Build the 1080p benchmark clip: a shared 720p clip upscaled to 1920x1080, H.264 (libx264).

    .venv/bin/python bench/clip_1080p.py [--src ../shared/data/plate_clips/paris_rain.mp4] [--out PATH]

The shared clips are 720p; a 1080p camera is what a site deploys, and decoding and detection cost
scale with it. Every decodable frame is kept, at the source's frame rate; x264 "veryfast", CRF 20,
a keyframe every 2 s (what IP cameras typically send). The result is cached in bench/out/: an existing
file is reused (delete it to rebuild).
"""

from __future__ import annotations

import argparse
import os
from fractions import Fraction
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PLATEWATCH_SHARED_DIR", REPO.parent / "shared"))
DEFAULT_SRC = SHARED / "data/plate_clips/paris_rain.mp4"


def default_out(src: Path) -> Path:
    return REPO / "bench/out" / f"{src.stem}_1080p.mp4"


def build_1080p(src: Path, out: Path) -> Path:
    import av
    import cv2

    cap = cv2.VideoCapture(str(src), cv2.CAP_FFMPEG)
    if not cap.isOpened():
        raise SystemExit(f"{src}: not a video OpenCV can decode")
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".part.mp4")
    frames = 0
    with av.open(str(partial), mode="w") as container:
        rate = Fraction(fps).limit_denominator(1001)
        stream = container.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = 1920, 1080, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "20", "g": str(round(2 * fps))}
        while True:
            ok, image = cap.read()
            if not ok:
                break
            big = cv2.resize(image, (1920, 1080), interpolation=cv2.INTER_CUBIC)
            for packet in stream.encode(av.VideoFrame.from_ndarray(big, format="bgr24")):
                container.mux(packet)
            frames += 1
        for packet in stream.encode():
            container.mux(packet)
    cap.release()
    if frames == 0:
        partial.unlink(missing_ok=True)
        raise SystemExit(f"{src}: no frames decoded")
    partial.replace(out)
    print(f"wrote {out}: {frames} frames at {fps:.3f} fps, 1920x1080")
    return out


def ensure_1080p(src: Path = DEFAULT_SRC, out: Path | None = None) -> Path:
    out = out or default_out(src)
    if out.is_file() and out.stat().st_size > 0:
        return out
    return build_1080p(src, out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", type=Path, default=DEFAULT_SRC)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    print(ensure_1080p(args.src, args.out))


if __name__ == "__main__":
    main()
