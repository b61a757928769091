#!/usr/bin/env bash
# Renders the default scene to a PNG on the best available device:
# installs what is missing, builds clrt, renders. Extra arguments go to
# `clrt render` (for example --device cpu, --width 1920 --height 1080).
#   scripts/render.sh [OUT.png] [clrt render options]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
output="${1:-clrt-default.png}"
[ $# -gt 0 ] && shift

"$root/scripts/deps.sh"
# The build's output matters only when it fails: then it is shown whole.
log="$(mktemp "${TMPDIR:-/tmp}/clrt-build.XXXXXX")"
trap 'rm -f "$log"' EXIT
echo "clrt: building (build-release/)" >&2
if ! { cmake -S "$root" -B "$root/build-release" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF &&
  cmake --build "$root/build-release" --parallel "$(nproc)" --target clrt; } >"$log" 2>&1; then
  echo "clrt: the build failed:" >&2
  cat "$log" >&2
  exit 1
fi
"$root/build-release/clrt" render "$root/scenes/default.json" -o "$output" "$@"
echo "clrt: wrote $output"
