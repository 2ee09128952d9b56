"""Checks for what people type into the pages, with the same limits as the API's request models."""

from __future__ import annotations

import re

from intel_api.schemas.common import REASON_MIN

REASON_MAX = 500
_PLATE = re.compile(r"^[A-Z0-9]{1,16}$")


class FormError(ValueError):
    """A message for the person at the form."""


def no_control(text: str) -> str:
    if any(ord(c) < 32 and c not in "\t\r\n" or ord(c) == 127 for c in text):
        raise FormError("The text contains control characters; retype it.")
    return text


def clean_reason(text: str, what: str = "reason") -> str:
    no_control(text)
    value = " ".join(text.split())
    if len(value) < REASON_MIN:
        raise FormError(f"Give a {what} of at least {REASON_MIN} characters.")
    if len(value) > REASON_MAX:
        raise FormError(f"The {what} is limited to {REASON_MAX} characters.")
    return value


def clean_plate(text: str) -> str:
    no_control(text)
    value = "".join(text.split()).upper()
    if not _PLATE.fullmatch(value):
        raise FormError("A plate is 1-16 letters and digits.")
    return value
