"""The plate's country is decided before any correction: foreign reads are never made British."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from detect.reading.choice import choose_text
from detect.reading.country import country_of_format, foreign_formats_of, is_foreign_format, is_uk_format
from detect.reading.grammar import apply_grammar
from detect.reading.readers import TextCandidate
from offline.coercion import BANDED, clip_cases, run, summarise, synthetic_cases

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


@pytest.mark.parametrize(("read", "plate"), [("DKL44", "KL44"), ("DHM63", "HM63"), ("DVZ8", "VZ8")])
def test_a_german_band_letter_read_in_front_stays_german(read: str, plate: str) -> None:
    # DKL44 is also a British dateless mark as read; the D of a band seen on the patch says otherwise.
    choice = choose_text([TextCandidate(read, 0.95, "rapidocr", "inner")], "gb", NOW, geometry=BANDED)
    assert choice is not None and choice.text == plate
    assert country_of_format(choice.format) == "DE" and not is_uk_format(choice.format)
    # No band on the patch: the letter is the registration's (a US DLC512 is not German LC512).
    plain = choose_text([TextCandidate(read, 0.95, "rapidocr", "inner")], "gb", NOW)
    assert plain is not None and plain.text == read


def test_a_band_seen_lets_any_eu_band_letters_go_only_when_its_country_explains_the_rest() -> None:
    # Spain's E and Italy's I are not in the always-tried list; a Portuguese P explains nothing.
    for read, plate in (("E1234BCD", "1234BCD"), ("IAB123CD", "AB123CD")):
        choice = choose_text([TextCandidate(read, 0.95, "rapidocr", "inner")], "gb", NOW, geometry=BANDED)
        assert choice is not None and choice.text == plate, read
    choice = choose_text([TextCandidate("PLWA1234K", 0.95, "rapidocr", "inner")], "gb", NOW, geometry=BANDED)
    assert choice is not None and choice.text == "WA1234K"


def test_polish_series_are_kept_as_read() -> None:
    for read in ("WA1234K", "KR123AB", "PO5AB12", "WPR12AB", "GD1A234"):
        result = apply_grammar(read, "gb", ON)
        assert result.text == read and result.foreign and not result.corrected, read
        assert any(f.startswith("pl_") for f in (result.format or "").split("+")), read
    # With the PL band read in front, the country is known.
    assert apply_grammar("WA1234K", "gb", ON, band="PL").country == "PL"


def test_real_foreign_labels_are_never_made_british(shared_dir: Path) -> None:
    # Every Argentinian crop label of shared/data/real_crops, and the foreign clip plates.
    from offline.coercion import real_crop_cases

    cases = [
        c for c in real_crop_cases(shared_dir / "data" / "real_crops") if c.source.endswith("ar_cnn_ocr_lp")
    ]
    cases += clip_cases(shared_dir / "data" / "plate_clips" / "labels.csv")
    summary = summarise(run(cases))
    assert summary["all"]["reads"] >= 150
    assert summary["all"]["made_uk"] == 0
