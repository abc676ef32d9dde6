#!/usr/bin/env bash
# Every trace that `check` writes replays: `check --json` of each property file under
# properties/, then `replay` of its report; then the same for one report of the whole tree (an
# array of reports). Fails when a check cannot run, a replay fails, or nothing was replayed.
set -u
wakecheck=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
traces=0
files=0
failed=0
while IFS= read -r file; do
  files=$((files + 1))
  report="$out/$(printf '%s' "$file" | tr / _)"
  "$wakecheck" check "$file" --no-timing --json "$report" > /dev/null
  status=$?
  if [ "$status" -gt 1 ]; then
    echo "check $file: exit $status"
    failed=1
    continue
  fi
  if ! "$wakecheck" replay "$report" > "$report.replay" 2>&1; then
    echo "replay of the report of $file:"
    grep -E '^[^ ]|no longer applies' "$report.replay" | grep -B1 'no longer applies'
    failed=1
  fi
  traces=$((traces + $(grep -c '^  reproduced$' "$report.replay")))
done < <(find properties -name '*.json' ! -name 'schema.json' ! -name '*.schema.json' | sort)

"$wakecheck" check properties --no-timing --json "$out/all.json" > /dev/null
if ! "$wakecheck" replay "$out/all.json" > "$out/all.replay" 2>&1; then
  echo "replay of the report of properties/:"
  grep -B1 'no longer applies' "$out/all.replay"
  failed=1
fi
all=$(grep -c '^  reproduced$' "$out/all.replay")

echo "$traces traces of $files property files replay one file at a time, $all from one report of them all"
[ "$failed" = 0 ] && [ "$traces" -gt 0 ] && [ "$traces" = "$all" ]
