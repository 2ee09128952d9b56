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
  # List the sightings of the camera that `process` made (or matched) for this source, whatever
  # the clip's own timestamps say.
  camera=$(.venv/bin/python -c 'import sys
from detect.runtime import camera_for_source
from platewatch.config import load_config
print(camera_for_source(load_config(sys.argv[1]), sys.argv[2], None)[0].id)' configs/demo.yaml "$1" 2>/dev/null)
  .venv/bin/platewatch sightings --config configs/demo.yaml --camera "$camera" --limit 20 --reason "README demo run"
else
  .venv/bin/platewatch process --config configs/demo.yaml
  .venv/bin/platewatch sightings --config configs/demo.yaml --limit 20 --reason "README demo run"
fi
