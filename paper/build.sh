#!/usr/bin/env bash
# Builds paper/main.pdf with latexmk. The tables are generated files under results/paper/ (aiopslab reproduce).
# Installs Debian's texlive and latexmk when they are missing (needs root, as on the project's machines and CI).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
if ! command -v latexmk >/dev/null 2>&1 || ! kpsewhich booktabs.sty >/dev/null 2>&1 || ! kpsewhich adjustbox.sty >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "paper/build.sh: latexmk and texlive are missing; install them with: sudo apt-get install latexmk texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended" >&2
    exit 1
  fi
  echo "installing latexmk and texlive (Debian packages)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends latexmk texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended >/dev/null
fi
for t in main fidelity robustness runtime methods datasets nab detection; do
  if [[ ! -f "../results/paper/$t.tex" ]]; then
    echo "paper/build.sh: ../results/paper/$t.tex is missing; run './aiopslab reproduce' (or './aiopslab reproduce --tables-only')." >&2
    exit 1
  fi
done
latexmk -pdf -interaction=nonstopmode -halt-on-error -file-line-error main.tex >build.log 2>&1 || { tail -n 40 build.log >&2; echo "paper/build.sh: LaTeX failed; see paper/build.log" >&2; exit 1; }
echo "built $here/main.pdf"
