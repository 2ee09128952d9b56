"""Scale-out run: N camera-worker processes post through the HTTP sink into one `platewatch serve`.

    .venv/bin/python bench/scale_out.py run --database-url postgresql://127.0.0.1/platewatch_scale \
        --workers 3 --sightings 400 --rate 40 --out bench/out/scale_out.json

Each worker is its own process with its own camera API key (bound to its camera), making sightings
at `--rate` per second and handing them to `detect.sinks.http.HttpSink` (on-disk spool, replay).
The sightings are synthetic but deterministic, as re-processing a recording gives the same track
keys: a restarted worker sends its passes again and the service must store each once. Mid-run the
first worker is killed (SIGKILL, no flush) and started again, and the server is stopped and started
once while every worker is posting. At the end the database must hold exactly workers x sightings
rows, each track key once. Prints the figures and writes JSON: sightings/s stored in total and per
worker, and the time spent with the server down.

`worker` mode is what each process runs (key in PLATEWATCH_API_KEY).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
EPOCH = 1764547200000  # fixed stream epoch: a re-run of a worker re-sends the same track keys


def make_sighting(camera: str, n: int, now: datetime) -> Any:
    from detect.records import PlateRead, Sighting, VehicleClass, ZoneDwell, track_key

    start = now - timedelta(minutes=20) + timedelta(milliseconds=250 * n)
    plate = f"AB{n % 100:02d}{chr(65 + n % 26)}{chr(65 + n // 26 % 26)}{chr(65 + n // 676 % 26)}"
    reads = tuple(
        PlateRead(
            plate, plate, 0.9, start + timedelta(milliseconds=100 * i), (10, 10, 90, 30), "platewatch", True
        )
        for i in range(3)
    )
    return Sighting(
        camera_id=camera,
        track_key=track_key(camera, EPOCH, n),
        vehicle_class=VehicleClass.CAR,
        first_seen=start,
        last_seen=start + timedelta(seconds=3),
        plate=reads[-1],
        candidates=reads,
        speed_kmh=28.0,
        min_speed_kmh=20.0,
        zone_dwell=(ZoneDwell("road", start, start + timedelta(seconds=3)),),
        frames_seen=15,
        extra={"source": "scale_out"},
    )


def worker(args: argparse.Namespace) -> int:
    from detect.sinks.http import HttpSink

    sink = HttpSink(
        args.api_url,
        os.environ["PLATEWATCH_API_KEY"],
        Path(args.spool),
        batch_size=25,
        batch_seconds=0.5,
        retry_seconds=0.5,
        timeout_s=10,
    )
    sink.start()
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    now = datetime.fromisoformat(args.now)
    t0 = time.monotonic()
    for n in range(args.sightings):
        if stop["now"]:
            break
        sink.submit(make_sighting(args.camera, n, now))
        time.sleep(max(0.0, t0 + (n + 1) / args.rate - time.monotonic()))
    # A file-fed worker would leave its spool for the next run; here the run waits for the service.
    stats = sink.close(timeout=args.drain_s + 60, drain_s=args.drain_s)
    print(
        json.dumps({"camera": args.camera, "seconds": time.monotonic() - t0, **dataclasses.asdict(stats)}),
        flush=True,
    )
    return 0 if not sink.spool.has_pending() else 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(port: int, deadline_s: float = 60) -> None:
    import httpx

    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"platewatch serve did not answer on port {port}")


def _site_yaml(folder: Path, cameras: list[str]) -> Path:
    lines = [
        "site:\n  name: scale-out run\n  timezone: Europe/London\n",
        f"storage:\n  data_dir: {folder / 'var'}\n  evidence_dir: {folder / 'evidence'}\n",
        "cameras:\n",
    ]
    lines += [f"  - id: {c}\n    source: rtsp://worker.invalid/{c}\n" for c in cameras]
    path = folder / "site.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def run(args: argparse.Namespace) -> dict[str, Any]:
    import sqlalchemy as sa

    from intel_api.db import models as m
    from intel_api.db.migrate import upgrade
    from intel_api.db.session import make_engine, make_session_factory
    from intel_api.services.accounts import add_key

    folder = Path(args.work_dir).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    cameras = [f"site_cam{i + 1}" for i in range(args.workers)]
    site = _site_yaml(folder, cameras)
    upgrade(args.database_url)
    engine = make_engine(args.database_url)
    keys: dict[str, str] = {}
    with make_session_factory(engine)() as s, s.begin():
        for cam in cameras:
            _, keys[cam] = add_key(
                s, None, f"{cam}-worker-{os.getpid()}", m.ApiKeyScope.CAMERA, cam, set(cameras)
            )
    exe = str(Path(sys.executable).with_name("platewatch"))
    port = _free_port()
    env = os.environ | {
        "PLATEWATCH_SECRET_KEY": "scale-out-run-signing-key-0123456789abcdefghij",
        "PYTHONPATH": str(REPO),
    }
    serve_cmd = [
        exe,
        "serve",
        "--config",
        str(site),
        "--port",
        str(port),
        "--database-url",
        args.database_url,
    ]
    logs = open(folder / "serve.log", "ab")  # noqa: SIM115 - held for the servers' lifetimes

    def start_server() -> subprocess.Popen[bytes]:
        p = subprocess.Popen(serve_cmd, env=env, stdout=logs, stderr=subprocess.STDOUT)
        _wait_http(port)
        return p

    now = datetime.now(UTC).isoformat()

    def start_worker(cam: str) -> subprocess.Popen[bytes]:
        cmd = [
            sys.executable,
            __file__,
            "worker",
            "--api-url",
            f"http://127.0.0.1:{port}",
            "--camera",
            cam,
            "--sightings",
            str(args.sightings),
            "--rate",
            str(args.rate),
            "--spool",
            str(folder / f"spool_{cam}"),
            "--now",
            now,
        ]
        return subprocess.Popen(cmd, env=env | {"PLATEWATCH_API_KEY": keys[cam]}, stdout=subprocess.PIPE)

    def stored_per_camera() -> dict[str, int]:
        with engine.connect() as c:
            q = sa.select(m.Sighting.camera_id, sa.func.count()).where(m.Sighting.camera_id.in_(cameras))
            return {cam: int(n) for cam, n in c.execute(q.group_by(m.Sighting.camera_id)).all()}

    def wait_until(share: float) -> None:
        """Until every camera has `share` of its sightings stored (the events land mid-run)."""
        end = time.monotonic() + 300
        while time.monotonic() < end:
            got = stored_per_camera()
            if len(got) == len(cameras) and min(got.values()) >= share * args.sightings:
                return
            time.sleep(0.2)
        raise RuntimeError(f"workers made no progress: {stored_per_camera()}")

    server = start_server()
    t0 = time.monotonic()
    workers = {cam: start_worker(cam) for cam in cameras}
    run_s = args.sightings / args.rate
    wait_until(0.2)
    workers[cameras[0]].send_signal(signal.SIGKILL)  # no flush: its queue is lost, its spool is not
    workers[cameras[0]].wait()
    killed_at = time.monotonic() - t0
    workers[cameras[0]] = start_worker(cameras[0])
    wait_until(0.4)
    down_t = time.monotonic()
    server.send_signal(signal.SIGTERM)
    server.wait(30)
    time.sleep(args.server_down_s)
    server = start_server()
    server_down_s = time.monotonic() - down_t
    reports = []
    for cam, p in workers.items():
        out, _ = p.communicate(timeout=run_s * 4 + 120)
        reports.append(
            {"camera": cam, "rc": p.returncode, **json.loads(out.decode().strip().splitlines()[-1])}
        )
    total_s = time.monotonic() - t0
    server.send_signal(signal.SIGTERM)
    server.wait(30)
    logs.close()
    with engine.connect() as c:
        rows = c.execute(
            sa.select(m.Sighting.camera_id, sa.func.count(), sa.func.count(sa.distinct(m.Sighting.track_key)))
            .where(m.Sighting.camera_id.in_(cameras))
            .group_by(m.Sighting.camera_id)
        ).all()
    engine.dispose()
    per_camera = {cam: {"rows": n, "distinct_keys": d} for cam, n, d in rows}
    expected = args.sightings * args.workers
    stored = sum(v["rows"] for v in per_camera.values())
    result = {
        "workers": args.workers,
        "sightings_per_worker": args.sightings,
        "rate_per_worker": args.rate,
        "expected": expected,
        "stored": stored,
        "exactly_once": stored == expected
        and all(v["rows"] == v["distinct_keys"] == args.sightings for v in per_camera.values())
        and len(per_camera) == args.workers,
        "per_camera": per_camera,
        "worker_reports": reports,
        "killed_worker_at_s": round(killed_at, 2),
        "server_down_s": round(server_down_s, 2),
        "total_s": round(total_s, 2),
        "stored_per_s": round(stored / total_s, 1),
    }
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    w = sub.add_parser("worker")
    w.add_argument("--api-url", required=True)
    w.add_argument("--camera", required=True)
    w.add_argument("--sightings", type=int, required=True)
    w.add_argument("--rate", type=float, required=True)
    w.add_argument("--spool", required=True)
    w.add_argument("--now", required=True)
    w.add_argument("--drain-s", type=float, default=180.0, help="how long to wait for the spool to empty")
    r = sub.add_parser("run")
    r.add_argument("--database-url", required=True, help="an existing PostgreSQL database (migrated here)")
    r.add_argument("--workers", type=int, default=3)
    r.add_argument("--sightings", type=int, default=400, help="per worker")
    r.add_argument("--rate", type=float, default=40.0, help="sightings per second per worker")
    r.add_argument("--server-down-s", type=float, default=2.0)
    r.add_argument("--work-dir", default=str(REPO / "var/scale_out"))
    r.add_argument("--out", type=Path, default=REPO / "bench/out/scale_out.json")
    args = ap.parse_args()
    if args.mode == "worker":
        return worker(args)
    result = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "worker_reports"}, indent=2))
    return 0 if result["exactly_once"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
