"""The officers' API on a large PostgreSQL database: latency under load, the plans, and retention.

    nice -n 19 .venv/bin/python bench/api_load.py --rows 1000000 --out bench/out/api_load_1m.json
    .venv/bin/python bench/api_load.py --reuse platewatch_load_1m --workers 1,2 --out OUT.json

Loads `--rows` synthetic sightings (12 months ending now, 10 cameras, rows/5 plates, one plate read
each, one flag per 50 sightings with one linked sighting, a fifth of them open) into a database it
creates (COPY through psycopg, secondary indexes built after the load), then starts
`platewatch serve --workers W` on it and drives it from `--clients` concurrent client processes
(or, with `--light-clients`, as many coroutines of one process with a bare HTTP/1.1 client, so the
load generator takes little of a small box's CPU):

- `visit_history`: GET /vehicles/{plate}/visits for a random plate (the full year);
- `search_1d`, `search_7d`: GET /sightings for a 1- or 7-day window at a random point in the year,
  first page of 50; `search_7d_next`: the page after it, by the keyset cursor;
- `review_queue`: GET /flags?status=open, first page of 50.

Every request is authenticated (a supervisor's bearer token) and each audited read writes its
audit row before the response. The JSON holds, per route, `clients_<n>` with p50/p95/p99 ms,
requests/s and errors, for each worker count; the EXPLAIN (ANALYZE, BUFFERS) plans of each route's
SQL; load timings; and, with `--retention-days`, one retention run (`intel_api.services.retention`)
timed on the loaded data. The database is dropped at the end unless `--keep` (or `--reuse`).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CAMERAS = [f"load_cam{i:02d}" for i in range(10)]
SPAN = timedelta(days=365)
CHUNK = 200_000
REASON = "Bench api_load ref 00/0000"
FLAG_EVERY = 50
ROUTES = ("visit_history", "search_1d", "search_7d", "search_7d_next", "review_queue")


def plate_of(k: int) -> str:
    """A distinct GB-looking plate for each integer (two letters, two digits, three letters)."""
    a, k = divmod(k, 26**3 * 100)
    d, k = divmod(k, 26**3)
    letters = "".join(chr(65 + (k // 26**i) % 26) for i in (2, 1, 0))
    return f"{chr(65 + a // 26 % 26)}{chr(65 + a % 26)}{d:02d}{letters}"


def _iso(ts_us: int) -> str:
    return datetime.fromtimestamp(ts_us / 1e6, UTC).isoformat()


def sighting_rows(n: int, start_us: int, seed: int) -> Iterator[tuple[list[str], list[str]]]:
    """COPY text lines for sightings and their one plate read, in time order, chunk by chunk."""
    import numpy as np

    rng = np.random.default_rng(seed)
    plates = max(1, n // 5)
    step = SPAN / timedelta(microseconds=1) / n
    for lo in range(0, n, CHUNK):
        hi = min(n, lo + CHUNK)
        idx = np.arange(lo, hi)
        first = (start_us + (idx + rng.random(hi - lo)) * step).astype(np.int64)
        cams = rng.integers(0, len(CAMERAS), hi - lo)
        plate_ids = rng.integers(0, plates, hi - lo)
        speeds = rng.normal(30.0, 8.0, hi - lo).clip(3, 90)
        stamps = np.datetime_as_string(first.astype("datetime64[us]"), unit="us")
        lasts = np.datetime_as_string((first + 4_000_000).astype("datetime64[us]"), unit="us")
        s_lines: list[str] = []
        r_lines: list[str] = []
        for i, t, tl, c, p, v in zip(
            idx.tolist(),
            stamps.tolist(),
            lasts.tolist(),
            cams.tolist(),
            plate_ids.tolist(),
            speeds.tolist(),
            strict=True,
        ):
            sid = i + 1
            plate = plate_of(p)
            s_lines.append(
                f"{sid}\t{CAMERAS[c]}:{sid}\t{CAMERAS[c]}\t{t}+00\t{tl}+00\tcar\t{plate}\t{plate}\t0.93\t"
                f"gb_current\tGB\tt\tf\t{v:.1f}\tf\t0\t4\t[]\t20\t{t}+00\n"
            )
            r_lines.append(f"{sid}\t{sid}\t{t}+00\t{t}+00\t{plate}\t{plate}\t0.93\tplatewatch\tt\n")
        yield s_lines, r_lines


S_COLS = (
    "id, track_key, camera_id, first_seen, last_seen, vehicle_class, plate_raw, plate_text, "
    "plate_confidence, plate_format, plate_country, plate_valid, plate_foreign, speed_kmh, stopped, "
    "stopped_seconds, "
    "dwell_seconds, zone_dwell, frames_seen, created_at"
)
R_COLS = "id, sighting_id, sighting_first_seen, timestamp, raw_text, text, confidence, reader, grammar_valid"


def load(url: str, n: int, now: datetime, seed: int) -> dict[str, float]:
    """Schema by the migrations, rows by COPY with the secondary indexes dropped, then rebuilt."""
    import psycopg

    from intel_api.db.migrate import upgrade

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    upgrade(url)
    timings["migrate_s"] = time.perf_counter() - t0
    start_us = int((now - SPAN).timestamp() * 1e6)
    _make_months(url, now - SPAN, now)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        # The generated rows are consistent by construction: skip the per-row FK triggers.
        conn.execute("SET session_replication_role = replica")
        tables = ("sighting", "plate_read", "flag", "flag_sighting")
        secondary = conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            (list(tables),),
        ).fetchall()
        for name, _ in secondary:
            conn.execute(f'DROP INDEX "{name}"')
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO camera (id, name, location, direction_of_travel, created_at) "
                "VALUES (%s, %s, '', '', now())",
                [(c, c) for c in CAMERAS],
            )
        t0 = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur:
            for s_lines, r_lines in sighting_rows(n, start_us, seed):
                with cur.copy(f"COPY sighting ({S_COLS}) FROM STDIN") as cp:
                    cp.write("".join(s_lines))
                with cur.copy(f"COPY plate_read ({R_COLS}) FROM STDIN") as cp:
                    cp.write("".join(r_lines))
        timings["copy_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        rng = random.Random(seed)
        n_flags = max(1, n // FLAG_EVERY)
        linked = sorted(rng.sample(range(1, n + 1), min(n, n_flags)))
        with conn.transaction(), conn.cursor() as cur:
            with cur.copy(
                "COPY flag (id, kind, status, plate_text, dedupe_key, explanation, details, created_at, "
                "updated_at) FROM STDIN"
            ) as cp:
                for fid, sid in enumerate(linked, start=1):
                    t = _iso(start_us + int(sid * SPAN.total_seconds() * 1e6 / n))
                    status = "open" if fid % 5 == 0 else "dismissed"
                    cp.write(f"{fid}\tfrequent\t{status}\tZZ00ZZZ\tbench:{fid}\tbench flag\t{{}}\t{t}\t{t}\n")
            # A link carries its sighting's first_seen (the partition key), looked up after the COPY.
            cur.execute("CREATE TEMPORARY TABLE bench_link (flag_id integer, sighting_id bigint)")
            with cur.copy("COPY bench_link (flag_id, sighting_id) FROM STDIN") as cp:
                for fid, sid in enumerate(linked, start=1):
                    cp.write(f"{fid}\t{sid}\n")
            cur.execute(
                "INSERT INTO flag_sighting (flag_id, sighting_id, sighting_first_seen) "
                "SELECT b.flag_id, b.sighting_id, s.first_seen FROM bench_link b "
                "JOIN sighting s ON s.id = b.sighting_id"
            )
            cur.execute(
                "UPDATE flag SET plate_text = s.plate_text FROM flag_sighting fs JOIN sighting s "
                "ON s.id = fs.sighting_id WHERE fs.flag_id = flag.id"
            )
        timings["flags_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for _, ddl in secondary:
            # A partitioned table's index reads back as "ON ONLY": made that way it would skip the partitions.
            conn.execute(ddl.replace(" ON ONLY ", " ON "))
        timings["indexes_s"] = time.perf_counter() - t0
        for table in ("sighting", "plate_read", "flag"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        t0 = time.perf_counter()
        conn.execute("VACUUM (ANALYZE)")
        timings["vacuum_analyze_s"] = time.perf_counter() - t0
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        timings["database_mb"] = round(size[0] / 2**20, 1) if size else 0.0
    return timings


def _make_months(url: str, first: datetime, last: datetime) -> None:
    """The month partitions the load fills (COPY does not pass through `ensure_months`)."""
    from intel_api.db.partitions import Month, ensure_months
    from intel_api.db.session import make_engine

    months, month = [], Month.of(first)
    while month <= Month.of(last):
        months.append(month)
        month = month.next()
    engine = make_engine(url)
    with engine.begin() as conn:
        ensure_months(conn, months)
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(port: int, proc: subprocess.Popen[bytes], deadline_s: float = 120) -> None:
    import httpx

    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"platewatch serve exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"platewatch serve did not answer on port {port}")


def _site_yaml(folder: Path) -> Path:
    lines = [
        "site:\n  name: api load bench\n  timezone: Europe/London\n",
        f"storage:\n  data_dir: {folder / 'var'}\n  evidence_dir: {folder / 'evidence'}\n",
        "cameras:\n",
        *[f"  - id: {c}\n    source: rtsp://bench.invalid/{c}\n" for c in CAMERAS],
    ]
    path = folder / "site.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _supervisor_token(url: str, secret: str) -> str:
    from intel_api.auth import PasswordHashing, create_user, issue_token
    from intel_api.db import models as m
    from intel_api.db.session import make_engine, make_session_factory

    engine = make_engine(url)
    name = f"bench_sup_{secrets.token_hex(3)}"
    with make_session_factory(engine)() as s, s.begin():
        user = create_user(s, PasswordHashing(1, 64), name, secrets.token_urlsafe(16), m.Role.SUPERVISOR)
        token = issue_token(user, secret, 24 * 60)
    engine.dispose()
    return token


def _requests(
    route: str, n: int, n_plates: int, now: datetime, seed: int, base: str, token: str
) -> list[str]:
    """The request paths one client sends (search_7d_next resolves its cursor at send time)."""
    import httpx

    rng = random.Random(seed)
    out: list[str] = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as c:
        for _ in range(n):
            if route == "visit_history":
                out.append(f"/vehicles/{plate_of(rng.randrange(n_plates))}/visits?reason={REASON}")
            elif route == "review_queue":
                out.append("/flags?status=open&page_size=50")
            else:
                days = 1 if route == "search_1d" else 7
                end = now - timedelta(seconds=rng.uniform(0, (SPAN - timedelta(days=days)).total_seconds()))
                since = (end - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
                until = end.strftime("%Y-%m-%dT%H:%M:%SZ")
                path = f"/sightings?reason={REASON}&since={since}&until={until}&page_size=50"
                if route == "search_7d_next":
                    cursor = c.get(path).json().get("next_cursor")
                    path += f"&cursor={cursor}" if cursor else ""
                out.append(path)
    return out


def _client(args: tuple[str, list[str], str, Any]) -> tuple[list[float], int, float, float]:
    import httpx

    base, paths, token, barrier = args
    lat: list[float] = []
    errors = 0
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as c:
        c.get(paths[0])  # connection and first-request costs stay out of the figures
        barrier.wait()
        t_start = time.perf_counter()
        for p in paths:
            t0 = time.perf_counter()
            r = c.get(p)
            lat.append((time.perf_counter() - t0) * 1000)
            errors += r.status_code != 200
        t_end = time.perf_counter()
    return lat, errors, t_start, t_end


async def _light_client(
    port: int, paths: list[str], token: str, start: Any
) -> tuple[list[float], int, float, float]:
    """One keep-alive HTTP/1.1 connection sending prebuilt GETs and reading each whole response.

    A few tens of microseconds of client CPU per request, against a millisecond or more for an
    httpx client process, so on a small box the load generator does not take the server's cores.
    """
    import asyncio

    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    head = f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\nAccept: */*\r\n\r\n"

    async def get(path: str) -> int:
        # Encoded as httpx would: the reason and the times hold spaces and "+".
        target = urllib.parse.quote(path, safe="/?&=:,%")
        writer.write(f"GET {target} HTTP/1.1\r\n{head}".encode())
        status_line = await reader.readline()
        length, chunked = 0, False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if chunked:
            while (size := int((await reader.readline()).strip() or b"0", 16)) > 0:
                await reader.readexactly(size + 2)
            await reader.readline()
        else:
            await reader.readexactly(length)
        return int(status_line.split()[1])

    await get(paths[0])  # connection and first-request costs stay out of the figures
    await start.wait()
    lat: list[float] = []
    errors = 0
    t_start = time.perf_counter()
    for path in paths:
        t0 = time.perf_counter()
        errors += await get(path) != 200
        lat.append((time.perf_counter() - t0) * 1000)
    t_end = time.perf_counter()
    writer.close()
    return lat, errors, t_start, t_end


def _drive_light(port: int, token: str, paths: list[list[str]]) -> tuple[list[Any], float]:
    """All clients as coroutines in this process; returns their results and this process's CPU s."""
    import asyncio

    async def run() -> list[Any]:
        start = asyncio.Event()
        tasks = [asyncio.create_task(_light_client(port, p, token, start)) for p in paths]
        await asyncio.sleep(0.2)  # every connection open and warmed before the clock starts
        start.set()
        return list(await asyncio.gather(*tasks))

    cpu0 = time.process_time()
    results = asyncio.run(run())
    return results, time.process_time() - cpu0


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def server_cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system) of the serve process and its worker processes, from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    try:
        while pending:
            p = pending.pop()
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
    except (OSError, ValueError, IndexError):
        return None
    return total


