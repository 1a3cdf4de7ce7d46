#!/usr/bin/env bash
# Builds paper/main.pdf with latexmk (ACM's acmart, sigconf). The tables, figures and quoted numbers are generated files
# under results/paper/ (aiopslab reproduce, or reproduce --tables-only): *.tex tables, numbers.tex macros, figures/*.svg.
# Each figure SVG is converted here to a vector PDF (paper/figures/, not committed) with headless chromium.
# Installs Debian's texlive (with texlive-publishers for acmart), latexmk and chromium when missing (needs root, as on
# the project's machines and CI).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
need=()
{ command -v latexmk >/dev/null 2>&1 && kpsewhich booktabs.sty >/dev/null 2>&1 && kpsewhich adjustbox.sty >/dev/null 2>&1; } || need+=(latexmk texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended)
kpsewhich acmart.cls >/dev/null 2>&1 || need+=(texlive-publishers)
chrome="${AIOPSLAB_CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}"
[[ -n "$chrome" ]] || need+=(chromium)
if [[ ${#need[@]} -gt 0 ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "paper/build.sh: missing tools; install them with: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
  echo "installing ${need[*]} (Debian packages)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  chrome="${AIOPSLAB_CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome)}"
fi
for t in main fidelity robustness runtime methods datasets nab detection petshop synthetic numbers; do
  if [[ ! -f "../results/paper/$t.tex" ]]; then
    echo "paper/build.sh: ../results/paper/$t.tex is missing; run './aiopslab reproduce' (or './aiopslab reproduce --tables-only')." >&2
    exit 1
  fi
done
# SVG -> PDF: a page exactly the SVG's size, printed by headless chromium (text stays text, lines stay vectors).
mkdir -p figures
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
for svg in ../results/paper/figures/*.svg; do
  name="$(basename "$svg" .svg)"
  pdf="figures/$name.pdf"
  [[ -f "$pdf" && "$pdf" -nt "$svg" ]] && continue
  w=$(grep -o -m1 'width="[0-9.]*"' "$svg" | head -1 | tr -dc '0-9.')
  h=$(grep -o -m1 'height="[0-9.]*"' "$svg" | head -1 | tr -dc '0-9.')
  html="$profile/$name.html"
  { printf '<!DOCTYPE html><html><head><meta charset="utf-8"><style>@page{size:%spx %spx;margin:0}html,body{margin:0;padding:0}svg{display:block}</style></head><body>' "$w" "$h"; cat "$svg"; printf '</body></html>'; } >"$html"
  "$chrome" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile/user" --no-pdf-header-footer --print-to-pdf="$here/$pdf" "file://$html" >/dev/null 2>&1 || true
  [[ -s "$pdf" ]] || { echo "paper/build.sh: chromium could not convert $svg to PDF" >&2; exit 1; }
done
latexmk -pdf -interaction=nonstopmode -halt-on-error -file-line-error main.tex >build.log 2>&1 || { tail -n 40 build.log >&2; echo "paper/build.sh: LaTeX failed; see paper/build.log" >&2; exit 1; }
# A reviewer's checks: no overfull box, no undefined reference or citation.
if grep -E "Overfull \\\\[hv]box|LaTeX Warning: (Reference|Citation) .* undefined|There were undefined references" main.log >&2; then
  echo "paper/build.sh: the paper has overfull boxes or undefined references (above; main.log has the details)" >&2
  exit 1
fi
echo "built $here/main.pdf"
