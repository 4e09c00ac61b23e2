#!/usr/bin/env bash
# Set up, then run the demo hall (or ./loket.toml if there is one) on http://localhost:5000
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/loket serve "$@"
