"""Words printed on a plate that are not its registration: US state names and their slogans.

US plates carry the state's name and often a slogan in their own text rows above or below the
characters; read as one string with the registration they give `TEXASCYZ5139`. A text box whose
whole text is one of these words is dropped before the boxes are joined (`detect.reading.readers`).
"""

from __future__ import annotations

US_STATES = (
    "ALABAMA ALASKA ARIZONA ARKANSAS CALIFORNIA COLORADO CONNECTICUT DELAWARE FLORIDA GEORGIA HAWAII "
    "IDAHO ILLINOIS INDIANA IOWA KANSAS KENTUCKY LOUISIANA MAINE MARYLAND MASSACHUSETTS MICHIGAN "
    "MINNESOTA MISSISSIPPI MISSOURI MONTANA NEBRASKA NEVADA NEWHAMPSHIRE NEWJERSEY NEWMEXICO NEWYORK "
    "NORTHCAROLINA NORTHDAKOTA OHIO OKLAHOMA OREGON PENNSYLVANIA RHODEISLAND SOUTHCAROLINA "
    "SOUTHDAKOTA TENNESSEE TEXAS UTAH VERMONT VIRGINIA WASHINGTON WESTVIRGINIA WISCONSIN WYOMING "
    "DC DISTRICTOFCOLUMBIA PUERTORICO"
).split()
# Words of state names written on two rows or with a space ("NEW" / "YORK"), and common slogans and
# plate furniture words; all at least 4 letters long except where a registration cannot be a word.
PLATE_WORDS = frozenset(
    US_STATES
    + (
        "NEW NORTH SOUTH WEST RHODE ISLAND DAKOTA CAROLINA HAMPSHIRE JERSEY MEXICO YORK "
        "SUNSHINE STATE EMPIRE GARDEN LONE STAR LAND LINCOLN GREAT LAKES GRAND CANYON LIVE FREE DIE "
        "FAMOUS POTATOES WILD WONDERFUL AMERICA AMERICAS DAIRYLAND VACATIONLAND FIRST NATION "
        "NATURAL STATE PEACH TREE VOLUNTEER TREASURE SILVER GOLDEN EVERGREEN KEYSTONE CENTENNIAL "
        "ALOHA BEEHIVE HOOSIERS HEART DIXIE SWEET HOME OCEAN EQUALITY EXPLORE DISCOVER PURE "
        "MICHIGAN PURE BIG SKY COUNTRY PLATES COUNTY DEALER SOUTHERN HOSPITALITY SPORTSMANS "
        "PARADISE ENCHANTMENT ENDLESS POSSIBILITIES BEAUTIFUL INSPIRATION COMMONWEALTH "
        "FIRSTINFLIGHT FIRST FLIGHT IN GOD WE TRUST PATRIOT"
    ).split()
)
_LONG_WORDS = tuple(w for w in PLATE_WORDS if len(w) >= 6)


def _one_edit(a: str, b: str) -> bool:
    """`a` and `b` differ by at most one substitution, insertion or deletion."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def is_plate_word(text: str) -> bool:
    """True when `text` (A-Z0-9) reads as a state name or slogan word rather than a registration.

    Words carry no digits; registrations of only letters exist (cherished, some US vanity plates)
    but not ones that spell a state name. Long names match with one misread letter.
    """
    if len(text) < 4 or any(c.isdigit() for c in text):
        return False
    if text in PLATE_WORDS:
        return True
    return len(text) >= 6 and any(_one_edit(text, w) for w in _LONG_WORDS)


def strip_plate_words(text: str) -> tuple[str, str]:
    """A state name glued at the start or end of a read (`TEXASCYZ5139` -> `CYZ5139`), with the word
    removed ("" when none); the rest must keep at least 4 characters and a digit."""
    for word in sorted(US_STATES, key=len, reverse=True):
        if len(word) < 4:
            continue
        if text.startswith(word):
            rest = text[len(word) :]
        elif text.endswith(word):
            rest = text[: -len(word)]
        else:
            continue
        if len(rest) >= 4 and any(c.isdigit() for c in rest):
            return rest, word
    return text, ""
