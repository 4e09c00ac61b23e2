#!/usr/bin/env bash
# Set up, then run Loket: ./loket.toml if there is one, else the demo hall (data in ./var).
# Open http://localhost:5000 . Extra arguments go to `loket serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/system-deps.sh run
./scripts/setup.sh
exec .venv/bin/loket serve "$@"
