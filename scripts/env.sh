# Sourced by the scripts: where the shared weights and data are, and keeping libraries offline.
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED_DIR=${PLATEWATCH_SHARED_DIR:-$REPO_ROOT/../shared}
if [ -z "${PLATEWATCH_MODEL_DIR:-}" ] && [ -d "$SHARED_DIR/models" ]; then
  export PLATEWATCH_MODEL_DIR=$(cd "$SHARED_DIR/models" && pwd)
fi
export YOLO_OFFLINE=1
export YOLO_CONFIG_DIR=${YOLO_CONFIG_DIR:-$REPO_ROOT/var/ultralytics}
