#!/usr/bin/env bash
# The browser tests drive Debian's Chromium through chromedriver; they fail (not skip) without it.
# Installs both with apt-get when they are missing and we are root; otherwise says what to install.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "ensure-browser: installing chromium and chromium-driver for the browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
else
  echo "ensure-browser: chromium and chromium-driver are missing; install them" \
    "(apt-get install chromium chromium-driver) or the browser tests will fail" >&2
fi
