#!/usr/bin/env bash
# Golden test: the text and JSON reports of one property file, byte for byte, and the replay of
# every counterexample in the pinned JSON report.
#   check.sh WAKECHECK PROPERTY_FILE GOLDEN_STEM        (run from the source root)
# With UPDATE_GOLDEN=1 it rewrites the golden files instead (scripts/update-golden).
set -u
wakecheck=$1 file=$2 stem=$3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$wakecheck" check "$file" --no-timing --json "$out/report.json" > "$out/report.txt"
status=$?
if [ "$status" -ne 0 ]; then echo "wakecheck exited $status on $file"; exit 1; fi
if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
  cp "$out/report.txt" "$stem.txt" && cp "$out/report.json" "$stem.json" && echo "updated $stem"
  exit 0
fi
failed=0
for ext in txt json; do
  if ! cmp -s "$out/report.$ext" "$stem.$ext"; then
    echo "the $ext report of $file differs from $stem.$ext:"
    diff -u "$stem.$ext" "$out/report.$ext" | head -40
    failed=1
  fi
done
# The pinned counterexamples still replay against the current model.
if ! "$wakecheck" replay "$stem.json" > "$out/replay.txt"; then
  echo "a pinned counterexample of $stem.json no longer replays:"
  grep -E "no longer applies" "$out/replay.txt"
  failed=1
fi
[ "$failed" = 0 ] && echo "golden $stem: text, JSON and replay match"
exit $failed
