#!/usr/bin/env bash
# --shrink on the four-worker seed ends at the smallest scenario that still strands the permit:
# main, a worker that takes the lock and sleeps, the paused worker it is handed to, and one that
# hangs behind it. The written file is a property file that wakecheck checks as violated.
set -u
wakecheck=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$wakecheck" check properties/seed/pausable_worker.json --no-timing --shrink --json "$out/report.json" > "$out/run.txt" || exit 1
shrunk="$out/pausable_worker.all_tasks_finish.shrunk.json"
grep -q "shrunk properties/seed/pausable_worker.json for all_tasks_finish in [0-9]* checks: tasks 5 -> 4" "$out/run.txt" \
  || { echo "unexpected shrink summary:"; cat "$out/run.txt"; exit 1; }
[ -f "$shrunk" ] || { echo "no shrunk file written"; exit 1; }
"$wakecheck" check "$shrunk" --no-timing > "$out/shrunk.txt" || { echo "the shrunk file does not fail as expected"; cat "$out/shrunk.txt"; exit 1; }
grep -q '"copies": 3' "$shrunk" || { echo "expected three workers to remain"; cat "$shrunk"; exit 1; }
grep -q "cause: stranded permit" "$out/shrunk.txt" || { echo "the shrunk scenario no longer strands"; exit 1; }
echo "shrink: seed shrunk to main and three workers, still a stranded permit"
