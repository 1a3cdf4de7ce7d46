#!/usr/bin/env bash
# Installs Debian's headless-capable chromium, which `aiopslab report` uses to render figures (Plotly.js HTML) to
# static PNG/SVG. Without it reports still write the HTML figures and the directly-drawn SVGs, and say so.
# Usage: scripts/install-chromium.sh        (needs root or sudo; Debian/Ubuntu)
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  echo "chromium is already installed: $(command -v chromium || command -v chromium-browser)"
  exit 0
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else echo "error: need root (or sudo) to apt-get install chromium" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "installed $(command -v chromium): $(chromium --version 2>/dev/null || true)"
