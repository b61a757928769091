#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages clrt needs to build, render and test.
# Installs with apt when running as root or with password-less sudo; otherwise
# prints the exact command to run and fails, so nothing half-works.
set -euo pipefail

# Build tools, the OpenCL ICD loader and headers, POCL (the CPU device),
# and the libraries clrt links: jansson (JSON), stb (JPG/BMP/TGA/HDR output),
# zlib (PNG compression), cmocka (tests).
CLRT_PACKAGES=(
  cmake gcc make pkg-config
  ocl-icd-opencl-dev opencl-c-headers pocl-opencl-icd clinfo
  libjansson-dev libstb-dev zlib1g-dev libcmocka-dev
)

missing_packages() {
  local pkg
  for pkg in "${CLRT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      printf '%s\n' "$pkg"
    fi
  done
}

main() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "clrt: not a Debian/Ubuntu system; install by hand: ${CLRT_PACKAGES[*]}" >&2
    return 0
  fi
  local missing
  mapfile -t missing < <(missing_packages)
  [ "${#missing[@]}" -eq 0 ] && return 0

  local install_line="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    echo "clrt: installing missing packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "clrt: installing missing packages with sudo: ${missing[*]}" >&2
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      sudo -n env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    echo "clrt: missing packages (${missing[*]}) and no root or password-less sudo; run:" >&2
    echo "  sudo sh -c '$install_line'" >&2
    return 1
  fi
}

main "$@"
