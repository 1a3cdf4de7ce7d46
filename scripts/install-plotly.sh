#!/usr/bin/env bash
# Installs plotly.js (npm package plotly.js-dist-min, pinned) into .tools/plotly/ (gitignored). `aiopslab report`
# copies plotly.min.js from there beside its HTML figures, so they open offline and headless chromium can render them.
# Usage: scripts/install-plotly.sh          (needs npm)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="4.1.2"
dest="$here/.tools/plotly"
js="$dest/node_modules/plotly.js-dist-min/plotly.min.js"
if [[ -f "$js" ]] && grep -q "\"version\": \"$version\"" "$dest/node_modules/plotly.js-dist-min/package.json" 2>/dev/null; then
  echo "plotly.js $version is already installed: $js"
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "error: npm is needed to install plotly.js (apt-get install -y npm)" >&2; exit 1; }
mkdir -p "$dest"
npm install --prefix "$dest" --no-audit --no-fund --silent "plotly.js-dist-min@$version" >/dev/null
[[ -f "$js" ]] || { echo "error: npm finished but $js is missing" >&2; exit 1; }
echo "installed plotly.js $version: $js"
