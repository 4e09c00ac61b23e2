#!/usr/bin/env bash
# Install the Debian packages Loket needs: `run` (speech for the demo hall; ffmpeg, whose
# ffprobe checks uploaded videos and makes their thumbnails) or `test`
# (also Chromium, Redis, PostgreSQL and the tools the tests use). Needs root or sudo;
# without either it lists what is missing and goes on.
set -euo pipefail
profile=${1:-run}
packages=(espeak-ng ffmpeg)
if [ "$profile" = test ]; then
  packages+=(chromium redis-server postgresql sox socat fonts-dejavu-core nginx-light)
fi
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "system-deps: please install: ${missing[*]}" >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    echo "system-deps: run as root or install: ${missing[*]}" >&2; exit 0
  fi
fi
echo "system-deps: installing ${missing[*]}" >&2
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
