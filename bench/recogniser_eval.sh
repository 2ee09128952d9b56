#!/bin/bash
# The fixed evaluation that bench/recogniser_compare.py tabulates, for the recogniser weights of the
# checkout it runs in (models/ocr, as the manifest pins them). Run it once per weight set, each from
# a checkout carrying those weights, with the same OUT folder and a different TAG:
#   bench/recogniser_eval.sh OUT TAG [plates|real|street|all]
# Parts can run at the same time (one thread each). With REAL_SOURCE=OUT/FIRST_real_crops.jsonl the
# real-crop part re-reads only our reader's candidates (bench/real_crops.py reread). Needs ../shared (or PLATEWATCH_SHARED_DIR).
set -euo pipefail
OUT=$(realpath -m "$1"); TAG=$2; PART=${3:-all}
cd "$(dirname "$0")/.."
mkdir -p "$OUT"
SHARED=${PLATEWATCH_SHARED_DIR:-$(realpath ../shared)}
export PLATEWATCH_SHARED_DIR=$SHARED PLATEWATCH_MODEL_DIR=${PLATEWATCH_MODEL_DIR:-$SHARED/models}
export PYTHONPATH=$PWD OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
PY=${PY:-.venv/bin/python}
CLI=${CLI:-.venv/bin/platewatch}
echo "== $TAG $PART start $(date -u +%T), weights sha256 $(sha256sum models/ocr/platewatch_plates.pth | cut -c1-12)"
if [[ $PART == plates || $PART == all ]]; then
  nice -n 19 "$CLI" eval plates "$SHARED/data/uk_dev" --region gb --threads 1 --json "$OUT/${TAG}_uk_dev.json"
  nice -n 19 "$CLI" eval plates "$SHARED/data/openalpr_eu" --region any --threads 1 --json "$OUT/${TAG}_openalpr_eu.json"
fi
if [[ $PART == real || $PART == all ]]; then
  if [[ -n ${REAL_SOURCE:-} ]]; then
    # Only our reader changed: re-read its candidates, keep RapidOCR's from the first weights' dump.
    nice -n 19 "$PY" bench/real_crops.py reread --source "$REAL_SOURCE" --ours models/ocr --threads 1 \
      --out "$OUT/${TAG}_real_crops.jsonl"
  else
    nice -n 19 "$PY" bench/real_crops.py dump --counts us_reported=300,id_satria=200 --skip-trained \
      --threads 1 --out "$OUT/${TAG}_real_crops.jsonl"
  fi
fi
if [[ $PART == street || $PART == all ]]; then
  nice -n 19 "$PY" bench/street.py --widths 48,64 --limit 6 --threads 1 --no-plot --out "$OUT/${TAG}_street.json"
fi
echo "== $TAG $PART done $(date -u +%T)"
