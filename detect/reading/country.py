"""Which country a plate read belongs to, decided from evidence before any correction.

Evidence, strongest first: the country letters of the plate's band when the reader returned them
in front of the registration (``F``, ``NL``, ``GB``, ``UK``...), then the text as read: a text that
fits a British format as it stands is British; one that fits a foreign national format as it
stands is foreign. Only a read that neither explains may be corrected into a British format
(`detect.reading.grammar`). Pure Python, so `intel_api` can ask whether a stored plate is British.
"""

from __future__ import annotations

from functools import lru_cache

from detect.reading.grammar_confusion import confusable_with
from detect.reading.grammar_national import NATIONAL_FORMATS, NationalFormat

__all__ = [
    "BAND_COUNTRIES",
    "FOREIGN_BAND_FORMAT",
    "GB_BAND_CODES",
    "band_country",
    "country_of_format",
    "foreign_formats_of",
    "outside_europe",
    "outside_europe_formats_of",
    "is_foreign_format",
    "is_uk_format",
    "NY_TLC_FORMAT",
    "ny_tlc_repair",
]

NY_TLC_FORMAT = "us_ny_tlc"

# Distinguishing signs printed in EU bands (Vienna Convention codes) -> ISO 3166 country.
BAND_COUNTRIES = {
    "A": "AT",
    "B": "BE",
    "BG": "BG",
    "CZ": "CZ",
    "D": "DE",
    "DK": "DK",
    "E": "ES",
    "EST": "EE",
    "F": "FR",
    "FIN": "FI",
    "GR": "GR",
    "H": "HU",
    "HR": "HR",
    "I": "IT",
    "IRL": "IE",
    "L": "LU",
    "LT": "LT",
    "LV": "LV",
    "NL": "NL",
    "P": "PT",
    "PL": "PL",
    "RO": "RO",
    "S": "SE",
    "SK": "SK",
    "SLO": "SI",
    "SRB": "RS",
}
GB_BAND_CODES = frozenset({"GB", "UK", "NI", "GBM", "GBZ", "GBJ", "GBG"})
# Format of a read whose band names a foreign country but whose text fits no format we know.
FOREIGN_BAND_FORMAT = "foreign_band"

_CONSONANTS = "AEIOUCQMWY"  # Dutch series since 1978 avoid vowels, C, Q and (mostly) M, W, Y
# The Netherlands' sidecodes 4-14 (six characters in three groups). Not in region "any"'s table,
# whose formats it would make ambiguous; used here only to recognise a Dutch read as it stands.
_DUTCH = tuple(
    NationalFormat(f"nl_{n}", pattern, _CONSONANTS, repair_target=False)
    for n, pattern in (
        (4, "L{2}D{2}L{2}"),
        (5, "L{2}L{2}D{2}"),
        (6, "D{2}L{2}L{2}"),
        (7, "D{2}L{3}D"),
        (8, "DL{3}D{2}"),
        (9, "L{2}D{3}L"),
        (10, "LD{3}L{2}"),
        (11, "L{3}D{2}L"),
        (12, "LD{2}L{3}"),
        (13, "DL{2}D{3}"),
        (14, "D{3}L{2}D"),
    )
)
# Layouts outside Europe that British cameras also meet and that the real crops show: the commonest
# US passenger layouts not already covered (LLL DDDD is Brazil's too; DDD LLL and LLL DDD are
# British dateless marks as read, so British wins there) and Indonesia's area-number-suffix plates.
_OTHER = (
    NationalFormat("us_dlllddd", "DL{3}D{3}", repair_target=False),
    # Layouts that begin with a digit, or whose digits begin with 0, are never British as read (the
    # British reversed dateless mark has no leading 0); the real US and Argentinian crops show them
    # "repaired" into prefix or NI plates (033FDH -> D33FDH, HML050 -> HM1050, 2483 -> ZA83).
    NationalFormat("us_dddlll", "D{3}L{3}", repair_target=False),
    NationalFormat("us_ar_lllddd", "L{3}D{3}", repair_target=False),
    NationalFormat("us_d5l2", "D{5}L{2}", repair_target=False),
    NationalFormat("us_dlddl", "DLD{2}L", repair_target=False),
    # New York City's Taxi and Limousine Commission plates: T, six digits, C (a fifth of the US real
    # crops). Readers drop the frame letters or read T as 1 and C as 0.
    NationalFormat(NY_TLC_FORMAT, "TD{6}C", repair_target=False),
    # Digits only: US, Canadian and many older plates. Not seven: a British diplomatic DDD D DDD
    # read with 0 for its D must stay correctable.
    NationalFormat("digits", "D{4,6}", repair_target=False),
    # Indonesia: area letters, 1-4 digits, 1-3 suffix letters. The two-letter area with two digits
    # is left out: LL DD LLL is the British current layout, whose misreads (an I or Q among the
    # last letters) must stay correctable.
    NationalFormat("id", "L[1-9]D{0,3}L{1,3}", repair_target=False),
    NationalFormat("id_2", "L{2}[1-9](D{2,3})?L{1,3}", repair_target=False),
)
# Poland's series (a 2- or 3-letter district, then a mix the law lists; LL DDDDD is region any's
# `pl_no`). A UK current read with one letter misread as a digit can fit the 2-letter forms (AB12
# 8DE): it is then kept as read and stored as foreign, a missed read rather than a coerced one.
_POLISH = (
    NationalFormat("pl_2", "L{2}(D{4}L|D{3}L{2}|[1-9]LD{3}|[1-9]L{2}D{2})", repair_target=False),
    NationalFormat(
        "pl_3", "L{3}(LD{3}|D{2}L{2}|[1-9]LD{2}|D{2}LD|[1-9]L{2}D|L{2}D{2}|D{3}L|D{4,5})", repair_target=False
    ),
)
FOREIGN_FORMATS: tuple[NationalFormat, ...] = (
    *(f for f in NATIONAL_FORMATS if not f.name.startswith("gb_")),
    *_DUTCH,
    *_POLISH,
    *_OTHER,
)
# Format name -> the one country that issues it (None: several countries share the layout).
_FORMAT_COUNTRY: dict[str, str | None] = {
    "sk": "SK",
    "fr": "FR",
    "it": "IT",
    "hr_rs": None,
    "hr_rs_short": None,
    "pl_no": None,
    "de": "DE",
    "cz": "CZ",
    "es": "ES",
    "br": "BR",
    "br_mercosul": None,
    **{f.name: "NL" for f in _DUTCH},
    "pl_2": "PL",
    "pl_3": "PL",
    "us_dlllddd": "US",
    "us_dddlll": "US",
    "us_ar_lllddd": None,
    "us_d5l2": "US",
    "us_dlddl": "US",
    NY_TLC_FORMAT: "US",
    "digits": None,
    "id": "ID",
    "id_2": "ID",
}


