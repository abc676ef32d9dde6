#!/usr/bin/env bash
# --dot writes the wait-for graph where the first counterexample ends: for the seed, m's permit
# owned by paused worker1's future (red) and workers 2 and 3 waiting for m; for ABBA, the cycle.
set -u
wakecheck=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "$1"; cat "$2"; exit 1; }
"$wakecheck" check properties/seed/pausable_worker.json --no-timing --dot "$out/seed.dot" > /dev/null || exit 1
grep -q '^digraph' "$out/seed.dot" || fail "not a digraph" "$out/seed.dot"
grep -q 'label="worker1\\n(paused)"' "$out/seed.dot" || fail "worker1 not shown paused" "$out/seed.dot"
grep -q 'label="permit owned by its future", color=red' "$out/seed.dot" || fail "no red owned-permit edge" "$out/seed.dot"
[ "$(grep -c 'label="waits for"' "$out/seed.dot")" = 2 ] || fail "expected worker2 and worker3 waiting" "$out/seed.dot"
"$wakecheck" check properties/deadlock/abba.json --no-timing --dot "$out/abba.dot" > /dev/null || exit 1
[ "$(grep -c 'label="held by"' "$out/abba.dot")" = 2 ] || fail "expected a and b held" "$out/abba.dot"
[ "$(grep -c 'label="waits for"' "$out/abba.dot")" = 2 ] || fail "expected left and right waiting" "$out/abba.dot"
echo "dot: the seed's stranded permit and ABBA's cycle are drawn"
