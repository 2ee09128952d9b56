"""Multi-frame plate consensus on constructed read sequences."""

from __future__ import annotations

import random
import string
from datetime import UTC, date, datetime, timedelta

import pytest

from detect.consensus import Consensus, plate_consensus, track_consensus
from detect.reading.grammar import apply_grammar
from detect.records import PlateRead

T0 = datetime(2026, 11, 22, 23, 15, tzinfo=UTC)
DAY = date(2026, 11, 22)


def read(
    text: str, confidence: float, frame: int = 0, reader: str = "easyocr", box_x: float = 0.0
) -> PlateRead:
    return PlateRead(
        raw_text=text,
        text=text,
        confidence=confidence,
        timestamp=T0 + timedelta(milliseconds=200 * frame),
        box=(box_x, 10.0, box_x + 50.0, 22.0),
        reader=reader,
    )


def consensus(reads: list[PlateRead], region: str = "gb") -> Consensus:
    result = track_consensus(reads, "gb" if region == "gb" else "any", DAY)
    assert result is not None
    return result


def test_empty_track_has_no_consensus() -> None:
    assert plate_consensus([], "gb") is None
    assert track_consensus([], "gb") is None


def test_reads_without_text_give_no_consensus() -> None:
    assert plate_consensus([read("", 0.5), read(" -- ", 0.4)], "gb") is None


def test_unanimous_track() -> None:
    reads = [read("AB12CDE", 0.7, 0), read("AB12 CDE", 0.9, 1, box_x=5.0), read("ab12cde", 0.8, 2)]
    result = consensus(reads)
    plate = result.read
    assert (plate.text, plate.raw_text, plate.reader) == ("AB12CDE", "AB12CDE", "consensus")
    assert (plate.grammar_valid, plate.grammar_format) == (True, "gb_current")
    assert (result.support, result.total, result.clusters, result.readers) == (3, 3, 1, ("easyocr",))
    assert 0.9 < plate.confidence < 1.0
    # Time and box come from the best supporting read (confidence 0.9, frame 1).
    assert plate.timestamp == reads[1].timestamp
    assert plate.box == reads[1].box


def test_thin_wrapper_returns_the_same_read() -> None:
    reads = [read("AB12CDE", 0.8, i) for i in range(3)]
    assert plate_consensus(reads, "gb", DAY) == consensus(reads).read


def test_majority_with_confusable_misreads() -> None:
    reads = [
        read("AB12CDE", 0.8, 0),
        read("A812CDE", 0.7, 1),  # B read as 8: a valid prefix plate on its own
        read("AB1ZCDE", 0.6, 2),  # 2 read as Z: the grammar repairs it
        read("AB12CDE", 0.8, 3),
    ]
    result = consensus(reads)
    assert (result.read.text, result.read.raw_text) == ("AB12CDE", "AB12CDE")
    assert (result.clusters, result.support) == (1, 3)


def test_every_frame_misread_the_same_way_is_repaired_by_the_grammar() -> None:
    result = consensus([read("AB1ZCDE", 0.8, i) for i in range(3)])
    assert (result.read.text, result.read.raw_text, result.read.grammar_valid) == ("AB12CDE", "AB1ZCDE", True)
    assert result.support == 3
    # A repaired character was never read as such: less sure than a track that read it directly.
    direct = consensus([read("AB12CDE", 0.8, i) for i in range(3)])
    assert result.read.confidence < direct.read.confidence


def test_bigger_cluster_wins_when_a_track_holds_two_plates() -> None:
    mine = [read("AB12CDE", 0.7, i) for i in range(3)]
    other = [read("XY34FGH", 0.9, 10 + i) for i in range(2)]
    result = consensus(mine + other)
    assert (result.read.text, result.clusters, result.support, result.total) == ("AB12CDE", 2, 3, 5)
    assert result.read.confidence < consensus(mine).read.confidence
    # Turn the balance and the other plate wins.
    assert consensus(mine[:1] + other).read.text == "XY34FGH"


