"""Label errata: they apply only to the published label they name, and each one is checkable."""

from __future__ import annotations

from pathlib import Path

import pytest

from detect.reading.grammar import apply_grammar
from offline.eval_plates import LabelledPlate, lenient, load_labels
from offline.label_errata import ErrataError, Erratum, corrected_labels, load_errata, shipped_errata


def test_an_erratum_applies_only_to_the_label_it_names() -> None:
    labels = [
        LabelledPlate("a.jpg", "RKO99AN", (0, 0, 1, 1)),
        LabelledPlate("b.jpg", "RKO99AN", (0, 0, 1, 1)),  # same text, other file
        LabelledPlate("c.jpg", "RK099AN", (0, 0, 1, 1)),  # label since fixed upstream
    ]
    errata = [
        Erratum("a.jpg", "RKO99AN", "RK099AN", "format"),
        Erratum("c.jpg", "RKO99AN", "RK099AN", "format"),
    ]
    fixed, applied = corrected_labels(labels, errata)
    assert [f.plate for f in fixed] == ["RK099AN", "RKO99AN", "RK099AN"]
    assert applied == errata[:1]
    assert [f.box for f in fixed] == [lbl.box for lbl in labels]


def test_bad_errata_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("file,label,plate\na.jpg,A,B\n")
    with pytest.raises(ErrataError, match="missing columns evidence"):
        load_errata(path)
    path.write_text("file,label,plate,evidence\na.jpg,RKO99AN,RK099AN,\n")
    with pytest.raises(ErrataError, match=r"x.csv:2: .*evidence"):
        load_errata(path)
    path.write_text("file,label,plate,evidence\na.jpg,RK099AN,RK099AN,same\n")
    with pytest.raises(ErrataError, match="the same"):
        load_errata(path)


def test_shipped_errata_match_the_published_labels(openalpr_dir: Path) -> None:
    errata = shipped_errata()
    published = {(lbl.file, lbl.plate) for lbl in load_labels(openalpr_dir)}
    # Every erratum still names a published label: none is stale or mistyped.
    assert {(e.file, e.label) for e in errata} <= published
    assert len(errata) == 7
    for e in errata:
        # Only O/0 and I/1 typing slips are corrected, never a different plate ...
        assert lenient(e.label) == lenient(e.plate), e
        # ... and the corrected plate is a plate of a known national format as printed, which the
        # published label is not.
        assert apply_grammar(e.plate, "any").format is not None, e
        assert apply_grammar(e.label, "any").corrected, e
