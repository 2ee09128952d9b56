"""Render an approved keeper letter to PDF from a versioned, reviewed template (fpdf2).

The wording lives in `intel_api/letters/templates/<version>.txt`, never in code, so a change of
wording is a new template version that legal and the DPO approve, and each letter records the
version it was printed from.
"""

from __future__ import annotations

import hashlib
import os
import string
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path

from fpdf import FPDF

TEMPLATE_PACKAGE = "intel_api.letters.templates"


class TemplateError(Exception):
    """A template version that does not exist or cannot be filled."""


@dataclass(frozen=True, slots=True)
class LetterTemplate:
    version: str
    defaults: dict[str, str]
    body: str

    def fill(self, values: dict[str, str]) -> list[str]:
        """The letter body as paragraphs; a placeholder without a value is an error, not a blank."""
        try:
            text = string.Template(self.body).substitute({**self.defaults, **values})
        except (KeyError, ValueError) as e:
            raise TemplateError(f"template {self.version}: no value for placeholder {e}") from None
        return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def load_template(version: str) -> LetterTemplate:
    if not version.isalnum():
        raise TemplateError(f"bad template version {version!r}")
    try:
        raw = resources.files(TEMPLATE_PACKAGE).joinpath(f"{version}.txt").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError(f"no letter template {version!r}") from None
    head, sep, body = raw.partition("\n---\n")
    if not sep:
        raise TemplateError(f"template {version}: missing '---' between defaults and body")
    defaults: dict[str, str] = {}
    for line in head.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition(":")
            defaults[key.strip()] = value.strip()
    return LetterTemplate(version=version, defaults=defaults, body=body)


@dataclass(frozen=True, slots=True)
class LetterContent:
    reference: str
    plate: str
    keeper_name: str
    keeper_address: str
    area: str
    occasions: list[datetime]  # local times of the qualifying sightings
    letter_date: date


def _latin1(text: str) -> str:
    # The PDF core fonts are Latin-1; anything else (from a keeper record) is replaced, not dropped silently.
    return text.encode("latin-1", "replace").decode("latin-1")


def _occasion(ts: datetime) -> str:
    return f"{ts:%A} {ts.day} {ts:%B %Y} at {ts:%H:%M}"


def render_pdf(template: LetterTemplate, content: LetterContent) -> bytes:
    paragraphs = template.fill(
        {
            "plate": content.plate,
            "keeper_name": content.keeper_name,
            "area": content.area,
            "occasions": "; ".join(_occasion(t) for t in content.occasions),
            "reference": content.reference,
        }
    )
    pdf = FPDF(format="A4")
    pdf.set_title(f"Letter {content.reference}")
    pdf.set_creator(f"PlateWatch letter template {template.version}")
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for line in [content.keeper_name, *content.keeper_address.splitlines()]:
        pdf.cell(0, 5, _latin1(line.strip()), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.cell(
        0, 5, f"Date: {content.letter_date.day} {content.letter_date:%B %Y}", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.cell(0, 5, f"Our reference: {content.reference}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    for para in paragraphs:
        pdf.multi_cell(0, 5, _latin1(para), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2.5)
    # The footer sits in the bottom margin; without this it would trigger a page break of its own.
    pdf.set_auto_page_break(False)
    pdf.set_y(-15)
    pdf.set_font("Helvetica", size=8)
    pdf.cell(0, 5, f"{content.reference} - template {template.version}", align="C")
    return bytes(pdf.output())


def write_pdf(data: bytes, directory: Path, name: str) -> tuple[Path, str]:
    """Write atomically (a half-written letter must never be fetched); returns the path and sha256."""
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / name
    tmp = final.with_suffix(".pdf.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, final)
    return final.resolve(), hashlib.sha256(data).hexdigest()