def test_single_low_confidence_read_is_not_inflated() -> None:
    result = consensus([read("AB12CDE", 0.3)])
    assert result.read.confidence == pytest.approx(0.3)
    assert (result.support, result.total, result.clusters) == (1, 1, 1)


def test_disagreement_lowers_confidence() -> None:
    agree = consensus([read("AB12CDE", 0.8, i) for i in range(3)])
    disagree = consensus([read("AB12CDE", 0.8, 0), read("AB12CDE", 0.8, 1), read("AB12CDF", 0.8, 2)])
    assert disagree.read.text == "AB12CDE"
    assert disagree.clusters == 1  # one edit apart: same plate, misread
    assert disagree.read.confidence < agree.read.confidence


def test_length_disagreement_lowers_confidence() -> None:
    agree = consensus([read("AB12CDE", 0.8, i) for i in range(3)])
    short = consensus([read("AB12CDE", 0.8, i) for i in range(3)] + [read("AB12CD", 0.8, 3)])
    assert short.read.text == "AB12CDE"
    assert short.read.confidence < agree.read.confidence


def test_agreement_across_two_readers_raises_confidence() -> None:
    one_reader = consensus([read("AB12CDE", 0.8, i) for i in range(3)])
    two_readers = consensus(
        [read("AB12CDE", 0.8, 0), read("AB12CDE", 0.8, 1), read("AB12CDE", 0.8, 2, "rapidocr")]
    )
    assert two_readers.readers == ("easyocr", "rapidocr")
    assert two_readers.read.confidence > one_reader.read.confidence


def test_readers_disagreeing_lowers_confidence() -> None:
    agree = consensus([read("AB12CDE", 0.8, 0), read("AB12CDE", 0.8, 1, "rapidocr")])
    disagree = consensus([read("AB12CDE", 0.8, 0), read("AB12CDF", 0.8, 1, "rapidocr")])
    assert disagree.read.confidence < agree.read.confidence


def test_confidence_rises_with_agreeing_frames_and_stays_below_one() -> None:
    values = [consensus([read("AB12CDE", 0.8, i) for i in range(n)]).read.confidence for n in (1, 2, 3, 5)]
    assert values == sorted(values)
    assert len(set(values)) == len(values)
    many = consensus([read("AB12CDE", 0.99, i) for i in range(50)]).read.confidence
    assert many < 1.0
    many_two_readers = consensus(
        [read("AB12CDE", 0.99, i, "easyocr" if i % 2 else "rapidocr") for i in range(50)]
    ).read.confidence
    assert many < many_two_readers < 1.0


def test_frame_votes_settle_what_the_grammar_cannot() -> None:
    # 0Y09FEU alone could be OY09FEU or DY09FEU; one frame that saw the letter O decides.
    result = consensus([read("0Y09FEU", 0.8, 0), read("OY09FEU", 0.5, 1), read("0Y09FEU", 0.8, 2)])
    assert (result.read.text, result.read.grammar_valid) == ("OY09FEU", True)
    assert result.read.raw_text == "0Y09FEU"  # what the readers mostly returned


def test_unsettled_ambiguity_stays_invalid_and_low() -> None:
    result = consensus([read("0Y09FEU", 0.9, i) for i in range(3)])
    assert (result.read.text, result.read.grammar_valid, result.read.grammar_format) == (
        "0Y09FEU",
        False,
        None,
    )
    assert result.alternatives == ("DY09FEU", "OY09FEU")
    assert result.read.confidence < 0.6


@pytest.mark.parametrize(
    ("eights", "bees", "expected"),
    [(1, 3, "AB12CDE"), (3, 1, "A812CDE")],
)
def test_prefix_or_current_is_decided_by_the_frames(eights: int, bees: int, expected: str) -> None:
    reads = [read("A812CDE", 0.8, i) for i in range(eights)] + [
        read("AB12CDE", 0.8, 10 + i) for i in range(bees)
    ]
    result = consensus(reads)
    assert result.read.text == expected
    assert result.clusters == 1


