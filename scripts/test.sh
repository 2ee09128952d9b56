#!/usr/bin/env bash
# Run every check: ruff, mypy and the test suite on SQLite and a real PostgreSQL.
# Reuses .venv (creating it if missing); starts the local PostgreSQL if it is down.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
[ -x .venv/bin/platewatch ] || scripts/setup.sh
scripts/ensure-postgres.sh
scripts/ensure-browser.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/pytest "$@"
