"""The officers' pages in a real headless Chromium against a uvicorn server (issue 11), on SQLite and
PostgreSQL: a whole review session, letter approval and refusal, the vehicle page's reason, audit and
90-day tier, CSRF, a disabled user, and the layout at tablet width."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from sqlalchemy.orm import Session, sessionmaker
from web_browser import (
    TABLET,
    Site,
    chromium,
    click_and_load,
    fetch,
    no_horizontal_scroll,
    page_change,
    seed,
    serve,
    sign_in,
)

from intel_api.auth import Principal
from intel_api.db import models as m
from intel_api.services import accounts

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    with chromium() as driver:
        yield driver


@pytest.fixture
def site(
    db_url: str, session_factory: sessionmaker[Session], tmp_path: Path, shared_dir: Path, browser: WebDriver
) -> Iterator[Site]:
    app, ids, config = seed(db_url, session_factory, tmp_path, shared_dir)
    with serve(app) as base:
        yield Site(base, session_factory, config, ids)
    browser.delete_all_cookies()


def test_whole_officer_session(browser: WebDriver, site: Site) -> None:
    sign_in(browser, site.base, "officer1")
    assert browser.current_url.endswith("/ui/")
    assert "Flags waiting: 1" in browser.page_source
    click_and_load(browser, By.LINK_TEXT, "Review queue")
    click_and_load(browser, By.LINK_TEXT, f"Flag {site.ids['flag']}")
    assert "seen at night on 2 different nights" in browser.find_element(By.CSS_SELECTOR, ".explanation").text
    # The evidence: every crop and wide shot is a real image the browser decoded.
    images = browser.find_elements(By.CSS_SELECTOR, "img.plate-crop, img.wide-shot")
    assert len(images) == 4
    assert all(browser.execute_script("return arguments[0].naturalWidth", img) > 50 for img in images)
    reads = browser.find_elements(By.CSS_SELECTOR, ".plate.read")
    assert [r.text for r in reads] == ["AB12CDE", "AB12CDE"]
    browser.find_element(By.CSS_SELECTOR, "details summary").click()
    assert "AB12CDF" in browser.find_element(By.CSS_SELECTOR, "details table").text
    # Keyboard: "p" chooses confirm and focuses the plate field.
    browser.find_element(By.TAG_NAME, "body").send_keys("p")
    assert browser.switch_to.active_element.get_attribute("id") == "corrected_plate"
    assert browser.find_element(By.ID, "act-confirm").is_selected()
    browser.switch_to.active_element.send_keys("ab12 cdf")
    reason = browser.find_element(By.ID, "reason")
    reason.send_keys("Plate patch reads AB12CDF on both nights")
    click_and_load(browser, By.ID, "submit-review")
    assert browser.find_element(By.ID, "flag-status").text == "confirmed"
    assert browser.find_element(By.ID, "flag-plate").text == "AB12CDF"
    assert "letter drafted" in browser.find_element(By.CSS_SELECTOR, ".note").text
    with site.sessions() as s:
        flag = s.get(m.Flag, site.ids["flag"])
        assert flag is not None and flag.status == m.FlagStatus.CONFIRMED
        assert {x.plate_text for x in flag.sightings} == {"AB12CDF"}
        assert {x.plate_raw for x in flag.sightings} == {"AB12CDE"}
    # Each image served is audited (the page is shown again after the decision, so twice each).
    shown = {(e.target_id, e.details["kind"]) for e in site.audit("evidence.read")}
    assert shown == {(str(site.ids[k]), kind) for k in ("s1", "s2") for kind in ("plate", "vehicle")}
    [correction] = site.audit("flag.correct_plate")
    assert correction.actor == "officer1" and correction.details["new_plate"] == "AB12CDF"
    assert site.audit("flag.confirm")[0].reason == "Plate patch reads AB12CDF on both nights"


def test_supervisor_approves_a_letter_and_opens_its_pdf(browser: WebDriver, site: Site) -> None:
    sign_in(browser, site.base, "supervisor1")
    browser.get(f"{site.base}/ui/letters")
    click_and_load(browser, By.LINK_TEXT, f"PW-L{site.ids['letter']:06d}")
    assert "A. Keeper" in browser.find_element(By.ID, "keeper").text
    assert browser.find_element(By.ID, "pdf").get_attribute("type") == "application/pdf"
    preview = fetch(browser, f"/ui/letters/{site.ids['letter']}/pdf")
    assert (preview["status"], preview["type"], preview["head"]) == (200, "application/pdf", "%PDF-")
    assert preview["cache"] == "no-store"
    browser.find_element(By.ID, "rationale").send_keys("Two confirmed nights; images checked; no exclusion")
    click_and_load(browser, By.ID, "approve")
    assert browser.find_element(By.ID, "letter-status").text == "approved"
    with site.sessions() as s:
        letter = s.get(m.Letter, site.ids["letter"])
        assert letter is not None and letter.status == m.LetterStatus.APPROVED and letter.pdf_path
        assert Path(letter.pdf_path).read_bytes().startswith(b"%PDF-")
    browser.find_element(By.ID, "pdf-link").click()
    browser.switch_to.window(browser.window_handles[-1])
    stored = fetch(browser, f"/ui/letters/{site.ids['letter']}/pdf")
    browser.close()
    browser.switch_to.window(browser.window_handles[0])
    assert (stored["status"], stored["head"]) == (200, "%PDF-")
    assert site.audit("letter.approve")[0].reason == "Two confirmed nights; images checked; no exclusion"
    assert site.audit("letter.pdf")


def test_an_officer_is_refused_the_approval(browser: WebDriver, site: Site) -> None:
    sign_in(browser, site.base, "officer1")
    browser.get(f"{site.base}/ui/letters/{site.ids['letter']}")
    assert "Only a supervisor" in browser.find_element(By.ID, "needs-supervisor").text
    assert not browser.find_elements(By.ID, "approve")
    assert not browser.find_elements(By.ID, "keeper")
    # Posting the approval anyway (a valid session and CSRF token) is refused and audited.
    with page_change(browser):
        browser.execute_script(
            """
            const f = document.createElement("form"); f.method = "post"; f.action = arguments[0];
            for (const [k, v] of [["csrf_token", document.querySelector('meta[name=csrf-token]').content],
                                  ["decision", "approve"], ["rationale", "I am only an officer"]]) {
              const i = document.createElement("input");
              i.type = "hidden"; i.name = k; i.value = v; f.appendChild(i);
            }
            document.body.appendChild(f); f.submit();
            """,
            f"/ui/letters/{site.ids['letter']}/decide",
        )
    assert "supervisor role" in browser.find_element(By.ID, "denied-message").text
    with site.sessions() as s:
        letter = s.get(m.Letter, site.ids["letter"])
        assert letter is not None and letter.status == m.LetterStatus.AWAITING_APPROVAL
    [denied] = site.audit("web.denied")
    assert denied.actor == "officer1" and denied.target_id == f"/ui/letters/{site.ids['letter']}/decide"


def test_vehicle_page_asks_for_a_reason_and_audits(browser: WebDriver, site: Site) -> None:
    sign_in(browser, site.base, "officer1")
    browser.get(f"{site.base}/ui/vehicles/AB12CDE")
    assert not browser.find_elements(By.ID, "visits")
    assert not site.audit("vehicle.visits")
    reason = browser.find_element(By.ID, "reason")
    assert browser.find_element(By.ID, "plate").get_attribute("value") == "AB12CDE"
    with page_change(browser):
        reason.send_keys("Operation Nightjar ref 24/1234", Keys.ENTER)
    table = browser.find_element(By.ID, "visits")
    assert len(table.find_elements(By.CSS_SELECTOR, "tbody tr")) == 2
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart")) == 4
    [row] = site.audit("vehicle.visits")
    assert (row.actor, row.target_id, row.reason) == ("officer1", "AB12CDE", "Operation Nightjar ref 24/1234")


def test_the_90_day_tier_on_the_vehicle_page(browser: WebDriver, site: Site) -> None:
    since = (datetime.now(UTC) - timedelta(days=200)).date().isoformat()
    sign_in(browser, site.base, "officer1")
    browser.get(f"{site.base}/ui/vehicles/AB12CDE?reason=Operation+Nightjar&since={since}")
    assert "needs a supervisor" in browser.find_element(By.ID, "denied-message").text
    assert site.audit("web.denied")
    assert not site.audit("vehicle.visits")
    # Without a date the officer sees the last 90 days: the 120-day-old pass is not there.
    browser.get(f"{site.base}/ui/vehicles/AB12CDE?reason=Operation+Nightjar")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#visits tbody tr")) == 2
    sign_in(browser, site.base, "supervisor1")
    browser.get(f"{site.base}/ui/vehicles/AB12CDE?reason=Operation+Nightjar&since={since}")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#visits tbody tr")) == 3
    assert "cam2" in browser.find_element(By.ID, "visits").text


def test_a_form_posted_without_its_csrf_token_is_refused(browser: WebDriver, site: Site) -> None:
    sign_in(browser, site.base, "officer1")
    browser.get(f"{site.base}/ui/flags/{site.ids['flag']}")
    browser.execute_script("document.querySelector('#review-form input[name=csrf_token]').remove()")
    # Keyboard: "d" chooses dismiss and moves to the reason.
    browser.find_element(By.TAG_NAME, "body").send_keys("d")
    assert browser.find_element(By.ID, "act-dismiss").is_selected()
    assert browser.switch_to.active_element.get_attribute("id") == "reason"
    browser.switch_to.active_element.send_keys("Not the same vehicle at all")
    click_and_load(browser, By.ID, "submit-review")
    assert "did not come from PlateWatch" in browser.find_element(By.ID, "denied-message").text
    with site.sessions() as s:
        flag = s.get(m.Flag, site.ids["flag"])
        assert flag is not None and flag.status == m.FlagStatus.OPEN
    assert site.audit("web.csrf_refused")


def test_a_disabled_user_is_signed_out_on_the_next_request(browser: WebDriver, site: Site) -> None:
    sign_in(browser, site.base, "officer1")
    browser.get(f"{site.base}/ui/flags")
    assert "Review queue" in browser.title
    with site.sessions() as s:
        admin = s.scalars(sa.select(m.User).where(m.User.username == "admin1")).one()
        actor = Principal(kind="user", name="admin1", role=m.Role.ADMIN, user_id=admin.id)
        accounts.set_active(s, actor, "officer1", False, "left the team")
        s.commit()
    browser.get(f"{site.base}/ui/flags/{site.ids['flag']}")
    assert "/ui/login" in browser.current_url
    assert browser.find_elements(By.ID, "login-form")
    assert not site.audit("flag.read")


def test_admin_disables_a_user_from_the_users_page(browser: WebDriver, site: Site) -> None:
    sign_in(browser, site.base, "admin1")
    browser.get(f"{site.base}/ui/admin/users")
    click_and_load(browser, By.ID, "disable-officer1")
    assert "officer1 disabled" in browser.find_element(By.CSS_SELECTOR, ".note").text
    [row] = site.audit("user.disable")
    assert row.actor == "admin1"
    browser.get(f"{site.base}/ui/admin/audit?action=user.*")
    assert "user.disable" in browser.find_element(By.ID, "audit").text


def test_layout_at_tablet_width_has_no_horizontal_scrolling(browser: WebDriver, site: Site) -> None:
    sign_in(browser, site.base, "admin1")
    pages = [
        "/ui/",
        "/ui/flags",
        f"/ui/flags/{site.ids['flag']}",
        "/ui/letters",
        f"/ui/letters/{site.ids['letter']}",
        "/ui/vehicles/AB12CDE?reason=Operation+Nightjar",
        "/ui/watchlists",
        "/ui/admin/users",
        "/ui/admin/keys",
        "/ui/admin/audit",
    ]
    try:
        for size in (TABLET, (1280, 800)):
            browser.set_window_size(*size)
            for path in pages:
                browser.get(site.base + path)
                assert no_horizontal_scroll(browser), f"{path} scrolls sideways at {size}"
    finally:
        browser.set_window_size(1280, 800)
    # Keyboard: the skip link is the first stop and it is visibly focused.
    browser.get(site.base + "/ui/")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    active = browser.switch_to.active_element
    assert active.get_attribute("class") == "skip"
    assert active.value_of_css_property("outline-style") == "solid"
