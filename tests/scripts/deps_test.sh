#!/usr/bin/env bash
# scripts/deps.sh against fake dpkg-query, apt-get, id and sudo on PATH:
# a missing package is installed with one line of output (apt's own output
# shown only when it fails), and a user who cannot install is given the
# exact line, with sudo only where sudo exists.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
fake="$(mktemp -d)"
trap 'rm -rf "$fake"' EXIT

# dpkg-query: every package is installed but libcmocka-dev.
cat >"$fake/dpkg-query" <<'FAKE'
#!/bin/sh
for last; do :; done
[ "$last" = libcmocka-dev ] && exit 1
printf 'install ok installed'
FAKE
# apt-get: 300 lines of chatter; fails when FAKE_APT_FAILS is set.
cat >"$fake/apt-get" <<'FAKE'
#!/bin/sh
i=0; while [ $i -lt 300 ]; do echo "Get:$i http://deb.debian.org chatter"; i=$((i + 1)); done
[ -n "${FAKE_APT_FAILS:-}" ] && { echo "E: Unable to locate package libcmocka-dev"; exit 100; }
exit 0
FAKE
chmod +x "$fake/dpkg-query" "$fake/apt-get"

fail() {
  echo "deps_test: $*" >&2
  exit 1
}

# As root: one line, then nothing from apt.
err="$(PATH="$fake:$PATH" "$root/scripts/deps.sh" 2>&1 >/dev/null)" || fail "the install failed: $err"
[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "more than one line while installing: $err"
case "$err" in "clrt: installing libcmocka-dev "*) ;; *) fail "unexpected line: $err" ;; esac

# A failing install shows apt's output and fails.
if err="$(FAKE_APT_FAILS=1 PATH="$fake:$PATH" "$root/scripts/deps.sh" 2>&1)"; then
  fail "a failed install succeeded"
fi
case "$err" in *"E: Unable to locate package libcmocka-dev"*) ;; *) fail "apt's error was not shown: $err" ;; esac

# Not root, no sudo: the line to run as root, without sudo.
printf '#!/bin/sh\necho 1000\n' >"$fake/id"
chmod +x "$fake/id"
no_sudo="$fake/no-sudo"
mkdir "$no_sudo"
for tool in bash grep dirname cat rm mktemp env; do
  command -v "$tool" >/dev/null 2>&1 && ln -sf "$(command -v "$tool")" "$no_sudo/$tool"
done
if err="$(PATH="$fake:$no_sudo" "$root/scripts/deps.sh" 2>&1)"; then
  fail "a user who cannot install succeeded"
fi
case "$err" in *"as root, run:"*"apt-get update && apt-get install -y --no-install-recommends libcmocka-dev"*) ;;
*) fail "no install line for root: $err" ;; esac
case "$err" in *sudo*) fail "sudo prescribed where there is none: $err" ;; esac

# Not root, sudo that needs a password: the same line through sudo.
printf '#!/bin/sh\nexit 1\n' >"$fake/sudo"
chmod +x "$fake/sudo"
if err="$(PATH="$fake:$PATH" "$root/scripts/deps.sh" 2>&1)"; then
  fail "a user without password-less sudo succeeded"
fi
case "$err" in *"sudo sh -c 'apt-get update && apt-get install"*) ;; *) fail "no sudo line: $err" ;; esac
echo "deps_test: ok"