_OUTSIDE_EUROPE = frozenset(f.name for f in _OTHER)


def outside_europe_formats_of(text: str) -> tuple[str, ...]:
    """Names of the layouts from outside Europe (`_OTHER`: US, Indonesian, digits only) that
    `text` (normalised) fits as read."""
    return tuple(name for name in foreign_formats_of(text) if name in _OUTSIDE_EUROPE)


def outside_europe(fmt: str | None) -> bool:
    """True when `fmt` names only layouts from outside Europe: in region ``any`` a read stored with
    such a format was kept as read on its plate's evidence (light characters on a dark ground,
    `grammar.apply_grammar`), since region ``any`` never repairs into them."""
    return fmt is not None and all(part in _OUTSIDE_EUROPE for part in fmt.split("+"))


def band_country(band: str | None) -> str | None:
    """ISO country of a band's letters: "GB" for the British codes, None when unknown or absent."""
    if not band:
        return None
    if band in GB_BAND_CODES:
        return "GB"
    return BAND_COUNTRIES.get(band)


@lru_cache(maxsize=8192)
def foreign_formats_of(text: str) -> tuple[str, ...]:
    """Names of the foreign national formats that `text` (normalised) fits exactly as read."""
    return tuple(f.name for f in FOREIGN_FORMATS if f.fits(text))


def is_uk_format(fmt: str | None) -> bool:
    """True for a British format name (``gb_current``, ``gb_ni``...; joined names all British)."""
    return fmt is not None and all(part.startswith("gb_") for part in fmt.split("+"))


def is_foreign_format(fmt: str | None) -> bool:
    """True when the stored format says the plate is not British (a foreign format or band)."""
    return fmt is not None and not is_uk_format(fmt)


def country_of_format(fmt: str | None) -> str | None:
    """ "GB", a foreign ISO code when the format names one country, or None when unknown/ambiguous."""
    if fmt is None:
        return None
    if is_uk_format(fmt):
        return "GB"
    if fmt.startswith(FOREIGN_BAND_FORMAT + "_"):
        return fmt.removeprefix(FOREIGN_BAND_FORMAT + "_").upper()
    countries = {_FORMAT_COUNTRY.get(part) for part in fmt.split("+")}
    return countries.pop() if len(countries) == 1 else None


# What a reader returns for the C that closes a TLC plate: the round glyphs (T6806680 for T680668C).
_TLC_C_READS = frozenset("C0OG")
_MAX_TLC_REPAIRS = 2


def ny_tlc_repair(raw: str) -> str | None:
    """The New York TLC plate (`us_ny_tlc`, T + six digits + C) that `raw` (normalised) is a misread
    of, or None: the frame letters read as their look-alikes (T as 1 or 7, C as 0, O or G) and
    digits as the letters they are confused with (Z for 2, O for 0), at most two characters
    repaired, each digit slot's repair unique. Seven characters ending in the letter C are the
    plate with its opening T not read at all (`636861C`), the T counted as one repair; not when
    they begin with T or a look-alike of it (1, 7, I, J, L), which may be the T itself with a digit
    dropped. Region `any` only: a TLC plate never sits on a British street reading, and the UK
    grammar keeps foreign reads as read."""
    inserted = len(raw) == 7 and raw[-1] == "C" and raw[0] not in {"T"} | confusable_with("T")
    if inserted:
        raw = "T" + raw
    if len(raw) != 8 or raw[0] not in {"T"} | confusable_with("T") or raw[-1] not in _TLC_C_READS:
        return None
    digits: list[str] = []
    for ch in raw[1:7]:
        if ch.isdigit():
            digits.append(ch)
            continue
        meant = [c for c in confusable_with(ch) if c.isdigit()]
        if len(meant) != 1:
            return None  # a letter no digit looks like, or one that looks like two (T: 1 or 7)
        digits.append(meant[0])
    fixed = "T" + "".join(digits) + "C"
    repairs = sum(a != b for a, b in zip(raw, fixed, strict=True)) + int(inserted)
    return fixed if 0 < repairs <= _MAX_TLC_REPAIRS else None
