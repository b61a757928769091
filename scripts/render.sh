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
cmake -S "$root" -B "$root/build-release" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$root/build-release" --parallel "$(nproc)" --target clrt >/dev/null
"$root/build-release/clrt" render "$root/scenes/default.json" -o "$output" "$@"
echo "clrt: wrote $output"
