"""Plate grammar: UK formats, age identifiers, memory tags, confusion repair, policy, region `any`."""

from __future__ import annotations

import csv
import random
from datetime import date
from pathlib import Path

import pytest

from detect.reading.grammar import (
    apply_grammar,
    confusable_distance,
    confusable_with,
    format_of,
    is_confusable,
    normalise,
)
from detect.reading.grammar_confusion import within_one_confusable_edit
from detect.reading.grammar_gb import issued_age_identifiers

DAY = date(2026, 11, 22)  # fixed so that age-identifier results do not drift with the calendar
GB_FORMATS = {
    "gb_current",
    "gb_current_unissued",
    "gb_prefix",
    "gb_suffix",
    "gb_q",
    "gb_dateless",
    "gb_ni",
    "gb_diplomatic",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ab12 cde", "AB12CDE"),
        (" AB12-CDE\n", "AB12CDE"),
        ("a.b,1/2_c:d;e", "AB12CDE"),
        ("Ab12 Cdé", "AB12CD"),  # non-ASCII dropped
        ("ß1", "1"),  # "ß".upper() would be "SS": filtered first
        ("", ""),
        ("!!", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("AB12CDE", "gb_current"),
        ("AU12CDE", "gb_current"),  # U is a DVLA office letter (AU Norwich)
        ("XA12CDE", "gb_current"),  # X: export
        ("TA12CDE", "gb_current"),  # T: Scotland overflow
        ("OY09FEU", "gb_current"),
        ("SN66XMZ", "gb_current"),  # Z allowed in the random letters
        ("AB02CDE", "gb_current"),
        ("AB51CDE", "gb_current"),
        ("AB76CDE", "gb_current"),
        ("A1BCD", "gb_prefix"),
        ("A12BCD", "gb_prefix"),
        ("A123BCD", "gb_prefix"),
        ("G526JHD", "gb_prefix"),
        ("Y999ABC", "gb_prefix"),
        ("ABC1D", "gb_suffix"),
        ("ABC12D", "gb_suffix"),
        ("ABC123A", "gb_suffix"),
        ("Q1ABC", "gb_q"),
        ("Q123ABC", "gb_q"),
        ("A1", "gb_dateless"),
        ("A9999", "gb_dateless"),
        ("AB1234", "gb_dateless"),
        ("ABC123", "gb_dateless"),
        ("1A", "gb_dateless"),
        ("1234AB", "gb_dateless"),
        ("123ABC", "gb_dateless"),
        ("ABZ1234", "gb_ni"),
        ("AIA1", "gb_ni"),
        ("AZ1234", "gb_ni"),  # legacy XX 1234
        ("IA123", "gb_ni"),
        ("1234AZ", "gb_ni"),  # legacy reversed
        ("ABZ123", "gb_ni"),  # NI code beats the GB dateless reading of the same shape
        ("123D456", "gb_diplomatic"),
        ("123X456", "gb_diplomatic"),
        ("LR33TEE", "gb_current_unissued"),
        ("AB27CDE", "gb_current_unissued"),  # March 2027
        ("AB77CDE", "gb_current_unissued"),  # September 2027
        ("AB01CDE", "gb_current_unissued"),  # never issued
        ("AB00CDE", "gb_current_unissued"),  # 2050
        ("AB50CDE", "gb_current_unissued"),  # 2050
    ],
)
def test_valid_gb_formats(text: str, fmt: str) -> None:
    assert format_of(text, "gb", DAY) == fmt
    result = apply_grammar(text, "gb", DAY)
    assert (result.valid, result.format, result.text, result.corrected) == (True, fmt, text, False)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "A",
        "ABC",
        "AB12CDEF",  # eight characters
        "AB12CD",
        "ABC1234",  # three letters + four digits: never a GB dateless mark (that shape is NI)
        "1234ABC",
        "12345A",
        "A1234BC",  # prefix numbers stop at three digits
        "A012BCD",  # no leading zero in a prefix number
        "O123ABC",  # O is never a year letter
        "I123ABC",
        "U123ABC",
        "Z123ABC",
        "ABC123Z",  # Z is never a year letter
        "ABC123O",
        "ABZ123D",  # Z not in the suffix serial letters
        "Q1234ABC",
        "Q123ABZ",
        "AZ12345",  # NI numbers stop at 9999
        "ABC0",  # leading zero
        "123A456",  # diplomatic needs D or X
        "123D45",
        "AB12CDI",  # I never in the random letters
        "AB12QDE",  # Q never in the random letters
    ],
)
def test_gb_near_misses_have_no_format(text: str) -> None:
    assert format_of(text, "gb", DAY) is None


