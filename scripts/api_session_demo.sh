#!/bin/bash
# Runs the officer session for docs/api.md against a real `platewatch serve`; prints commands and outputs.
set -u
export PATH="$(cd "$(dirname "$0")/.." && pwd)/.venv/bin:$PATH"
D=/tmp/pwdemo; rm -rf $D; mkdir -p $D; cd $D
show() { echo "\$ $1"; eval "$1"; echo; }
cat > site.yaml <<'EOF'
site: {name: "Hessle Street", timezone: Europe/London}
storage: {data_dir: /tmp/pwdemo/var}
cameras:
  - id: cam1
    name: Hessle Street north
    source: rtsp://camera.invalid/stream
EOF
echo '## setup'
show 'export PLATEWATCH_CONFIG=/tmp/pwdemo/site.yaml'
show 'platewatch db upgrade 2>/dev/null'
show "echo 'pc101 demo password' | platewatch users add pc101 --role officer --password-stdin"
show "echo 'sgt1 demo password' | platewatch users add sgt1 --role supervisor --password-stdin"
show "echo 'admin1 demo password' | platewatch users add admin1 --role admin --password-stdin"
show 'CAMKEY=$(platewatch apikeys add cam1-worker --scope camera --camera cam1)'
show 'platewatch demo sightings --out sightings.json --keepers keepers.csv'
show 'export PLATEWATCH_SECRET_KEY=$(python -c "import secrets; print(secrets.token_urlsafe(48))")'
show 'export PLATEWATCH_KEEPER_SOURCE=file PLATEWATCH_KEEPER_FILE=/tmp/pwdemo/keepers.csv'
show 'platewatch serve --port 8765 > serve.log 2>&1 &'
echo $! > serve.pid
sleep 6
show 'API=http://127.0.0.1:8765'
show 'curl -s $API/health'
echo '## ingest'
show 'curl -s -X POST $API/ingest/sightings -H "X-API-Key: $CAMKEY" -H "Content-Type: application/json" -d @sightings.json'
show 'curl -s -X POST $API/ingest/sightings -H "X-API-Key: $CAMKEY" -H "Content-Type: application/json" -d @sightings.json'
echo '## login'
show 'curl -s $API/flags'
show 'curl -s -X POST $API/auth/token -d username=pc101 -d "password=wrong"'
show 'TOKEN=$(curl -s -X POST $API/auth/token -d username=pc101 -d "password=pc101 demo password" | jq -r .access_token)'
show 'OFFICER=(-H "Authorization: Bearer $TOKEN")'
show 'curl -s $API/auth/me "${OFFICER[@]}"'
echo '## flags'
show 'curl -s "$API/flags?status=open&kind=frequent" "${OFFICER[@]}" | jq .'
show 'curl -s "$API/flags/4" "${OFFICER[@]}" | jq "{id, kind, status, plate_text, details, sightings: [.sightings[] | {id, first_seen, plate_text, plate_confidence, speed_kmh, stopped_seconds, evidence}], reviews}"'
show 'curl -s -o plate-1.jpg -w "%{http_code} %{content_type} %{size_download} bytes\n" $API/sightings/1/evidence/plate "${OFFICER[@]}"'
show 'curl -s -o vehicle-1.jpg -w "%{http_code} %{content_type} %{size_download} bytes\n" $API/sightings/1/evidence/vehicle "${OFFICER[@]}"'
show 'file plate-1.jpg vehicle-1.jpg'
echo '## history'
show 'curl -s "$API/vehicles/EF69ZWH/visits" "${OFFICER[@]}"'
show 'curl -s "$API/vehicles/EF69ZWH/visits?reason=Review+of+flag+4" "${OFFICER[@]}" | jq ".summary | .hour_histogram |= tostring"'
show 'curl -s "$API/sightings?plate=EF69*&since=2025-01-01T00:00:00Z&reason=Review+of+flag+4" "${OFFICER[@]}"'
echo '## confirm'
show "curl -s -X POST \$API/flags/4/confirm \"\${OFFICER[@]}\" -H 'Content-Type: application/json' -d '{\"reason\": \"Plate patch and overview match EF69ZWH on all three nights\"}' | jq '{flag: {id: .flag.id, status: .flag.status}, letter, letter_note}'"
show "curl -s -X POST \$API/flags/4/confirm \"\${OFFICER[@]}\" -H 'Content-Type: application/json' -d '{\"reason\": \"again\"}'"
show "curl -s -X POST \$API/flags/1/dismiss \"\${OFFICER[@]}\" -H 'Content-Type: application/json' -d '{}'"
show "curl -s -X POST \$API/letters/1/approve \"\${OFFICER[@]}\" -H 'Content-Type: application/json' -d '{\"rationale\": \"I am only an officer\"}'"
echo '## approve'
show 'SGT=(-H "Authorization: Bearer $(curl -s -X POST $API/auth/token -d username=sgt1 -d "password=sgt1 demo password" | jq -r .access_token)")'
show "curl -s -X POST \$API/letters/1/approve \"\${SGT[@]}\" -H 'Content-Type: application/json' -d '{\"rationale\": \"Three confirmed night-time slow passes; images checked; no exclusion applies\"}' | jq ."
show 'curl -s -o letter-1.pdf -w "%{http_code} %{content_type} %{size_download} bytes\n" $API/letters/1/pdf "${SGT[@]}"'
show 'file letter-1.pdf'
cat > pdf_text.py <<'EOF'
import re, sys, zlib
data = open(sys.argv[1], "rb").read()
for stream in re.findall(rb"stream\n(.*?)\nendstream", data, re.S):
    for text in re.findall(rb"\((.*?)\)\s*Tj", zlib.decompress(stream)):
        print(text.decode("latin-1"))
EOF
show 'cat pdf_text.py'
show 'python pdf_text.py letter-1.pdf'
show "curl -s -X POST \$API/letters/1/sent \"\${SGT[@]}\" | jq '{id, status}'"
echo '## audit'
show 'ADMIN=(-H "Authorization: Bearer $(curl -s -X POST $API/auth/token -d username=admin1 -d "password=admin1 demo password" | jq -r .access_token)")'
show 'curl -s "$API/audit?page_size=30" "${ADMIN[@]}" | jq -r ".items[] | [.id, .at[:19], .actor, .action, .target_type, (.target_id // \"-\"), (.reason // \"-\")] | @tsv"'
show 'curl -s "$API/audit?actor=pc101&action=vehicle.visits" "${ADMIN[@]}" | jq .items'
show 'curl -s -X DELETE "$API/audit" "${ADMIN[@]}"'
show 'curl -s "$API/audit" "${OFFICER[@]}"'
kill $(cat serve.pid)
