"""Still-image plate reading on real photos with the real models (vehicle, plate, OCR)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest

from detect.reading.choice import choose_text
from detect.reading.localise import CANONICAL_HEIGHT, box_iou, crop, rectify_plate, skew_angle
from detect.reading.readers import TextBox, TextCandidate, blue_band_end, group_lines, plate_chars
from detect.reading.recogniser import PlateRecogniser
from detect.still import UnreadableImageError, load_image, read_still
from models.resolver import ModelNotFoundError
from platewatch.config import Detection, ModelPaths

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _uk_labels(uk_dev_dir: Path) -> list[tuple[str, str, tuple[float, float, float, float]]]:
    with (uk_dev_dir / "labels.csv").open(newline="") as f:
        return [
            (
                r["file"],
                r["plate"],
                (float(r["x"]), float(r["y"]), float(r["x"]) + float(r["w"]), float(r["y"]) + float(r["h"])),
            )
            for r in csv.DictReader(f)
        ]


@pytest.fixture(scope="session")
def recogniser(shared_dir: Path) -> PlateRecogniser:
    return PlateRecogniser(Detection(region="gb"), ModelPaths())


@pytest.fixture(scope="session")
def recogniser_any(recogniser: PlateRecogniser) -> PlateRecogniser:
    return recogniser.for_region("any")


# --- pure parts -------------------------------------------------------------------------------


def test_plate_chars_drops_lower_case_and_symbols() -> None:
    # A lower-case "e" is how the recogniser describes a coat of arms, not a plate letter.
    assert plate_chars("RKe565-AV·") == "RK565AV"


def test_two_line_plate_boxes_read_top_line_first() -> None:
    bottom = TextBox(10, 60, 90, 100)
    top_right = TextBox(50, 5, 90, 45)
    top_left = TextBox(5, 8, 45, 48)
    assert group_lines([bottom, top_right, top_left]) == [[top_left, top_right], [bottom]]


def test_blue_band_found_on_left_only() -> None:
    plate = np.full((40, 200, 3), 235, np.uint8)
    plate[:, :18] = (180, 60, 20)  # BGR blue band
    assert 16 <= blue_band_end(plate) <= 19
    assert blue_band_end(np.full((40, 200, 3), 235, np.uint8)) == 0


def test_valid_candidate_beats_invalid_of_similar_confidence() -> None:
    cands = [
        TextCandidate("SN66XMZJ", 0.80, "rapidocr", "inner"),
        TextCandidate("SN66XMZ", 0.78, "rapidocr", "text_boxes"),
    ]
    choice = choose_text(cands, "gb", NOW)
    assert choice is not None and choice.text == "SN66XMZ" and choice.valid


def test_leading_country_code_is_dropped_when_rest_is_valid() -> None:
    choice = choose_text([TextCandidate("GBKV24AWU", 0.9, "rapidocr", "inner")], "gb", NOW)
    assert choice is not None and choice.text == "KV24AWU" and choice.raw == "KV24AWU"


def test_agreement_beats_one_confident_outlier() -> None:
    cands = [
        TextCandidate("RK755AJ", 0.85, "rapidocr", "text_boxes"),
        TextCandidate("RK755AJ", 0.80, "rapidocr", "inner"),
        TextCandidate("RK7554J", 0.90, "easyocr", "inner_greedy"),
    ]
    choice = choose_text(cands, "any", NOW)
    assert choice is not None and choice.text == "RK755AJ"


def test_no_candidates_means_no_choice() -> None:
    assert choose_text([], "gb", NOW) is None
    assert choose_text([TextCandidate("A", 0.9, "rapidocr")], "gb", NOW) is None
    # "R1" is a valid dateless mark, but a 2-character read is far likelier noise than a cherished plate.
    assert (
        choose_text([TextCandidate("RJ", 0.9, "rapidocr"), TextCandidate("R1", 0.8, "easyocr")], "gb", NOW)
        is None
    )


# --- real models ------------------------------------------------------------------------------


@pytest.mark.slow
def test_plate_detector_finds_every_uk_dev_plate(recogniser: PlateRecogniser, uk_dev_dir: Path) -> None:
    for file, plate, gt in _uk_labels(uk_dev_dir):
        boxes = recogniser.find_plates(load_image(uk_dev_dir / file))
        assert max((box_iou(b.box, gt) for b in boxes), default=0.0) >= 0.3, (file, plate)


@pytest.mark.slow
def test_uk_dev_plates_read_exactly(recogniser: PlateRecogniser, uk_dev_dir: Path) -> None:
    labels = _uk_labels(uk_dev_dir)
    by_file: dict[str, set[str]] = {}
    for file, plate, _ in labels:
        by_file.setdefault(file, set()).add(plate)
    for file, plates in by_file.items():
        observations = read_still(recogniser, uk_dev_dir / file, NOW)
        texts = {o.read.text for o in observations}
        assert plates <= texts, (file, plates, texts)
        for o in observations:
            if o.read.text in plates:
                assert o.read.grammar_valid and o.read.grammar_format is not None
                assert 0.0 < o.read.confidence <= 1.0 and o.read.timestamp == NOW
                assert o.crop.shape[0] == CANONICAL_HEIGHT and o.candidates


@pytest.mark.slow
@pytest.mark.parametrize(("name", "plate"), [("eu11.jpg", "BS47040"), ("test_057.jpg", "RK300AS")])
def test_openalpr_eu_plates_read_exactly(
    recogniser_any: PlateRecogniser, openalpr_dir: Path, name: str, plate: str
) -> None:
    texts = [o.read.text for o in read_still(recogniser_any, openalpr_dir / name, NOW)]
    assert plate in texts


@pytest.mark.slow
def test_read_vehicle_reads_the_plate_inside_the_vehicle_box(
    recogniser: PlateRecogniser, uk_dev_dir: Path
) -> None:
    image = load_image(uk_dev_dir / "images/trex18101_ex1.png")
    vehicles = recogniser.vehicles.detect(image)
    assert vehicles
    reads = [recogniser.read_vehicle(image, v.box, NOW) for v in vehicles]
    assert "SN66XMZ" in {r.read.text for r in reads if r is not None}


def test_rectify_returns_canonical_height_and_levels_a_tilted_plate(uk_dev_dir: Path) -> None:
    image = load_image(uk_dev_dir / "images/trex18101_ex1.png")
    _, _, gt = next(lbl for lbl in _uk_labels(uk_dev_dir) if lbl[0].endswith("ex1.png"))
    patch = rectify_plate(image, gt)
    assert patch.shape[0] == CANONICAL_HEIGHT and patch.shape[1] > 2 * CANONICAL_HEIGHT
    assert abs(skew_angle(crop(image, gt))) < 3.0
    # Tilt the whole photo about the plate centre by 8 degrees: the estimate must see it, and the
    # rectified patch must come out level again.
    centre = ((gt[0] + gt[2]) / 2, (gt[1] + gt[3]) / 2)
    tilted = cv2.warpAffine(image, cv2.getRotationMatrix2D(centre, 8.0, 1.0), image.shape[1::-1])
    assert skew_angle(crop(tilted, gt)) == pytest.approx(-8.0, abs=3.0)
    level = rectify_plate(tilted, gt)
    assert level.shape[0] == CANONICAL_HEIGHT
    assert abs(skew_angle(level)) < 3.0


def test_rectify_rejects_degenerate_boxes() -> None:
    image = np.zeros((100, 100, 3), np.uint8)
    with pytest.raises(ValueError, match="too small"):
        rectify_plate(image, (10, 10, 11, 40))
    with pytest.raises(ValueError, match="outside"):
        rectify_plate(image, (500, 500, 600, 540))


def test_unreadable_image_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 this is not a jpeg")
    with pytest.raises(UnreadableImageError, match="broken.jpg"):
        load_image(bad)
    with pytest.raises(UnreadableImageError, match="no such file"):
        load_image(tmp_path / "missing.png")


@pytest.mark.slow
def test_image_without_vehicles_gives_no_reads(recogniser: PlateRecogniser, uk_dev_dir: Path) -> None:
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)
    assert recogniser.read_image(noise, NOW) == []
    assert recogniser.read_image(np.full((480, 640, 3), 128, np.uint8), NOW) == []
    # A real patch of sky/road above the car in a uk_dev photo: no plate, no read, no crash.
    photo = load_image(uk_dev_dir / "images/trex18101_DSC06005.jpg")
    assert recogniser.read_image(np.ascontiguousarray(photo[:200, :300]), NOW) == []


def test_missing_weights_give_the_resolvers_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATEWATCH_MODEL_DIR", str(tmp_path))
    with pytest.raises(ModelNotFoundError, match="plate_detector") as err:
        PlateRecogniser(Detection(), ModelPaths(plate_detector=tmp_path / "nope.pt"))
    assert str(tmp_path / "nope.pt") in str(err.value)
    from detect.vehicles import VehicleDetector

    with pytest.raises(ModelNotFoundError, match="vehicle_detector"):
        VehicleDetector(Detection(), ModelPaths(vehicle_detector=tmp_path / "nope.pt"))


def test_unknown_reader_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown plate readers"):
        PlateRecogniser(Detection(), ModelPaths(), readers=["tesseract"])


def test_country_letter_is_kept_when_the_whole_text_is_already_valid() -> None:
    cands = [
        TextCandidate("BB751BH", 0.99, "rapidocr", "text_boxes"),
        TextCandidate("B751BH", 0.72, "rapidocr", "inner"),
    ]
    choice = choose_text(cands, "any", NOW)
    assert choice is not None and choice.text == "BB751BH"


@pytest.mark.slow
def test_two_line_plate_is_read_top_row_first(recogniser: PlateRecogniser, uk_dev_dir: Path) -> None:
    # A square two-row plate made from a real one: "KV24" above "AWU" (real glyphs, real camera).
    image = load_image(uk_dev_dir / "images/trex18101_Skoda-Kodiaq.webp")
    _, _, gt = next(lbl for lbl in _uk_labels(uk_dev_dir) if lbl[1] == "KV24AWU")
    plate = crop(image, gt)
    cut = plate.shape[1] // 2
    top, bottom = plate[:, :cut], plate[:, cut:]
    width = max(top.shape[1], bottom.shape[1])
    rows = [cv2.copyMakeBorder(r, 0, 0, 0, width - r.shape[1], cv2.BORDER_REPLICATE) for r in (top, bottom)]
    square = cv2.copyMakeBorder(np.vstack(rows), 40, 40, 40, 40, cv2.BORDER_REPLICATE)
    box = (40.0, 40.0, 40.0 + width, 40.0 + 2 * plate.shape[0])
    observation = recogniser.read_plate(square, box, NOW)
    assert observation is not None and observation.read.text == "KV24AWU"
    # Row by row only (the rows joined, or the tallest row alone), never one spliced whole-patch line.
    assert {c.variant for c in observation.candidates} <= {"text_boxes", "main_line"}