@pytest.mark.parametrize("first", list("IJQU"))
def test_memory_tag_first_letter_exclusions(first: str) -> None:
    assert format_of(f"{first}B12CDE", "gb", DAY) is None


@pytest.mark.parametrize("second", list("IQ"))
def test_memory_tag_second_letter_exclusions(second: str) -> None:
    assert format_of(f"A{second}12CDE", "gb", DAY) is None


@pytest.mark.parametrize(("text", "warning"), [("ZE24LCV", "first letter Z"), ("DZ17YXR", "second letter Z")])
def test_memory_tag_z_is_accepted_with_a_warning(text: str, warning: str) -> None:
    # DOMAIN lists Z as never used; the real uk_dev photos show both (see grammar_gb docstring).
    result = apply_grammar(text, "gb", DAY)
    assert result.format == "gb_current"
    assert any(warning in w for w in result.warnings)


def test_published_memory_tag_has_no_warning() -> None:
    assert apply_grammar("AB12CDE", "gb", DAY).warnings == ()


def test_issued_age_identifiers_on_a_day() -> None:
    expected = {f"{n:02d}" for n in range(2, 27)} | {str(n) for n in range(51, 77)}
    assert issued_age_identifiers(DAY) == expected
    assert issued_age_identifiers(date(2001, 8, 31)) == frozenset()
    assert issued_age_identifiers(date(2001, 9, 1)) == {"51"}


@pytest.mark.parametrize(
    ("text", "day", "fmt"),
    [
        ("AB26CDE", date(2026, 2, 28), "gb_current_unissued"),
        ("AB26CDE", date(2026, 3, 1), "gb_current"),
        ("AB75CDE", date(2026, 2, 28), "gb_current"),  # September 2025 plate
        ("AB76CDE", date(2026, 8, 31), "gb_current_unissued"),
        ("AB76CDE", date(2026, 9, 1), "gb_current"),
        ("AB51CDE", date(2001, 8, 31), "gb_current_unissued"),
        ("AB51CDE", date(2001, 9, 1), "gb_current"),
        ("AB02CDE", date(2002, 2, 28), "gb_current_unissued"),
        ("AB02CDE", date(2002, 3, 1), "gb_current"),
        ("AB01CDE", date(2040, 1, 1), "gb_current_unissued"),
        ("AB50CDE", date(2050, 2, 28), "gb_current_unissued"),
        ("AB50CDE", date(2050, 3, 1), "gb_current"),
        ("AB00CDE", date(2050, 8, 31), "gb_current_unissued"),
        ("AB00CDE", date(2050, 9, 1), "gb_current"),
    ],
)
def test_age_identifier_boundaries(text: str, day: date, fmt: str) -> None:
    assert format_of(text, "gb", day) == fmt


def test_unissued_age_is_valid_but_warned() -> None:
    result = apply_grammar("AB27CDE", "gb", DAY)
    assert result.valid
    assert result.warnings == ("age identifier 27 was not issued by 2026-11-22",)


# A character impossible in a digit slot of a current plate (position 4 of AB1?CDE, so that every
# repaired age identifier AB10..AB18 exists).
@pytest.mark.parametrize(
    ("read", "digit"),
    [("O", "0"), ("D", "0"), ("Q", "0"), ("U", "0"), ("I", "1"), ("L", "1"), ("J", "1")]
    + [("Z", "2"), ("A", "4"), ("S", "5"), ("G", "6"), ("B", "8")],
)
def test_digit_slot_corrections(read: str, digit: str) -> None:
    result = apply_grammar(f"AB1{read}CDE", "gb", DAY)
    assert (result.text, result.corrected, result.valid, result.format) == (
        f"AB1{digit}CDE",
        True,
        True,
        "gb_current",
    )
    assert result.raw == f"AB1{read}CDE"


def test_repair_that_would_give_an_unissued_age_falls_to_the_next_format() -> None:
    # AB42CDE cannot exist before 2042, so the only issuable reading is the prefix plate A842CDE.
    result = apply_grammar("ABA2CDE", "gb", DAY)
    assert (result.text, result.format) == ("A842CDE", "gb_prefix")


