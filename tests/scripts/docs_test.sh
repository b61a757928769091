#!/usr/bin/env bash
# The documentation against the program: every option `clrt --help`
# names is in the manual page and the manual page names no other; the
# page renders without a warning (where groff is); every relative link of
# README.md and docs/ reaches a file of the repository.
#   docs_test.sh CLRT SOURCE_DIR
set -euo pipefail
clrt="$1" source_dir="$2"
page="$source_dir/docs/clrt.1"

fail() {
  echo "docs_test: $*" >&2
  exit 1
}

options_in_help="$("$clrt" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)"
# the options the page defines: the line after each .TP
options_in_page="$(awk 'defining { print; defining = 0 } /^\.TP/ { defining = 1 }' "$page" |
  grep -o -- '\\-\\-[a-z][a-z0-9\\-]*' | sed 's/\\-/-/g' | sort -u)"
missing="$(comm -23 <(echo "$options_in_help") <(echo "$options_in_page"))"
[ -z "$missing" ] || fail "clrt.1 lacks options that --help names: $missing"
stale="$(comm -13 <(echo "$options_in_help") <(echo "$options_in_page"))"
[ -z "$stale" ] || fail "clrt.1 names options that --help does not: $stale"

if command -v groff >/dev/null; then
  warnings="$(LC_ALL=C.UTF-8 groff -man -ww -z "$page" 2>&1)"
  [ -z "$warnings" ] || fail "clrt.1 renders with warnings: $warnings"
else
  echo "docs_test: no groff here: the page's rendering is not checked"
fi

for file in "$source_dir/README.md" "$source_dir"/docs/*.md; do
  folder="$(dirname "$file")"
  # ](target) or ](target#anchor), not URLs
  while read -r target; do
    path="${target%%#*}"
    [ -z "$path" ] && continue
    [ -e "$folder/$path" ] || fail "${file#"$source_dir"/}: the link to $target reaches nothing"
  done < <(grep -o '](\([^)]*\))' "$file" | sed 's/^](//; s/)$//' | grep -v '^[a-z]*://')
done
echo "docs_test: ok"