def test_best_read_is_a_supporting_one() -> None:
    reads = [read("AB12CDE", 0.6, 0, box_x=1.0), read("AB12CDE", 0.7, 1, box_x=2.0), read("AB12CDF", 0.95, 2)]
    result = consensus(reads)
    assert result.read.text == "AB12CDE"
    assert result.read.box == reads[1].box


def test_default_date_comes_from_the_reads() -> None:
    before = datetime(2026, 2, 28, 12, tzinfo=UTC)
    after = datetime(2026, 3, 1, 12, tzinfo=UTC)
    for when, fmt in ((before, "gb_current_unissued"), (after, "gb_current")):
        plate = PlateRead(raw_text="AB26CDE", text="AB26CDE", confidence=0.8, timestamp=when)
        result = plate_consensus([plate], "gb")
        assert result is not None
        assert result.grammar_format == fmt


def test_region_any_repairs_with_national_formats() -> None:
    result = consensus([read("OYO9FEU", 0.8, i) for i in range(2)], region="any")
    assert (result.read.text, result.read.grammar_valid, result.read.grammar_format) == (
        "OY09FEU",
        True,
        "gb_current",
    )


def test_region_any_ambiguous_read_is_left_as_voted() -> None:
    # Croatian RK1230I and Brazilian RKI2301 are each one swap away: the votes do not choose.
    result = consensus([read("RK12301", 0.8, i) for i in range(3)], region="any")
    assert result.read.text == "RK12301"


def test_two_hundred_unrelated_reads_are_handled() -> None:
    rng = random.Random(7)
    alphabet = string.ascii_uppercase + string.digits
    reads = [read("".join(rng.choices(alphabet, k=7)), rng.uniform(0.1, 0.9), i) for i in range(200)]
    result = consensus(reads)
    assert result.total == 200
    assert result.clusters > 100
    assert result.read.confidence < 0.1  # the winning "plate" has almost none of the track's weight


def test_overlong_text_is_not_a_plate() -> None:
    result = consensus([read("AB12CDE", 0.6), read("THEQUICKBROWNFOXJUMPS", 0.9, 1)])
    assert (result.read.text, result.total, result.clusters) == ("AB12CDE", 2, 1)
    assert plate_consensus([read("X" * 500, 0.9)], "gb") is None


def test_reads_of_the_whole_plate_outvote_a_frame_that_dropped_its_first_character() -> None:
    # The real vn_toll.mp4 track of Vietnamese 34A23126: two frames read it whole (no layout we know
    # fits it), one dropped the 3 and so fits the Czech layout, weighed x1.5 for being valid.
    whole = [read("34A23126", 0.41, 0), read("34A23126", 0.56, 2)]
    dropped = read("4A23126", 0.61, 1)
    assert apply_grammar("4A23126", "gb").valid and not apply_grammar("34A23126", "gb").valid
    result = plate_consensus([*whole, dropped], "gb")
    assert result is not None and result.text == "34A23126"
    assert result.confidence < 0.5, "the frames disagree: the whole read is kept, but not trusted"
    # With too little weight behind the whole read the shorter one stands (a stray extra character).
    faint = plate_consensus([read("34A23126", 0.1, 0), dropped], "gb")
    assert faint is not None and faint.text == "4A23126"


def test_a_band_letter_read_in_front_does_not_make_a_longer_plate() -> None:
    # P read from a Slovak band in front of RK755AJ: not a character of the plate.
    # Both valid in region any; heavy enough that a digit in the P's place would win (0.9 >= 0.5 x 1.1).
    reads = [read("RK755AJ", 0.6, 0), read("RK755AJ", 0.5, 1), read("PRK755AJ", 0.9, 2)]
    assert apply_grammar("PRK755AJ", "any").valid
    digit = plate_consensus([*reads[:2], read("7RK755AJ", 0.9, 2)], "any")
    assert digit is not None and digit.text == "7RK755AJ"
    result = plate_consensus(reads, "any")
    assert result is not None and result.text == "RK755AJ"
