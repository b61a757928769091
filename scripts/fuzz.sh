#!/usr/bin/env bash
# Fuzzes the scene parser or the PLY reader with libFuzzer (built with
# clang, AddressSanitizer and UndefinedBehaviorSanitizer; tests/fuzz).
#   scripts/fuzz.sh scene|ply [libFuzzer options]
# Without options it runs for 60 seconds; for example
#   scripts/fuzz.sh scene -runs=10000000 -jobs=2 -workers=2
# The corpus grows in build-fuzz/corpus-TARGET, seeded from
# tests/fuzz/corpus (and, for scenes, the repository's scenes); a crash is
# saved as build-fuzz/crash-* and makes the script fail.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:-}"
case "$target" in
scene | ply) shift ;;
*)
  echo "usage: scripts/fuzz.sh scene|ply [libFuzzer options]" >&2
  exit 2
  ;;
esac

"$root/scripts/deps.sh"
if ! command -v clang >/dev/null 2>&1; then
  echo "clrt: fuzzing needs clang (libFuzzer); install it with: apt-get install -y clang" >&2
  exit 1
fi
build="$root/build-fuzz"
log="$(mktemp "${TMPDIR:-/tmp}/clrt-fuzz-build.XXXXXX")"
trap 'rm -f "$log"' EXIT
if ! { cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLRT_FUZZ=ON \
  -DBUILD_TESTING=OFF && cmake --build "$build" --parallel "$(nproc)" --target "fuzz_$target"; } >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi

corpus="$build/corpus-$target"
mkdir -p "$corpus"
seeds=("$root/tests/fuzz/corpus/$target")
[ "$target" = scene ] && seeds+=("$root/scenes" "$root/scenes/features" "$root/scenes/bench" "$root/tests/data")
[ $# -eq 0 ] && set -- -max_total_time=60
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd "$build"
"$build/tests/fuzz/fuzz_$target" -dict="$root/tests/fuzz/$target.dict" -max_len=4096 -rss_limit_mb=2048 \
  -print_final_stats=1 "$@" "$corpus" "${seeds[@]}"
