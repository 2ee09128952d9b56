"""The plate's country is decided before any correction: foreign reads are never made British."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from detect.reading.choice import choose_text
from detect.reading.country import country_of_format, foreign_formats_of, is_foreign_format, is_uk_format
from detect.reading.grammar import apply_grammar
from detect.reading.readers import TextCandidate
from offline.coercion import clip_cases, run, summarise, synthetic_cases

ON = date(2026, 11, 1)
NOW = datetime(2026, 11, 1, tzinfo=UTC)
CLIPS = Path(__file__).resolve().parents[2] / "shared" / "data" / "plate_clips" / "labels.csv"


@pytest.mark.parametrize("read", ["EJ728LY", "FL124XR", "FG173ZW", "FL920KF"])
def test_paris_reads_stay_french(read: str) -> None:
    # Before: EJ728LY -> EJ72BLY and FL124XR -> FL12AXR, British plates of other vehicles.
    result = apply_grammar(read, "gb", ON)
    assert result.text == read and not result.corrected
    assert result.foreign and is_foreign_format(result.format)
    assert "fr" in (result.format or "").split("+")


def test_dutch_sidecode_is_not_made_a_prefix_plate() -> None:
    result = apply_grammar("L417VS", "gb", ON)
    assert result.text == "L417VS" and result.foreign and not result.corrected
    # Dutch sidecode 10, and an Indonesian layout too: the country stays open without a band.
    assert "nl_10" in (result.format or "").split("+")
    assert apply_grammar("L417VS", "gb", ON, band="NL").country == "NL"


def test_band_letters_name_the_country() -> None:
    result = apply_grammar("EJ728LY", "gb", ON, band="F")
    assert result.text == "EJ728LY" and result.format == "fr" and result.country == "FR"
    # A foreign band keeps even a read that fits no known format as it stands.
    odd = apply_grammar("AB1ZCDE", "gb", ON, band="D")
    assert odd.text == "AB1ZCDE" and odd.country == "DE" and not odd.corrected
    # A British identifier lets the UK grammar correct as before.
    assert apply_grammar("AB1ZCDE", "gb", ON, band="UK").text == "AB12CDE"


def test_british_reads_are_still_corrected() -> None:
    assert apply_grammar("AB1ZCDE", "gb", ON).text == "AB12CDE"
    assert apply_grammar("AB12IDE", "gb", ON).alternatives == ("AB12JDE", "AB12LDE", "AB12TDE")
    kept = apply_grammar("AB12CDE", "gb", ON)
    assert kept.country == "GB" and is_uk_format(kept.format)
    # Valid British as read wins over a foreign reading of the same string.
    assert apply_grammar("ABC123", "gb", ON).country == "GB"


def test_choice_strips_a_foreign_band_and_keeps_the_read() -> None:
    choice = choose_text([TextCandidate("FEJ728LY", 0.95, "rapidocr", "inner")], "gb", NOW)
    assert choice is not None and choice.text == "EJ728LY" and choice.format == "fr"


def test_format_names_give_countries() -> None:
    assert country_of_format("gb_current") == "GB"
    assert country_of_format("sk+fr+it") is None  # three countries share LL DDD LL
    assert country_of_format("nl_10") == "NL"
    assert country_of_format("foreign_band_fr") == "FR"
    assert "nl_10" in foreign_formats_of("L417VS")
    assert not is_foreign_format(None) and not is_uk_format(None)


def test_synthetic_foreign_plates_without_band_are_rarely_made_british() -> None:
    summary = summarise(run(synthetic_cases(60, seed=1)))
    for layout in ("eu_fr", "eu_it", "eu_sk", "eu_cz", "eu_es", "eu_nl", "eu_hr", "eu_srb", "br_mercosul"):
        assert summary[f"synth:{layout}"]["made_uk"] == 0, layout
    assert summary["all"]["rate"] < 0.05


@pytest.mark.skipif(not CLIPS.is_file(), reason="needs ../shared/data/plate_clips")
def test_clip_labels_are_never_made_british() -> None:
    summary = summarise(run(clip_cases(CLIPS)))
    assert summary["all"]["reads"] >= 7 and summary["all"]["made_uk"] == 0
