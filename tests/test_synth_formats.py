"""Synthetic plate texts: UK strings must pass the UK grammar; every label is in the plate alphabet."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pytest

from detect.reading.grammar import format_of
from offline.synth.formats import ALL_GENERATORS, CHARSET, FAMILY_WEIGHTS, GB_GENERATORS

# DOMAIN.md section 3 regex set, independent of detect.reading.grammar.
_DOMAIN_GB = {
    "gb_current": r"[A-HK-PR-TV-Y][A-HJ-PR-Y](0[2-9]|[1-4][0-9]|5[1-9]|[6-9][0-9])[A-HJ-PR-Z]{3}",
    "gb_prefix": r"[A-HJ-NPR-TV-Y][1-9][0-9]{0,2}[A-HJ-PR-Y]{3}",
    "gb_suffix": r"[A-HJ-PR-Y]{3}[1-9][0-9]{0,2}[A-HJ-NPR-TV-Y]",
    "gb_dateless": r"[A-Z]{1,3}[1-9][0-9]{0,3}|[1-9][0-9]{0,3}[A-Z]{1,3}",
    "gb_ni": r"[A-Z]([A-Z][IZ]|[IZ][A-Z])[1-9][0-9]{0,3}",
}


@pytest.mark.parametrize("layout", sorted(GB_GENERATORS))
def test_uk_texts_are_valid_by_the_grammar(layout: str) -> None:
    rng = np.random.default_rng(123)
    on = date(2026, 11, 1)  # the generator issues age identifiers up to September 2026 (76)
    for _ in range(500):
        text = GB_GENERATORS[layout](rng)
        assert format_of(text.label, "gb", on_date=on) is not None, text
        assert re.fullmatch(_DOMAIN_GB[layout], text.label), text


def test_current_format_covers_march_and_september_age_identifiers() -> None:
    rng = np.random.default_rng(5)
    ages = {GB_GENERATORS["gb_current"](rng).label[2:4] for _ in range(3000)}
    assert {"02", "26", "51", "76"} <= ages
    assert not ages & {"00", "01", "27", "50", "77"}


@pytest.mark.parametrize("layout", sorted(ALL_GENERATORS))
def test_every_label_uses_only_the_plate_alphabet(layout: str) -> None:
    rng = np.random.default_rng(9)
    for _ in range(200):
        text = ALL_GENERATORS[layout](rng)
        assert text.label and set(text.label) <= set(CHARSET), text
        assert 2 <= len(text.label) <= 8


def test_family_weights_cover_every_layout_and_sum_to_one() -> None:
    assert set(FAMILY_WEIGHTS) == set(ALL_GENERATORS)
    assert sum(FAMILY_WEIGHTS.values()) == pytest.approx(1.0)


# Published national formats (independent of the generator and of detect.reading.grammar): L letter, D digit.
_NATIONAL = {
    "eu_sk": r"(BA|BB|BL|KE|NR|RK|LM|TT|ZA|PO|[A-Z]{2})[0-9]{3}[A-HJ-NP-Z]{2}",
    "eu_cz": r"[1-9][A-FH-NPR-VX-Z][A-FH-NPR-VX-Z0-9][0-9]{4}",
    "eu_fr": r"[A-HJ-NP-TV-Z]{2}[0-9]{3}[A-HJ-NP-TV-Z]{2}",
    "eu_it": r"[A-HJ-NPR-TV-Z]{2}[0-9]{3}[A-HJ-NPR-TV-Z]{2}",
    "eu_es": r"[0-9]{4}[B-DF-HJ-NP-TV-Z]{3}",
    "eu_hr": r"[A-Z]{2}[1-9][0-9]{2,3}[A-Z]{1,2}",
    "eu_pl": r"[A-Z]{2,3}[1-9][0-9A-Z]{3,5}",
    "eu_de": r"[A-PR-Z]{1,3}[A-PR-Z]{1,2}[1-9][0-9]{0,3}",
    "eu_nl": r"[0-9]{2}[B-Z]{3}[0-9]|[0-9][B-Z]{3}[0-9]{2}|[B-Z]{2}[0-9]{3}[B-Z]|[B-Z]{3}[0-9]{2}[B-Z]",
    "br_mercosul": r"[A-Z]{3}[0-9][A-Z][0-9]{2}",
}


@pytest.mark.parametrize("layout", sorted(_NATIONAL))
def test_foreign_texts_follow_their_national_format(layout: str) -> None:
    rng = np.random.default_rng(77)
    for _ in range(300):
        text = ALL_GENERATORS[layout](rng)
        assert re.fullmatch(_NATIONAL[layout], text.label), text
        assert len(text.label) <= 8


def test_slovak_plates_are_printed_with_a_hyphen_or_an_emblem_gap() -> None:
    rng = np.random.default_rng(3)
    groups = [ALL_GENERATORS["eu_sk"](rng).groups for _ in range(400)]
    hyphened = [g for g in groups if g[1] == "-"]
    assert 0.2 < len(hyphened) / len(groups) < 0.5
    assert all(len(g[0]) == 2 for g in groups), "the district code is its own group"
