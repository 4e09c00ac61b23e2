#!/usr/bin/env bash
# Set up, then run the whole test suite (browser, serial, audio, PostgreSQL and Redis included).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