@pytest.mark.parametrize(
    ("read", "text"),
    [
        ("ABT9CDE", "AB19CDE"),  # T: 1 or 7; AB79CDE is not issued until Sep 2029
        ("AB0TCDE", "AB07CDE"),  # T: 1 or 7; 01 was never issued
        ("AB2TCDE", "AB21CDE"),  # AB27CDE would be March 2027
    ],
)
def test_age_rule_settles_t_in_a_digit_slot(read: str, text: str) -> None:
    assert apply_grammar(read, "gb", DAY).text == text


def test_t_in_a_digit_slot_stays_ambiguous_when_both_ages_exist() -> None:
    result = apply_grammar("AB1TCDE", "gb", DAY)
    assert (result.text, result.valid, result.corrected) == ("AB1TCDE", False, False)
    assert result.alternatives == ("AB11CDE", "AB17CDE")


# A character impossible in a letter slot (position 5 of AB12?DE). A digit there makes LL DDD LL, a
# French, Italian or Slovak plate as read: such a read is kept as the foreign plate it may be, never
# corrected into a British one (detect.reading.country); letters impossible in Britain are repaired.
@pytest.mark.parametrize("read", list("0124578") + ["6"])
def test_digit_in_letter_slot_is_kept_as_a_foreign_plate(read: str) -> None:
    result = apply_grammar(f"AB12{read}DE", "gb", DAY)
    assert (result.text, result.corrected, result.valid) == (f"AB12{read}DE", False, True)
    assert result.foreign and "fr" in (result.format or "").split("+")


@pytest.mark.parametrize(("read", "letters"), [("I", "JLT"), ("Q", "DO")])
def test_letter_slot_corrections(read: str, letters: str) -> None:
    result = apply_grammar(f"AB12{read}DE", "gb", DAY)
    if len(letters) == 1:
        assert (result.text, result.corrected, result.format) == (f"AB12{letters}DE", True, "gb_current")
        assert result.alternatives == ()
    else:  # "0 -> O (or D)", "1 -> T/L/J": several readings, so no correction
        assert (result.text, result.corrected, result.valid) == (f"AB12{read}DE", False, False)
        assert result.alternatives == tuple(f"AB12{c}DE" for c in letters)


@pytest.mark.parametrize(
    ("read", "text", "fmt"),
    [
        ("5N66XMZ", "SN66XMZ", "gb_current"),  # memory-tag slot
        ("2E24LCV", "ZE24LCV", "gb_current"),
        ("ABC1O3D", "ABC103D", "gb_suffix"),
        ("1230456", "123D456", "gb_diplomatic"),
        ("A81ZCDE", "AB12CDE", "gb_current"),  # current beats the prefix reading A812CDE
        ("AB1ZC8E", "AB12CBE", "gb_current"),  # two repairs are allowed
    ],
)
def test_corrections_in_other_slots_and_formats(read: str, text: str, fmt: str) -> None:
    result = apply_grammar(read, "gb", DAY)
    assert (result.text, result.format, result.corrected) == (text, fmt, True)


def test_three_repairs_are_a_bad_read_not_a_confusion() -> None:
    result = apply_grammar("A8IZC8E", "gb", DAY)
    assert (result.valid, result.corrected, result.text) == (False, False, "A8IZC8E")


def test_valid_raw_is_kept_and_better_format_listed() -> None:
    # A812CDE is a real 1983 prefix plate *and* AB12CDE read with B as 8. Keep the raw reading and
    # hand the current-format reading on, so the track consensus can decide from the other frames.
    result = apply_grammar("A812CDE", "gb", DAY)
    assert (result.text, result.format, result.corrected, result.valid) == (
        "A812CDE",
        "gb_prefix",
        False,
        True,
    )
    assert result.alternatives == ("AB12CDE",)
    assert result.ambiguous


def test_valid_current_plate_lists_no_worse_alternatives() -> None:
    result = apply_grammar("DZ17YXR", "gb", DAY)  # D217YXR would be a valid prefix plate
    assert (result.text, result.alternatives) == ("DZ17YXR", ())


def test_ambiguous_memory_tag_is_not_corrected() -> None:
    result = apply_grammar("0Y09FEU", "gb", DAY)
    assert (result.text, result.valid, result.corrected, result.format) == ("0Y09FEU", False, False, None)
    assert result.alternatives == ("DY09FEU", "OY09FEU")


