"""A real browser against a real server: Debian's Chromium driven by Selenium, and the app served by
uvicorn on a free localhost port in a thread. A missing browser fails the tests; it never skips them."""

from __future__ import annotations

import csv
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from api_fixtures import (
    PASSWORD,
    add_flag,
    add_letter,
    add_sighting,
    empty_database,
    settings_for,
    site_config,
)
from fastapi import FastAPI
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy.orm import Session, sessionmaker

from intel_api.auth import PasswordHashing, create_user
from intel_api.db import models as m
from intel_api.main import create_app
from platewatch.config import SiteConfig

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--lang=en-GB",
)
DESKTOP = (1280, 800)
TABLET = (768, 1024)


def _find(*names: str) -> str:
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(
        f"{' or '.join(names)} not found: the browser tests need Debian's chromium and chromium-driver "
        "(scripts/setup.sh installs them)"
    )


@contextmanager
def chromium() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = _find("chromium", "chromium-browser")
    profile = tempfile.mkdtemp(prefix="pw-chromium-")
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=_find("chromedriver")))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def real_evidence(shared: Path, evidence_dir: Path, stem: str) -> tuple[str, str]:
    """A plate close-up and a wide shot cut from a labelled photo in the shared data."""
    import cv2

    labels = shared / "data" / "uk_dev" / "labels.csv"
    row = next(csv.DictReader(labels.read_text(encoding="utf-8").splitlines()))
    image = cv2.imread(str(labels.parent / row["file"]))
    assert image is not None
    x, y, w, h = (int(row[k]) for k in ("x", "y", "w", "h"))
    evidence_dir.mkdir(parents=True, exist_ok=True)
    wide = cv2.resize(image, (960, int(image.shape[0] * 960 / image.shape[1])))
    cv2.imwrite(str(evidence_dir / f"{stem}_plate.jpg"), image[y : y + h, x : x + w])
    cv2.imwrite(str(evidence_dir / f"{stem}_vehicle.jpg"), wide)
    return f"{stem}_plate.jpg", f"{stem}_vehicle.jpg"


@dataclass
class Site:
    """One seeded site served over HTTP, with a way to read the database behind it."""

    base: str
    sessions: sessionmaker[Session]
    site: SiteConfig
    ids: dict[str, int] = field(default_factory=dict)

    def audit(self, action: str) -> list[m.AuditEvent]:
        import sqlalchemy as sa

        with self.sessions() as s:
            return list(s.scalars(sa.select(m.AuditEvent).where(m.AuditEvent.action == action)))


def seed(
    db_url: str, sessions: sessionmaker[Session], tmp: Path, shared: Path, **settings: Any
) -> tuple[FastAPI, dict[str, int], SiteConfig]:
    empty_database(db_url)
    site = site_config(tmp)
    evidence = site.storage.evidence_path()
    cfg = settings_for(db_url, **settings)
    hashing = PasswordHashing(cfg.password_time_cost, cfg.password_memory_kib)
    now = datetime.now(UTC).replace(hour=23, minute=10, second=0, microsecond=0)
    ids: dict[str, int] = {}
    with sessions() as s:
        for role in m.Role:
            create_user(s, hashing, f"{role.value}1", PASSWORD, role)
        rows = []
        for i, days in enumerate((3, 2)):
            row = add_sighting(
                s, evidence, f"cam1:0:{i + 1}", "AB12CDE", now - timedelta(days=days), with_files=False
            )
            row.plate_image_path, row.vehicle_image_path = real_evidence(shared, evidence, f"s{i + 1}")
            row.stopped, row.stopped_seconds, row.dwell_seconds = True, 6.0, 14.0
            row.reads.append(
                m.PlateReadRow(
                    timestamp=row.first_seen,
                    raw_text="AB12CDF",
                    text="AB12CDE",
                    confidence=0.71,
                    reader="platewatch_plates",
                    grammar_valid=True,
                )
            )
            rows.append(row)
        old = add_sighting(s, evidence, "cam2:0:9", "AB12CDE", now - timedelta(days=120), camera="cam2")
        flag = add_flag(s, "AB12CDE", rows)
        flag.explanation = "Plate AB12CDE seen at night on 2 different nights (test)."
        # A letter from an earlier, confirmed case, waiting for a supervisor.
        lrows = []
        for i, days in enumerate((6, 5)):
            lrow = add_sighting(
                s,
                evidence,
                f"cam2:0:{20 + i}",
                "LM55NOP",
                now - timedelta(days=days),
                camera="cam2",
                with_files=False,
            )
            lrow.plate_image_path, lrow.vehicle_image_path = real_evidence(shared, evidence, f"l{i}")
            lrows.append(lrow)
        lflag = add_flag(s, "LM55NOP", lrows)
        lflag.status = m.FlagStatus.CONFIRMED
        letter = add_letter(s, "LM55NOP", m.LetterStatus.AWAITING_APPROVAL, lflag)
        s.commit()
        ids.update(flag=flag.id, old=old.id, letter=letter.id, lflag=lflag.id, s1=rows[0].id, s2=rows[1].id)
    return create_app(cfg, site), ids, site


def sign_in(driver: WebDriver, base: str, username: str, password: str = PASSWORD) -> None:
    driver.delete_all_cookies()
    driver.get(f"{base}/ui/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
    WebDriverWait(driver, 10).until(
        lambda d: "/ui/login" not in d.current_url or d.find_elements(By.CSS_SELECTOR, ".error")
    )


@contextmanager
def page_change(driver: WebDriver) -> Iterator[None]:
    """Wait, after the block, until the page it started on is gone.

    Whatever the block does (a click, Enter in a form, a scripted submit), the next find_element would
    otherwise land on the old page under load and find nothing or go stale.
    """
    old = driver.find_element(By.TAG_NAME, "html")
    yield
    WebDriverWait(driver, 20).until(expected_conditions.staleness_of(old))


def click_and_load(driver: WebDriver, by: str, value: str) -> None:
    """Click something that loads a new page, and wait until the old page is gone."""
    with page_change(driver):
        driver.find_element(by, value).click()


def fetch(driver: WebDriver, path: str) -> dict[str, Any]:
    """Fetch a URL with the browser's own cookies; status, content type and the first bytes."""
    result = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        fetch(arguments[0], {credentials: "same-origin"}).then(async r => {
          const bytes = new Uint8Array(await r.arrayBuffer());
          done({status: r.status, type: r.headers.get("content-type"), cache: r.headers.get("cache-control"),
                head: String.fromCharCode(...bytes.slice(0, 5)), size: bytes.length});
        }).catch(e => done({error: String(e)}));
        """,
        path,
    )
    assert isinstance(result, dict)
    return result


def no_horizontal_scroll(driver: WebDriver) -> bool:
    return bool(driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"))
