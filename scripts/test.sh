#!/usr/bin/env bash
# Set up (system packages, .venv, node_modules), then lint (ruff, mypy) and run the whole test suite:
# serial keypads on pseudo-terminals, audio through SDL's disk driver, pages in headless
# Chromium, real PostgreSQL and Redis servers. Extra arguments go to pytest.
#
#   ./scripts/test.sh --fast [pytest args]   (or LOKET_FAST=1 ./scripts/test.sh)
# skips the set-up (run ./scripts/setup.sh once) and runs ruff, mypy and the fast tests only:
# -m "not slow and not browser and not services".
set -euo pipefail
cd "$(dirname "$0")/.."
fast="${LOKET_FAST:-0}"
if [[ "${1:-}" == "--fast" ]]; then
    fast=1
    shift
fi
if [[ "$fast" != 1 ]]; then
    ./scripts/system-deps.sh test
    ./scripts/setup.sh
fi
.venv/bin/ruff check .
.venv/bin/mypy loket bench
if [[ "$fast" == 1 ]]; then
    exec .venv/bin/python -m pytest -m "not slow and not browser and not services" "$@"
fi
exec .venv/bin/python -m pytest "$@"
