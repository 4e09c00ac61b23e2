#!/usr/bin/env bash
# Set up (system packages, .venv, node_modules), then lint (ruff, mypy) and run the whole test suite:
# serial keypads on pseudo-terminals, audio through SDL's disk driver, pages in headless
# Chromium, real PostgreSQL and Redis servers. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/system-deps.sh test
./scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/mypy server counter_panel audio display bench
.venv/bin/python -m pytest "$@"
