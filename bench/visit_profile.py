"""CPU per visit-history request, client and app in one process, on a database from bench/api_load.py.

    .venv/bin/python bench/visit_profile.py --database visitcpu_load_200k --out bench/out/visit_cpu.json
    .venv/bin/python bench/visit_profile.py --database visitcpu_load_200k --profile --out OUT.json

Sends `--requests` GET /vehicles/{plate}/visits (random plates, a supervisor's token, each read
audited) through `httpx.ASGITransport` and writes the process CPU and wall time per request (the
client's share included). `--profile` runs them under cProfile, with FastAPI's thread-pool work run
inline so that the one profiler sees it (the hops themselves are then left out), and writes the
cumulative time per request of the functions on the request path that take the most. The
profiler's CPU clock (`--clock cpu`, the default) is a system call per event: the times it writes
are several times the unprofiled CPU, and are for comparing parts with each other.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import random
import secrets
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

T = TypeVar("T")


def _run_thread_pool_inline() -> None:
    """Profiling only: FastAPI's and the session's thread-pool calls run on the event loop thread."""
    import fastapi.concurrency
    import fastapi.dependencies.utils
    import fastapi.routing

    import intel_api.deps

    async def inline(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return func(*args, **kwargs)

    @asynccontextmanager
    async def cm_inline(cm: AbstractContextManager[T]) -> AsyncIterator[T]:
        with cm as value:
            yield value

    for mod in (fastapi.routing, fastapi.dependencies.utils, fastapi.concurrency, intel_api.deps):
        if hasattr(mod, "run_in_threadpool"):
            mod.run_in_threadpool = inline  # type: ignore[attr-defined]
        if hasattr(mod, "contextmanager_in_threadpool"):
            mod.contextmanager_in_threadpool = cm_inline  # type: ignore[attr-defined]


def _paths(url: str, n: int, seed: int) -> Iterator[str]:
    import psycopg

    from bench.api_load import REASON, plate_of

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM sighting").fetchone()
    n_plates = max(1, int(row[0]) // 5) if row else 1
    rng = random.Random(seed)
    for _ in range(n):
        yield f"/vehicles/{plate_of(rng.randrange(n_plates))}/visits?reason={REASON}"


def _top(profile: cProfile.Profile, n_requests: int, top: int) -> list[dict[str, Any]]:
    stats: dict[Any, Any] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    rows = []
    for (path, line, name), (_, calls, own, cum, _) in stats.items():
        if "site-packages" in path:
            where = path.split("site-packages/", 1)[1]
        elif str(REPO) in path:
            where = path.split(str(REPO) + "/", 1)[1]
        else:
            continue  # the event loop and the standard library: every row would start with them
        rows.append(
            {
                "function": f"{where}:{line}({name})",
                "cumulative_ms_per_request": round(cum * 1000 / n_requests, 3),
                "own_ms_per_request": round(own * 1000 / n_requests, 3),
                "calls_per_request": round(calls / n_requests, 1),
            }
        )
    rows.sort(key=lambda r: -float(r["cumulative_ms_per_request"]))
    return rows[:top]


async def _drive(
    app: Any, token: str, paths: list[str], warmup: int, profile: cProfile.Profile | None
) -> tuple[float, float]:
    """Wall and process CPU seconds of the timed requests (the warm-up ones left out)."""
    import httpx

    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench", headers=headers) as client:
        for p in paths[:warmup]:
            (await client.get(p)).raise_for_status()
        t0, cpu0 = time.perf_counter(), time.process_time()
        if profile is not None:
            profile.enable()
        for p in paths:
            r = await client.get(p)
            if r.status_code != 200:
                raise RuntimeError(f"{p}: {r.status_code} {r.text[:200]}")
        if profile is not None:
            profile.disable()
        return time.perf_counter() - t0, time.process_time() - cpu0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database", required=True, help="a database kept by bench/api_load.py")
    ap.add_argument("--base-url", default="postgresql://postgres@127.0.0.1:5432", help="server, no database")
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--profile", action="store_true", help="run under cProfile (thread-pool work inline)")
    ap.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="cpu",
        help="the profiler's clock: cpu leaves database waits out (and costs more per call)",
    )
    ap.add_argument("--top", type=int, default=40, help="functions listed with --profile")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    if args.profile:
        _run_thread_pool_inline()
    from bench.api_load import _site_yaml, _supervisor_token
    from intel_api.main import create_app
    from intel_api.settings import ApiSettings

    url = f"{args.base_url}/{args.database}"
    secret = secrets.token_urlsafe(48)
    with tempfile.TemporaryDirectory() as tmp:
        settings = ApiSettings(config=_site_yaml(Path(tmp)), database_url=url, secret_key=secret)
        app = create_app(settings)
        token = _supervisor_token(url, secret)
        paths = list(_paths(url, args.requests, args.seed))
        timer = time.process_time if args.clock == "cpu" else time.perf_counter
        profile = cProfile.Profile(timer) if args.profile else None
        wall, cpu = asyncio.run(_drive(app, token, paths, min(args.warmup, len(paths)), profile))
        app.state.context.engine.dispose()
    n = len(paths)
    result: dict[str, Any] = {
        "database": args.database,
        "requests": n,
        "profiled": args.profile and args.clock,
        "cpu_ms_per_request": round(cpu * 1000 / n, 3),
        "wall_ms_per_request": round(wall * 1000 / n, 3),
        "load_average": os.getloadavg(),
    }
    if profile is not None:
        result["top"] = _top(profile, n, args.top)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "top"}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
