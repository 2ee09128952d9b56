#!/usr/bin/env bash
# Set up and run the main job on the embedded default (SQLite under var/):
#   scripts/demo.sh                 the sample clips in ../shared/data (configs/demo.yaml)
#   scripts/demo.sh VIDEO_OR_URL    any video file, image folder or rtsp/http camera URL
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/setup.sh
.venv/bin/platewatch db upgrade --config configs/demo.yaml
if [ $# -gt 0 ]; then
  .venv/bin/platewatch process "$1" --config configs/demo.yaml
else
  .venv/bin/platewatch process --config configs/demo.yaml
fi
.venv/bin/platewatch sightings --config configs/demo.yaml --limit 20 --reason "README demo run"