def drive(
    base: str,
    token: str,
    route: str,
    clients: int,
    per_client: int,
    n_plates: int,
    now: datetime,
    server_pid: int,
    light: bool = False,
) -> dict[str, float | None]:
    paths = [
        _requests(route, per_client, n_plates, now, 1000 * clients + k, base, token) for k in range(clients)
    ]
    client_cpu_s: float | None = None
    if light:
        cpu_before = server_cpu_s(server_pid)
        results, client_cpu_s = _drive_light(int(base.rsplit(":", 1)[1]), token, paths)
        cpu_after = server_cpu_s(server_pid)
    else:
        with multiprocessing.Manager() as mgr:
            barrier = mgr.Barrier(clients)
            with multiprocessing.Pool(clients) as pool:
                cpu_before = server_cpu_s(server_pid)
                results = pool.map(_client, [(base, p, token, barrier) for p in paths])
                cpu_after = server_cpu_s(server_pid)
    lat = [x for r in results for x in r[0]]
    wall = max(r[3] for r in results) - min(r[2] for r in results)
    # Server CPU per request (each client's one untimed first request included): the Python cost,
    # which a loaded machine stretches in wall time but not in CPU time.
    cpu_ms = None
    if cpu_before is not None and cpu_after is not None:
        cpu_ms = round((cpu_after - cpu_before) * 1000 / (len(lat) + clients), 2)
    return {
        "requests": len(lat),
        "errors": sum(r[1] for r in results),
        "p50_ms": round(_pct(lat, 0.50), 2),
        "p95_ms": round(_pct(lat, 0.95), 2),
        "p99_ms": round(_pct(lat, 0.99), 2),
        "mean_ms": round(statistics.fmean(lat), 2),
        "requests_per_s": round(len(lat) / wall, 1),
        "server_cpu_ms_per_request": cpu_ms,
        "client_cpu_ms_per_request": (
            round(client_cpu_s * 1000 / (len(lat) + clients), 3) if client_cpu_s is not None else None
        ),
    }


