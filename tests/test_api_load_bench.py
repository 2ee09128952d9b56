"""bench/api_load.py end to end on a small database: a real PostgreSQL, `platewatch serve --workers 2`."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from pathlib import Path
from types import ModuleType

import psycopg
import pytest
from conftest import PG_ADMIN_URL, REPO


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("api_load", REPO / "bench" / "api_load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["api_load"] = module
    spec.loader.exec_module(module)
    return module


def _databases() -> set[str]:
    admin = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin) as conn:
        return {r[0] for r in conn.execute("SELECT datname FROM pg_database")}


def test_small_load_run_writes_every_route_and_drops_its_database(tmp_path: Path) -> None:
    bench = _bench()
    out = tmp_path / "api_load.json"
    admin = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    argv = ["--rows", "2000", "--requests", "4", "--workers", "2", "--clients", "1,2"]
    assert bench.main([*argv, "--retention-days", "335", "--admin-url", admin, "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["rows"] == 2000 and result["workers"] == 2
    for route in bench.ROUTES:
        for clients, n in (("clients_1", 4), ("clients_2", 8)):
            figures = result[route][clients]
            assert figures["requests"] == n and figures["errors"] == 0, (route, clients)
            assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"]
            assert figures["requests_per_s"] > 0
    plans = result["explain"]
    # Served from the month partitions (at 2,000 rows each partition is a page or two: a seq scan).
    assert len(set(re.findall(r"on sighting_y\d{4}m\d{2}", plans["visit_history"]))) >= 12
    assert result["retention"]["months_dropped"] == 1
    assert all("Execution Time" in plan for plan in plans.values())
    # The oldest month of the 12 loaded, less what open flags keep: about 2000 * 30/365.
    kept = result["retention"]["kept_for_casework"]
    assert 100 < result["retention"]["sightings"] + kept < 250
    assert result["retention"]["plate_reads"] == result["retention"]["sightings"]
    assert result["database"] not in _databases()


def test_light_clients_get_the_same_answers(tmp_path: Path) -> None:
    """The in-process HTTP/1.1 client: every request answered 200 (the reason's spaces and the
    cursor encoded right), its own CPU per request recorded and small."""
    bench = _bench()
    out = tmp_path / "api_load.json"
    admin = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    argv = ["--rows", "2000", "--requests", "6", "--clients", "1,3", "--light-clients"]
    routes = ["--routes", "visit_history,search_7d_next,review_queue"]
    assert bench.main([*argv, *routes, "--admin-url", admin, "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["clients_mode"] == "light"
    for route in ("visit_history", "search_7d_next", "review_queue"):
        for clients, n in (("clients_1", 6), ("clients_3", 18)):
            figures = result[route][clients]
            assert figures["requests"] == n and figures["errors"] == 0, (route, clients)
            assert 0 < figures["client_cpu_ms_per_request"] < figures["server_cpu_ms_per_request"]


def test_bad_arguments_exit_without_creating_a_database(tmp_path: Path) -> None:
    bench = _bench()
    with pytest.raises(SystemExit) as e:
        bench.main(["--rows", "3", "--out", str(tmp_path / "x.json")])
    assert e.value.code == 2
    assert not any(d.startswith(f"platewatch_load_{os.getpid()}_") for d in _databases())
    assert not (tmp_path / "x.json").exists()
