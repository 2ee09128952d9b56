"""Screenshots of the main pages from the demo data (`platewatch demo sightings`), taken in the real
browser. They go to docs/ui/ when PLATEWATCH_UI_SCREENSHOTS=1 (how the README's pictures are made),
otherwise to a temporary folder; either way the journey they show is checked on the way."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
import yaml
from api_fixtures import PASSWORD, settings_for
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from typer.testing import CliRunner
from web_browser import DESKTOP, chromium, click_and_load, serve, sign_in

from intel_api.auth import PasswordHashing, Principal, create_user
from intel_api.db import models as m
from intel_api.db.migrate import upgrade
from intel_api.db.session import make_engine, make_session_factory
from intel_api.main import create_app
from intel_api.services import accounts, watchlists
from platewatch.cli.main import app as cli
from platewatch.config import load_config

pytestmark = pytest.mark.browser
DOCS_UI = Path(__file__).resolve().parents[1] / "docs" / "ui"


def _shot(driver: WebDriver, folder: Path, name: str) -> Path:
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    driver.set_window_size(DESKTOP[0], min(max(height, DESKTOP[1]), 1600))
    path = folder / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(*DESKTOP)
    assert path.read_bytes().startswith(b"\x89PNG") and path.stat().st_size > 10_000
    return path


def test_screenshots_of_the_main_pages_from_demo_data(tmp_path: Path, shared_dir: Path) -> None:
    # Once, on the embedded database the demo uses (the journey itself is tested on both backends).
    db_url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(db_url)
    session_factory = make_session_factory(make_engine(db_url))
    out = DOCS_UI if os.environ.get("PLATEWATCH_UI_SCREENSHOTS") == "1" else tmp_path / "ui"
    out.mkdir(parents=True, exist_ok=True)
    site_yaml = tmp_path / "site.yaml"
    site_yaml.write_text(
        yaml.safe_dump(
            {
                "site": {"name": "Hessle Street", "timezone": "Europe/London"},
                "storage": {"data_dir": str(tmp_path / "var")},
                "cameras": [
                    {"id": "cam1", "name": "Hessle St north", "source": "rtsp://example/1"},
                    {"id": "cam2", "name": "Hessle St south", "source": "rtsp://example/2"},
                ],
                "letters": {"min_qualifying_passes": 2, "distinct_occasions": True, "window_days": 90},
            }
        ),
        encoding="utf-8",
    )
    batch, keepers = tmp_path / "sightings.json", tmp_path / "keepers.csv"
    result = CliRunner().invoke(
        cli,
        [
            "demo",
            "sightings",
            "--out",
            str(batch),
            "--keepers",
            str(keepers),
            "--nights",
            "4",
            "--config",
            str(site_yaml),
            "--shared-dir",
            str(shared_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    site = load_config(site_yaml)
    cfg = settings_for(db_url, keeper_source="file", keeper_file=keepers)
    hashing = PasswordHashing(cfg.password_time_cost, cfg.password_memory_kib)
    with session_factory() as s:
        users = {
            name: create_user(s, hashing, name, PASSWORD, role)
            for name, role in (
                ("pc101", m.Role.OFFICER),
                ("sgt1", m.Role.SUPERVISOR),
                ("admin1", m.Role.ADMIN),
            )
        }
        _, secret = accounts.add_key(s, None, "cam1-worker", m.ApiKeyScope.CAMERA, "cam1", {"cam1", "cam2"})
        sgt = Principal(kind="user", name="sgt1", role=m.Role.SUPERVISOR, user_id=users["sgt1"].id)
        soon = datetime.now(UTC) + timedelta(days=60)
        watchlists.add_hotlist(s, sgt, "KX21ABC", "Reported stolen, crime ref 24/5678", "DC Patel", soon)
        watchlists.add_exclusion(
            s, sgt, "YR68HSK", m.ExclusionCategory.RESIDENT, "Lives at 14 Hessle Street", "PCSO 4411", soon
        )
        s.commit()
    with serve(create_app(cfg, site)) as base, chromium() as driver:
        posted = httpx.post(
            f"{base}/ingest/sightings", headers={"X-API-Key": secret}, json=json.loads(batch.read_text())
        )
        assert posted.status_code == 200 and posted.json()["flags_created"] >= 1, posted.text
        sign_in(driver, base, "pc101")
        _shot(driver, out, "dashboard")
        driver.get(f"{base}/ui/flags")
        _shot(driver, out, "review-queue")
        with session_factory() as s:
            frequent = s.scalars(sa.select(m.Flag).where(m.Flag.kind == m.FlagKind.FREQUENT)).one()
        driver.get(f"{base}/ui/flags/{frequent.id}")
        _shot(driver, out, "flag")
        driver.find_element(By.ID, "act-confirm").click()
        driver.find_element(By.ID, "reason").send_keys("Plate patch and overview match on all nights")
        click_and_load(driver, By.ID, "submit-review")
        assert "letter drafted" in driver.find_element(By.CSS_SELECTOR, ".note").text
        driver.get(f"{base}/ui/vehicles/{frequent.plate_text}?reason=Review+of+flag+{frequent.id}")
        _shot(driver, out, "vehicle")
        sign_in(driver, base, "sgt1")
        with session_factory() as s:
            letter = s.scalars(sa.select(m.Letter)).one()
        driver.get(f"{base}/ui/letters/{letter.id}")
        assert driver.find_elements(By.ID, "pdf")
        time.sleep(3)  # Chromium's PDF viewer draws the inline letter after the page has loaded
        _shot(driver, out, "letter-approval")
        driver.get(f"{base}/ui/watchlists")
        _shot(driver, out, "hotlist-exclusions")
        sign_in(driver, base, "admin1")
        driver.get(f"{base}/ui/admin/audit")
        _shot(driver, out, "audit")
    assert len(list(out.glob("*.png"))) == 7