def test_no_correction_into_an_unissued_age() -> None:
    # XE71CDE is the only reading (E rules out the prefix format); 71 starts in September 2021.
    result = apply_grammar("XE7ICDE", "gb", date(2021, 6, 1))
    assert (result.valid, result.corrected, result.text) == (False, False, "XE7ICDE")
    assert apply_grammar("XE7ICDE", "gb", date(2021, 9, 1)).text == "XE71CDE"


def test_openalpr_uk_label_writes_letter_o_for_zero(openalpr_dir: Path) -> None:
    fields = (openalpr_dir / "eu5.txt").read_text().split()
    assert fields[-1] == "OYO9FEU"
    assert format_of(fields[-1], "gb", DAY) is None
    result = apply_grammar(fields[-1], "gb", DAY)
    assert (result.text, result.format, result.corrected) == ("OY09FEU", "gb_current", True)


def test_every_real_uk_dev_plate_is_valid_and_unchanged(uk_dev_dir: Path) -> None:
    with (uk_dev_dir / "labels.csv").open(newline="") as f:
        plates = [row["plate"] for row in csv.DictReader(f)]
    assert len(plates) == 9
    for plate in plates:
        result = apply_grammar(plate, "gb", DAY)
        assert result.valid, plate
        assert result.format in GB_FORMATS, plate
        assert (result.text, result.corrected) == (plate, False), plate


@pytest.mark.parametrize(
    ("text", "valid", "fmt"),
    [
        ("AB12CDE", True, "gb_current"),
        ("b 123 ab", True, None),  # a plate of no known format is still valid in region any
        ("ZG1234AB", True, "hr_rs"),
        ("W053011", True, None),  # Polish special plate: fits nothing, repaired into nothing
        ("1234", False, None),  # digits only: timestamps, overlays
        ("TAXI", False, None),  # letters only: badges, words
        ("A1B", False, None),  # too short
        ("ABCDE123456", False, None),  # too long
        ("", False, None),
    ],
)
def test_any_region_keeps_reads_that_need_no_repair(text: str, valid: bool, fmt: str | None) -> None:
    result = apply_grammar(text, "any", DAY)
    assert (result.text, result.valid, result.format, result.corrected) == (
        normalise(text),
        valid,
        fmt,
        False,
    )
    assert format_of(text, "any") == fmt


def test_unknown_region_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown plate region"):
        apply_grammar("AB12CDE", "fr", DAY)  # type: ignore[arg-type]


def test_default_date_is_today() -> None:
    assert apply_grammar("AB12CDE", "gb").format == "gb_current"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("0", "O", True), ("O", "D", True), ("1", "I", True), ("T", "7", True), ("1", "7", False)]
    + [("U", "0", True), ("0", "U", True), ("B", "8", True), ("A", "B", False), ("C", "C", True)],
)
def test_is_confusable(a: str, b: str, expected: bool) -> None:
    assert is_confusable(a, b) is expected


def test_confusion_is_one_way_for_u() -> None:
    assert "0" in confusable_with("U")
    assert "U" not in confusable_with("0")


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("AB12CDE", "AB12CDE", 0),
        ("AB12CDE", "A812CDE", 0),
        ("AB12CDE", "A8I2C0E", 0),
        ("AB12CDE", "AB12CDF", 1),
        ("AB12CDE", "AB12CD", 1),
        ("AB12CDE", "XB12CDE1", 2),
        ("AB12CDE", "XY34FGH", 7),
        ("", "ABC", 3),
    ],
)
def test_confusable_distance(a: str, b: str, distance: int) -> None:
    assert confusable_distance(a, b) == distance
    assert confusable_distance(b, a) == distance


def test_within_one_confusable_edit_agrees_with_the_distance() -> None:
    rng = random.Random(3)
    alphabet = "AB128OD0IZ5S"
    for _ in range(3000):
        a = "".join(rng.choices(alphabet, k=rng.randint(0, 8)))
        b = "".join(rng.choices(alphabet, k=rng.randint(0, 8)))
        if rng.random() < 0.5 and a:  # make close pairs common
            i = rng.randrange(len(a))
            b = a[:i] + rng.choice(["", rng.choice(alphabet), a[i] + rng.choice(alphabet)]) + a[i + 1 :]
        assert within_one_confusable_edit(a, b) is (confusable_distance(a, b) <= 1), (a, b)
