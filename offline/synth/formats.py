"""Plate texts for the synthetic generator: UK formats valid by DVLA rules, plus foreign layouts.

Every generator returns the characters grouped as they are printed (`groups`); the training
label is the groups joined with separators removed. UK strings follow DOMAIN.md section 3, so
`detect.grammar.format_of(label, "gb")` accepts them.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

CHARSET = string.digits + string.ascii_uppercase  # the recogniser's alphabet, CTC blank excluded

_ALL = string.ascii_uppercase
_GB_REGION = "ABCDEFGHKLMNOPRSTVWXY"  # memory tag letter 1: never I J Q U Z
_GB_OFFICE = "ABCDEFGHJKLMNOPRSTUVWXY"  # letter 2: never I Q Z
_GB_RANDOM = "ABCDEFGHJKLMNOPRSTUVWXYZ"  # letters 5-7: never I Q
_GB_YEAR_LETTER = "ABCDEFGHJKLMNPRSTVWXY"  # prefix/suffix year letter: never I O Q U Z
_GB_SERIAL = "ABCDEFGHJKLMNOPRSTUVWXY"  # prefix/suffix serial letters: never I Q Z
_NI_CODES = (
    "IA IB IG IJ IL IW JI JZ KZ LZ MZ NZ OI OZ PZ RZ SZ TZ UI UZ VZ WZ XI XZ YZ AZ BZ CZ DZ EZ FZ GZ HZ"
).split()
# Age identifiers issued up to September 2026: 02..26 (March) and 51..76 (September).
GB_AGE_IDS = tuple(f"{y:02d}" for y in range(2, 27)) + tuple(str(y) for y in range(51, 77))


@dataclass(frozen=True, slots=True)
class PlateText:
    layout: str  # e.g. "gb_current", "eu_de", "us", "br_mercosul"
    groups: tuple[str, ...]  # printed groups; "-" is a printed separator, not part of the label
    country: str  # band code printed on EU plates; "GB"/"UK" or "" for UK; "" elsewhere

    @property
    def label(self) -> str:
        return "".join(c for g in self.groups for c in g if c in CHARSET)


def _pick(rng: np.random.Generator, alphabet: str, n: int = 1) -> str:
    return "".join(alphabet[int(i)] for i in rng.integers(0, len(alphabet), size=n))


def _number(rng: np.random.Generator, max_digits: int) -> str:
    """1..max_digits digits with no leading zero; short numbers as common as long ones."""
    n = int(rng.integers(1, max_digits + 1))
    return _pick(rng, "123456789") + _pick(rng, string.digits, n - 1)


def gb_current(rng: np.random.Generator) -> PlateText:
    tag = _pick(rng, _GB_REGION) + _pick(rng, _GB_OFFICE)
    age = GB_AGE_IDS[int(rng.integers(len(GB_AGE_IDS)))]
    return PlateText("gb_current", (tag + age, _pick(rng, _GB_RANDOM, 3)), "UK")


def gb_prefix(rng: np.random.Generator) -> PlateText:
    year = _pick(rng, _GB_YEAR_LETTER)
    return PlateText("gb_prefix", (year + _number(rng, 3), _pick(rng, _GB_SERIAL, 3)), "UK")


def gb_suffix(rng: np.random.Generator) -> PlateText:
    return PlateText(
        "gb_suffix", (_pick(rng, _GB_SERIAL, 3), _number(rng, 3) + _pick(rng, _GB_YEAR_LETTER)), "UK"
    )


def gb_dateless(rng: np.random.Generator) -> PlateText:
    n_letters = int(rng.integers(1, 4))
    letters = _pick(rng, _ALL, n_letters)
    # Dateless marks run to six characters; three letters and four digits is Northern Irish.
    digits = _number(rng, 4 if n_letters < 3 else 3)
    groups = (letters, digits) if rng.random() < 0.6 else (digits, letters)
    return PlateText("gb_dateless", groups, "UK")


def gb_ni(rng: np.random.Generator) -> PlateText:
    code = _NI_CODES[int(rng.integers(len(_NI_CODES)))]
    return PlateText("gb_ni", (_pick(rng, _ALL) + code, _number(rng, 4)), "UK")


_EU_LETTERS = "ABCDEFGHJKLMNPRSTUVXYZ"  # most EU series skip I, O, Q (and W) to avoid 1/0 confusion


def _eu_de(rng: np.random.Generator) -> PlateText:
    city = _pick(rng, _ALL.replace("Q", ""), int(rng.integers(1, 4)))
    letters = _pick(rng, _ALL.replace("Q", ""), int(rng.integers(1, 3)))
    # German marks have at most eight characters; the stickers sit between city and letters,
    # older plates print a hyphen there instead.
    number = _number(rng, min(4, 8 - len(city) - len(letters)))
    if rng.random() < 0.2:
        return PlateText("eu_de", (city, "-", letters, number), "D")
    return PlateText("eu_de", (city, letters, number), "D")


_HR_CITIES = ("ZG", "RI", "ST", "OS", "PU", "ZD", "KA", "SK", "VZ", "DU", "BJ", "CK", "SB", "VU")


def _eu_hr(rng: np.random.Generator) -> PlateText:
    city = _HR_CITIES[int(rng.integers(len(_HR_CITIES)))]
    digits = _pick(rng, "123456789") + _pick(rng, string.digits, int(rng.integers(2, 4)))
    return PlateText("eu_hr", (city, digits, "-", _pick(rng, _ALL, int(rng.integers(1, 3)))), "HR")


# Slovak district codes (1997-2022 series; the 2023 series keeps the LL DDD LL shape).
_SK_DISTRICTS = (
    "BA BL BB BJ BN BR BS BY CA DK DS DT GA GL HC HE IL KA KE KK KM KN KS LC LE LM LV MA MI ML MT "
    "NM NO NR NZ PB PD PE PK PN PO PP PT PU RA RK RS RV SA SB SC SE SI SK SL SN SO SP SV TN TO TR "
    "TS TT TV VK VT ZA ZC ZH ZI ZM ZV"
).split()


def _eu_sk(rng: np.random.Generator) -> PlateText:
    district = _SK_DISTRICTS[int(rng.integers(len(_SK_DISTRICTS)))]
    rest = _pick(rng, string.digits, 3) + _pick(rng, _EU_LETTERS, 2)
    # Printed with a hyphen after the district, or with the shield or round stickers there instead.
    if rng.random() < 0.35:
        return PlateText("eu_sk", (district, "-", rest), "SK")
    return PlateText("eu_sk", (district, rest), "SK")


def _eu_fr(rng: np.random.Generator) -> PlateText:
    letters = _ALL.translate(str.maketrans("", "", "IOU"))
    return PlateText(
        "eu_fr",
        (_pick(rng, letters, 2), "-", _pick(rng, string.digits, 3), "-", _pick(rng, letters, 2)),
        "F",
    )


def _eu_pl(rng: np.random.Generator) -> PlateText:
    district = _pick(rng, _EU_LETTERS, int(rng.integers(2, 4)))
    rest_len = 7 - len(district) + int(rng.random() < 0.3)
    rest = _pick(rng, "123456789") + _pick(rng, string.digits + _EU_LETTERS, rest_len - 1)
    return PlateText("eu_pl", (district, rest), "PL")


def _eu_cz(rng: np.random.Generator) -> PlateText:
    letters = _ALL.translate(str.maketrans("", "", "GOQW"))
    third = _pick(rng, string.digits) if rng.random() < 0.5 else _pick(rng, letters)
    region = _pick(rng, "123456789") + _pick(rng, letters) + third
    return PlateText("eu_cz", (region, _pick(rng, string.digits, 4)), "CZ")


def _eu_it(rng: np.random.Generator) -> PlateText:
    letters = _ALL.translate(str.maketrans("", "", "IOQU"))
    return PlateText(
        "eu_it", (_pick(rng, letters, 2), _pick(rng, string.digits, 3) + _pick(rng, letters, 2)), "I"
    )


def _eu_es(rng: np.random.Generator) -> PlateText:
    return PlateText("eu_es", (_pick(rng, string.digits, 4), _pick(rng, "BCDFGHJKLMNPRSTVWXYZ", 3)), "E")


def _eu_nl(rng: np.random.Generator) -> PlateText:
    letters = "BDFGHJKLNPRSTVXZ"  # Dutch series use consonants only
    d, lt = string.digits, letters
    shapes = ((d, 2, lt, 3, d, 1), (d, 1, lt, 3, d, 2), (lt, 2, d, 3, lt, 1), (lt, 3, d, 2, lt, 1))
    a, na, b, nb, c, nc = shapes[int(rng.integers(len(shapes)))]
    return PlateText("eu_nl", (_pick(rng, a, na), "-", _pick(rng, b, nb), "-", _pick(rng, c, nc)), "NL")


def _eu_srb(rng: np.random.Generator) -> PlateText:
    city = ("BG", "NS", "NI", "KG", "SU", "CA")[int(rng.integers(6))]
    digits = _pick(rng, "123456789") + _pick(rng, string.digits, int(rng.integers(2, 4)))
    return PlateText("eu_srb", (city, digits, "-", _pick(rng, _ALL, 2)), "SRB")


def us(rng: np.random.Generator) -> PlateText:
    """Common US passenger formats (CA 1ABC234, NY/PA ABC1234, TX ABC-1234, NJ A12BCD, NYC taxi
    T123456C, short vanity strings)."""
    style = int(rng.integers(8))
    d, lt = string.digits, _ALL
    groups: tuple[str, ...]
    if style == 0:
        groups = (_pick(rng, "123456789") + _pick(rng, lt, 3) + _pick(rng, d, 3),)
    elif style == 1:
        groups = (_pick(rng, lt, 3), _pick(rng, d, 4))
    elif style == 2:
        groups = (_pick(rng, lt, 3), "-", _pick(rng, d, 4))
    elif style == 3:
        groups = (_pick(rng, d, 3), _pick(rng, lt, 3))
    elif style == 4:
        groups = (_pick(rng, lt) + _pick(rng, d, 2), _pick(rng, lt, 3))
    elif style == 5:
        groups = ("T" + _pick(rng, d, 6) + "C",)
    elif style == 6:
        groups = (_pick(rng, lt + d, int(rng.integers(3, 8))),)
    else:
        groups = (_pick(rng, lt, 3), _pick(rng, d, 3))
    return PlateText("us", groups, "")


def br_mercosul(rng: np.random.Generator) -> PlateText:
    text = _pick(rng, _ALL, 3) + _pick(rng, string.digits) + _pick(rng, _ALL) + _pick(rng, string.digits, 2)
    return PlateText("br_mercosul", (text,), "")


def br_old(rng: np.random.Generator) -> PlateText:
    """Pre-Mercosul grey Brazilian plate, LLL-DDDD, printed under a city strip ("SP - CAMPINAS")."""
    return PlateText("br_old", (_pick(rng, _ALL, 3), "-", _pick(rng, string.digits, 4)), "")


def ar_old(rng: np.random.Generator) -> PlateText:
    """Argentina 1995-2016: black plate, white LLL DDD."""
    return PlateText("ar_old", (_pick(rng, _ALL, 3), _pick(rng, string.digits, 3)), "")


def ar_mercosur(rng: np.random.Generator) -> PlateText:
    """Argentina since 2016: LL DDD LL under a blue "REPUBLICA ARGENTINA" strip."""
    return PlateText(
        "ar_mercosur", (_pick(rng, _ALL, 2), _pick(rng, string.digits, 3), _pick(rng, _ALL, 2)), ""
    )


_ID_REGIONS = ("B", "D", "F", "T", "E", "A", "AB", "AD", "BE", "BK", "DK", "KB", "L", "N", "W", "H", "G", "Z")


def id_plate(rng: np.random.Generator) -> PlateText:
    """Indonesia: region code, 1-4 digits, 0-3 letters (B 1234 XYZ), white on black, with a
    month.year row below that is not part of the registration."""
    region = _ID_REGIONS[int(rng.integers(len(_ID_REGIONS)))]
    digits = _number(rng, 4)
    # Up to 3 letters, 8 characters in all (9-character plates exist but are rare).
    suffix = _pick(rng, _ALL, min(int(rng.integers(0, 4)), 8 - len(region) - len(digits)))
    groups = (region, digits) + ((suffix,) if suffix else ())
    return PlateText("id_plate", groups, "")


TextGenerator = Callable[[np.random.Generator], PlateText]

GB_GENERATORS: dict[str, TextGenerator] = {
    "gb_current": gb_current,
    "gb_prefix": gb_prefix,
    "gb_suffix": gb_suffix,
    "gb_dateless": gb_dateless,
    "gb_ni": gb_ni,
}
EU_GENERATORS: dict[str, TextGenerator] = {
    "eu_de": _eu_de,
    "eu_hr": _eu_hr,
    "eu_fr": _eu_fr,
    "eu_pl": _eu_pl,
    "eu_cz": _eu_cz,
    "eu_it": _eu_it,
    "eu_es": _eu_es,
    "eu_nl": _eu_nl,
    "eu_srb": _eu_srb,
    "eu_sk": _eu_sk,
}
OTHER_GENERATORS: dict[str, TextGenerator] = {
    "us": us,
    "br_mercosul": br_mercosul,
    "br_old": br_old,
    "ar_old": ar_old,
    "ar_mercosur": ar_mercosur,
    "id_plate": id_plate,
}
ALL_GENERATORS: dict[str, TextGenerator] = {**GB_GENERATORS, **EU_GENERATORS, **OTHER_GENERATORS}

# How often each family is drawn: the street is in the UK, but the model must not be UK-only.
FAMILY_WEIGHTS: dict[str, float] = {
    "gb_current": 0.26,
    "gb_prefix": 0.03,
    "gb_suffix": 0.03,
    "gb_dateless": 0.03,
    "gb_ni": 0.03,
    **{name: 0.36 / len(EU_GENERATORS) for name in EU_GENERATORS},
    "us": 0.10,
    "br_mercosul": 0.04,
    "br_old": 0.03,
    "ar_old": 0.025,
    "ar_mercosur": 0.025,
    "id_plate": 0.04,
}
