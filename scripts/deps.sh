#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages clrt needs to build, render and test
#   scripts/deps.sh [--tests | --rusticl]
# Installs with apt when running as root or with password-less sudo; otherwise
# prints the exact command to run and fails, so nothing half-works.
set -euo pipefail

# Build tools, the OpenCL ICD loader and headers, POCL (the CPU device),
# and the libraries clrt links: jansson (JSON), stb (JPG/BMP/TGA/HDR output),
# zlib (PNG compression), nettle (SHA-256 of benchmark scenes and kernels),
# OpenEXR (its C library, OpenEXRCore: .exr output), cmocka (tests).
CLRT_PACKAGES=(
  cmake gcc make pkg-config
  ocl-icd-opencl-dev opencl-c-headers pocl-opencl-icd clinfo
  libjansson-dev libstb-dev zlib1g-dev nettle-dev libopenexr-dev libcmocka-dev
)
# With --tests, also Open MPI, so that the tests run clrt under mpirun
# (rendering needs no MPI; clrt builds without it), OpenEXR's tools (the
# tests read clrt's .exr files with exrheader), and ffmpeg (clrt's movies
# are encoded by it, and the tests count their frames with ffprobe;
# rendering pictures needs no ffmpeg).
if [ "${1:-}" = "--tests" ]; then
  CLRT_PACKAGES+=(libopenmpi-dev openmpi-bin openexr ffmpeg)
fi
# With --rusticl, only Mesa's rusticl: a second OpenCL implementation (on
# the CPU through llvmpipe) that the tests also run on (scripts/test.sh
# --rusticl). It needs libclc-15 and the SPIR-V translator besides.
if [ "${1:-}" = "--rusticl" ]; then
  CLRT_PACKAGES=(mesa-opencl-icd libclc-15 libllvmspirvlib15)
fi

missing_packages() {
  local pkg
  for pkg in "${CLRT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      printf '%s\n' "$pkg"
    fi
  done
}

# Runs apt-get quietly (as root, or through `sudo -n` when given "sudo"):
# one line says what is installed; apt's own output is kept in a log that
# is shown only when something fails.
install_quietly() {
  local log
  log="$(mktemp "${TMPDIR:-/tmp}/clrt-apt.XXXXXX")"
  echo "clrt: installing ${missing[*]} (apt-get; a minute or two)" >&2
  if "$@" env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$log" 2>&1 &&
    "$@" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
    rm -f "$log"
    return 0
  fi
  echo "clrt: installing packages failed; apt-get said:" >&2
  cat "$log" >&2
  rm -f "$log"
  return 1
}

main() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "clrt: not a Debian/Ubuntu system; install by hand: ${CLRT_PACKAGES[*]}" >&2
    return 0
  fi
  mapfile -t missing < <(missing_packages)
  [ "${#missing[@]}" -eq 0 ] && return 0

  local install_line="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    install_quietly
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    install_quietly sudo -n
  elif command -v sudo >/dev/null 2>&1; then
    echo "clrt: missing packages (${missing[*]}); install them with:" >&2
    echo "  sudo sh -c '$install_line'" >&2
    return 1
  else
    echo "clrt: missing packages (${missing[*]}); as root, run:" >&2
    echo "  $install_line" >&2
    return 1
  fi
}

main "$@"
