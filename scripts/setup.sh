#!/usr/bin/env bash
# Set up Loket in ./.venv (Python packages) and ./node_modules (browser libraries).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e ".[test]"
npm ci --no-audit --no-fund --loglevel=error
