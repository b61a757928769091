#!/usr/bin/env bash
# Builds clrt and its tests and runs them: installs what is missing, builds
# with warnings as errors, runs ctest. With --sanitize, builds and runs the
# tests under AddressSanitizer and UndefinedBehaviorSanitizer instead. With
# --rusticl, runs the same tests on a second OpenCL implementation, Mesa's
# rusticl (llvmpipe, on the CPU), installing it first: the tests that need
# what only POCL gives (two devices from POCL_DEVICES) say so and skip.
#   scripts/test.sh [--sanitize | --rusticl]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Its own build folder: the warnings-as-errors setting it caches must not
# reach the README's `cmake -S . -B build` (a Release build of your own).
build="$root/build-test"
options=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLRT_WERROR=ON -DBUILD_TESTING=ON)
if [ "${1:-}" = "--sanitize" ]; then
  build="$root/build-sanitize"
  options=(-DCMAKE_BUILD_TYPE=Debug -DCLRT_WERROR=ON -DCLRT_SANITIZE=ON -DBUILD_TESTING=ON)
  # The OpenCL runtime (POCL, LLVM) keeps allocations until exit and is not
  # ours to fix: leaks are checked only in clrt's own frames (tests/lsan.supp).
  export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
fi

"$root/scripts/deps.sh" --tests
if [ "${1:-}" = "--rusticl" ]; then
  "$root/scripts/deps.sh" --rusticl
  # Only rusticl's driver, so that the tests cannot pick POCL's.
  export OCL_ICD_VENDORS=/etc/OpenCL/vendors/rusticl.icd RUSTICL_ENABLE=llvmpipe
elif [ -f /etc/OpenCL/vendors/pocl.icd ]; then
  # POCL alone: another implementation installed beside it (rusticl) must
  # not stand in for it, nor be loaded under the sanitizers.
  export OCL_ICD_VENDORS=/etc/OpenCL/vendors/pocl.icd
fi
cmake -S "$root" -B "$build" "${options[@]}" >/dev/null
cmake --build "$build" --parallel "$(nproc)"
excluded=()
if [ "${1:-}" = "--rusticl" ]; then
  # The cluster's tests exercise MPI and the exchange, the same whatever
  # the implementation, and take minutes with three processes sharing
  # llvmpipe: the POCL run holds them.
  echo "scripts/test.sh: the MPI tests run on POCL only (tests/scripts/mpi_test.sh)"
  excluded=(-E '^mpi$')
fi
# As many tests at once as there are cores: the longest (the binary's
# renders, the MPI test's processes) wait on child processes and timers
# for much of their time, and CI must stay within its 15 minutes.
ctest --test-dir "$build" --output-on-failure --parallel "$(nproc)" "${excluded[@]}"
