#!/usr/bin/env bash
# Installs Debian's python3, which the external-method tests use to run the stdlib-only Python client
# (clients/python/) and its example methods. Nothing else is needed: the client imports only the standard library.
# Usage: scripts/install-python.sh        (needs root or sudo; Debian/Ubuntu)
set -euo pipefail
if command -v python3 >/dev/null 2>&1; then
  echo "python3 is already installed: $(command -v python3) ($(python3 --version 2>&1))"
  exit 0
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else echo "error: need root (or sudo) to apt-get install python3" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends python3 >/dev/null
echo "installed $(command -v python3): $(python3 --version 2>&1)"
