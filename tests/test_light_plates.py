"""White-on-black plates: measured as such, and their reads kept as read in region any.

Region `any` repairs a read that fits no European layout into one that it fits after an O<->0 or
I<->1 swap. Indonesia's white-on-black `B 1248 PC` fits no European layout as read, and one swap
makes it the Croatian or Slovak `BI248PC`; on the real Indonesian crops that repair was most of the
reads with the right text among the candidates but not chosen (docs/benchmarks.md, "White on
black"). European plates are dark on white or yellow, so the plate's own colours decide.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest
from real_crop_samples import labelled_crop

from detect.consensus import track_consensus
from detect.reading.choice import choose_text
from detect.reading.grammar import apply_grammar
from detect.reading.readers import TextBox, TextCandidate, light_characters, plate_geometry
from detect.reading.recogniser import PlateRecogniser
from detect.records import PlateRead
from platewatch.config import Detection, ModelPaths

_FONT = cv2.FONT_HERSHEY_SIMPLEX


def _drawn(ink: int, paper: int) -> tuple[np.ndarray, TextBox]:
    image = np.full((60, 220, 3), paper, np.uint8)
    cv2.putText(image, "B 1248 PC", (8, 45), _FONT, 1.3, (ink, ink, ink), 3, cv2.LINE_AA)
    return image, TextBox(4, 10, 216, 52)


def test_light_characters_on_a_dark_plate_are_measured_as_light() -> None:
    white_on_black, box = _drawn(ink=235, paper=25)
    black_on_white, _ = _drawn(ink=25, paper=235)
    assert light_characters(white_on_black, [box])
    assert not light_characters(black_on_white, [box])
    # A box too small to measure says nothing.
    assert not light_characters(white_on_black, [TextBox(0, 0, 3, 3)])


def test_the_geometry_carries_the_measure_only_when_given_the_patch() -> None:
    image, box = _drawn(ink=235, paper=25)
    measured = plate_geometry(image.shape, [box], patch=image)
    assert measured is not None and measured.light_text
    unmeasured = plate_geometry(image.shape, [box])
    assert unmeasured is not None and not unmeasured.light_text


def test_a_read_that_fits_a_layout_outside_europe_is_kept_on_a_light_text_plate() -> None:
    repaired = apply_grammar("B1248PC", "any")
    assert repaired.text == "BI248PC" and repaired.corrected  # a dark plate: the European repair
    kept = apply_grammar("B1248PC", "any", light_text=True)
    assert (kept.text, kept.corrected, kept.format, kept.country) == ("B1248PC", False, "id", "ID")
    assert "BI248PC" in kept.alternatives  # the repair stays a doubt
    # The Slovak SI 819 AK, dark on white and read S1819AK, is still repaired into its layout.
    assert apply_grammar("S1819AK", "any").text == "SI819AK"
    # A read that fits a European layout as read is kept either way; one that fits nothing as read
    # is repaired either way.
    assert apply_grammar("BA302OZ", "any", light_text=True).text == "BA302OZ"
    assert apply_grammar("BA3O2OZ", "any", light_text=True).text == apply_grammar("BA3O2OZ", "any").text
    # Region gb already keeps a read a foreign layout explains; the flag changes nothing there.
    assert apply_grammar("B1248PC", "gb", light_text=True) == apply_grammar("B1248PC", "gb")


def _reads(text: str, fmt: str | None, n: int = 3) -> list[PlateRead]:
    start = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
    return [
        PlateRead(
            raw_text=text,
            text=text,
            confidence=0.9,
            timestamp=start + timedelta(seconds=i),
            reader="rapidocr",
            grammar_valid=True,
            grammar_format=fmt,
        )
        for i in range(n)
    ]


def test_the_track_vote_keeps_what_each_frame_kept_as_read() -> None:
    kept = track_consensus(_reads("B1248PC", "id"), "any")
    assert kept is not None and kept.read.text == "B1248PC" and kept.read.grammar_format == "id"
    # Frames read on a dark-on-white plate were repaired in each frame, and the vote repairs too.
    repaired = track_consensus(_reads("B1248PC", None), "any")
    assert repaired is not None and repaired.read.text == "BI248PC"


@pytest.fixture(scope="module")
def recogniser() -> PlateRecogniser:
    return PlateRecogniser(Detection(region="any"), ModelPaths())


@pytest.mark.parametrize(
    ("folder", "name", "light"),
    [
        ("id_satria", "DataTrain110.png", True),  # B 1248 PC, white on black, 69 px wide
        ("id_satria", "DataTrain144.png", True),  # B 1042 PJ, white on black
        ("ar_cnn_ocr_lp", "morning_10620_100.png", False),  # Mercosur AD 054 JI, black on white
        ("us_reported", "CALIFORNIA_00009.jpg", False),  # dark blue on white
    ],
)
def test_real_plates_colours_are_measured(
    shared_dir: Path, recogniser: PlateRecogniser, folder: str, name: str, light: bool
) -> None:
    crop, _ = labelled_crop(shared_dir, folder, name)
    _, geometry = recogniser.read_patch(crop)
    assert geometry is not None and geometry.light_text is light


@pytest.mark.parametrize("name", ["DataTrain110.png", "DataTrain144.png"])
def test_a_real_indonesian_plate_is_read_as_itself(
    shared_dir: Path, recogniser: PlateRecogniser, name: str
) -> None:
    crop, label = labelled_crop(shared_dir, "id_satria", name)
    candidates, geometry = recogniser.read_patch(crop)
    choice = choose_text(candidates, "any", geometry=geometry)
    assert choice is not None and choice.text == label, candidates
    assert choice.format == "id"


def test_the_same_candidates_without_the_colour_evidence_are_repaired() -> None:
    # What every reader returned for DataTrain110: the repair wins where the colours are unknown.
    candidates = [
        TextCandidate("B1248PC", 0.97, "rapidocr", "text_boxes", (0.06, 0.96)),
        TextCandidate("B1248PC", 0.99, "rapidocr", "inner", (0.01, 0.97)),
        TextCandidate("B1248PC", 0.72, "platewatch_plates", "inner_greedy"),
    ]
    choice = choose_text(candidates, "any")
    assert choice is not None and choice.text == "BI248PC"


def test_light_text_only_decides_between_a_read_and_its_repair() -> None:
    # Poland's diplomatic W 053011 is white on blue; read without its W, no repair fits a European
    # layout, and the colours must not make the fragment a valid digits-only plate.
    assert apply_grammar("053011", "any", light_text=True) == apply_grammar("053011", "any")
    assert not apply_grammar("053011", "any", light_text=True).valid


def test_european_layouts_outside_the_table_gain_nothing_from_light_text() -> None:
    # A Polish WA 56660 read at night with a mark in front as JWA56660 fits Poland's LLL DDDDD as
    # read; light text is no evidence for a European layout (only for those outside Europe).
    assert apply_grammar("JWA56660", "any", light_text=True) == apply_grammar("JWA56660", "any")