def explain(url: str, n_plates: int, now: datetime) -> dict[str, str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the SQL each route runs, built by the same service functions."""
    from sqlalchemy.dialects import postgresql

    from intel_api.db.models import FlagStatus
    from intel_api.db.session import make_engine
    from intel_api.routers.flags import queue_stmts
    from intel_api.services import sightings as svc

    rng = random.Random(7)
    week_end = now - timedelta(days=100)
    q7 = svc.SightingQuery(since=week_end - timedelta(days=7), until=week_end)
    q1 = svc.SightingQuery(since=week_end - timedelta(days=1), until=week_end)
    count_q, page_q = queue_stmts([FlagStatus.OPEN], None)
    stmts: dict[str, Any] = {
        "visit_history": svc.history_stmt(plate_of(rng.randrange(n_plates)), None, None),
        "visit_history_flagged": svc.flagged_ids_stmt(list(range(1, 101))),
        "search_1d_count": svc.count_stmt(q1),
        "search_1d_page": svc.page_stmt(q1, None, 0, 50),
        "search_7d_count": svc.count_stmt(q7),
        "search_7d_page": svc.page_stmt(q7, None, 0, 50),
        "search_7d_next_page": svc.page_stmt(q7, svc.Keyset(week_end - timedelta(days=3), 2**40), 0, 50),
        "review_queue_count": count_q,
        "review_queue_page": page_q.limit(50),
    }
    engine = make_engine(url)
    plans: dict[str, str] = {}
    with engine.connect() as conn:
        for name, stmt in stmts.items():
            sql = stmt.compile(
                dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
                compile_kwargs={"literal_binds": True},
            )
            rows = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {sql}").fetchall()
            plans[name] = "\n".join(r[0] for r in rows)
    engine.dispose()
    plans["visit_history_lean"] = _explain_lean(url, plate_of(rng.randrange(n_plates)), now)
    return plans


def _explain_lean(url: str, plate: str, now: datetime) -> str:
    """The plan of the visit history's one statement (intel_api.visits_lean), as a bench supervisor.

    EXPLAIN ANALYZE runs the statement's audit INSERT too: in a transaction that is rolled back.
    """
    from intel_api.db.session import make_engine
    from intel_api.visits_lean import STATEMENT, Lookup, VisitQuery, statement_params

    engine = make_engine(url)
    with engine.connect() as conn:
        username = conn.exec_driver_sql(
            "SELECT username FROM user_account WHERE role = 'supervisor' ORDER BY id LIMIT 1"
        ).scalar_one()
        lookup = Lookup(username=username, plate=plate, query=VisitQuery(reason="bench explain"))
        cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + STATEMENT, statement_params(lookup, 30, now))
        plan = "\n".join(r[0] for r in cur.fetchall())
        conn.rollback()
    engine.dispose()
    return plan


def retention_run(url: str, days: int, folder: Path) -> dict[str, Any]:
    from intel_api.db.session import make_engine, make_session_factory
    from intel_api.services import retention

    engine = make_engine(url)
    t0 = time.perf_counter()
    with make_session_factory(engine)() as s:
        report = retention.run(s, days, folder / "evidence", dry_run=False)
        t_run = time.perf_counter() - t0
        s.commit()
    retention.delete_files(report)
    total = time.perf_counter() - t0
    engine.dispose()
    out = report.as_dict()
    out |= {"days": days, "run_s": round(t_run, 2), "with_commit_s": round(total, 2)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000, help="sightings to load")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--workers", default="1", help="uvicorn worker counts to measure, e.g. 1,2")
    ap.add_argument("--clients", default="1,8", help="concurrent client counts")
    ap.add_argument("--requests", type=int, default=200, help="requests per client per route")
    ap.add_argument(
        "--light-clients",
        action="store_true",
        help="drive the clients as coroutines of one process with a bare HTTP/1.1 client (little CPU) "
        "instead of one httpx process each",
    )
    ap.add_argument("--routes", default=",".join(ROUTES))
    ap.add_argument("--retention-days", type=int, help="after the load runs, one retention run at this age")
    ap.add_argument("--keep", action="store_true", help="keep the database (its name is in the JSON)")
    ap.add_argument("--reuse", help="an existing database from a --keep run: skip the load")
    ap.add_argument("--database", help="name of the database to create (default platewatch_load_PID_HEX)")
    ap.add_argument("--load-only", action="store_true", help="load (niced, say) and keep; measure later")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    if args.rows < 10:
        ap.error("--rows must be at least 10")
    import psycopg

    from intel_api.db.session import normalise_url

    base_url = args.admin_url.rsplit("/", 1)[0]
    name = args.reuse or args.database or f"platewatch_load_{os.getpid()}_{secrets.token_hex(3)}"
    url = f"{base_url}/{name}"
    admin = normalise_url(args.admin_url).replace("postgresql+psycopg://", "postgresql://")
    result: dict[str, Any] = {
        "database": name,
        "rows": args.rows,
        "clients_mode": "light" if args.light_clients else "processes",
        "load_average_start": os.getloadavg(),
    }
    now = datetime.now(UTC).replace(microsecond=0)
    if not args.reuse:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        if args.reuse:
            from intel_api.db.migrate import upgrade

            upgrade(url)  # a database kept from an older checkout gets the newer indexes
            with psycopg.connect(url) as conn:
                meta = conn.execute("SELECT count(*), max(first_seen) FROM sighting").fetchone()
            assert meta is not None
            args.rows, now = int(meta[0]), meta[1]
            result["rows"] = args.rows
        else:
            t0 = time.perf_counter()
            result["load"] = load(url, args.rows, now, args.seed)
            result["load"]["total_s"] = round(time.perf_counter() - t0, 1)
            print(f"loaded {args.rows:,} sightings: {json.dumps(result['load'])}", flush=True)
        if args.load_only:
            args.keep = True
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
            print(f"kept {name}: measure with --reuse {name}")
            return 0
        n_plates = max(1, args.rows // 5)
        result |= run_servers(args, url, n_plates, now)
        result["explain"] = explain(url, n_plates, now)
        if args.retention_days:
            with tempfile.TemporaryDirectory() as tmp:
                result["retention"] = retention_run(url, args.retention_days, Path(tmp))
            print(f"retention: {json.dumps(result['retention'])}", flush=True)
    finally:
        if not (args.keep or args.reuse):
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    result["load_average_end"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


def run_servers(args: argparse.Namespace, url: str, n_plates: int, now: datetime) -> dict[str, Any]:
    """Per route, `clients_<c>` figures; with several worker counts, `workers_<w>` holds each."""
    routes = [r for r in args.routes.split(",") if r]
    unknown = set(routes) - set(ROUTES)
    if unknown:
        raise SystemExit(f"unknown routes: {', '.join(sorted(unknown))}")
    worker_counts = [int(w) for w in args.workers.split(",")]
    clients = [int(c) for c in args.clients.split(",")]
    by_workers: dict[str, dict[str, Any]] = {}
    for workers in worker_counts:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            secret = secrets.token_urlsafe(48)
            port = _free_port()
            cmd = [
                str(Path(sys.executable).with_name("platewatch")),
                "serve",
                "--config",
                str(_site_yaml(folder)),
                "--port",
                str(port),
                "--database-url",
                url,
                "--workers",
                str(workers),
            ]
            env = os.environ | {"PLATEWATCH_SECRET_KEY": secret, "PYTHONPATH": str(REPO)}
            log = open(folder / "serve.log", "wb")  # noqa: SIM115 - held for the server's lifetime
            proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                _wait_http(port, proc)
                token = _supervisor_token(url, secret)
                base = f"http://127.0.0.1:{port}"
                figures: dict[str, Any] = {}
                for route in routes:
                    figures[route] = {}
                    for c in clients:
                        f = drive(
                            base, token, route, c, args.requests, n_plates, now, proc.pid, args.light_clients
                        )
                        figures[route][f"clients_{c}"] = f
                        print(f"workers={workers} {route} clients={c}: {json.dumps(f)}", flush=True)
                by_workers[f"workers_{workers}"] = figures
            finally:
                proc.terminate()
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                log.close()
    first = by_workers[f"workers_{worker_counts[0]}"]
    return {**first, "workers": worker_counts[0], "by_workers": by_workers}


if __name__ == "__main__":
    raise SystemExit(main())
