#!/usr/bin/env bash
# Create .venv at the repository root and install PlateWatch with its development tools.
# Torch is pinned (torch==2.14.1, torchvision==0.29.1): on the project machines pip takes both from
# local disk; elsewhere pip downloads them from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
echo "setup: .venv ready ($(.venv/bin/python --version), platewatch $(.venv/bin/python -c 'import importlib.metadata as m; print(m.version("platewatch"))'))"
scripts/ensure-browser.sh
