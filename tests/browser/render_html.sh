#!/usr/bin/env bash
# The HTML report renders in a real browser: headless Chromium loads the seed's page from disk,
# its DOM (as the browser parsed it) has the inline SVG sequence diagram with a decisive step and
# the wait-for graph, and a screenshot of the page is a non-empty PNG.
#
# usage: render_html.sh WAKECHECK [SCREENSHOT.png]   (run in the source root)
# Chromium is required: when /usr/bin/chromium is missing this test fails (scripts/install-deps --tests
# installs it).
set -u
wakecheck=${1:?usage: render_html.sh WAKECHECK [SCREENSHOT.png]}
chromium=/usr/bin/chromium
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
screenshot=${2:-$work/page.png}

fail() {
  echo "html_report_renders_in_chromium: $*" >&2
  exit 1
}

[ -x "$chromium" ] || fail "$chromium is missing: install it (scripts/install-deps --tests)"

"$wakecheck" check properties/seed/pausable_worker.json --html "$work/html" --no-timing > "$work/run.txt" \
  || fail "wakecheck check failed: $(cat "$work/run.txt")"
page="$work/html/properties_seed_pausable_worker.html"
[ -s "$page" ] || fail "no page written at $page"
[ -s "$work/html/index.html" ] || fail "no index.html written"

# Everything the browser does stays on this machine: no network, no profile of the user's.
browser() {
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$(mktemp -d -p "$work")" "$@"
}

browser --dump-dom "file://$page" > "$work/dom.html" 2> "$work/dom.err" \
  || fail "chromium --dump-dom failed: $(tail -5 "$work/dom.err")"
grep -q '<svg[^>]* id="sequence-diagram"' "$work/dom.html" \
  || fail "the dumped DOM has no <svg id=\"sequence-diagram\">"
grep -q '<g class="step decisive" id="step-12"' "$work/dom.html" \
  || fail "the dumped DOM has no decisive step 12"
grep -q '<g class="step decisive" id="step-14"' "$work/dom.html" \
  || fail "the dumped DOM has no decisive step 14"
grep -q '<svg[^>]* id="wait-for-graph"' "$work/dom.html" \
  || fail "the dumped DOM has no <svg id=\"wait-for-graph\">"
steps=$(grep -o '<g class="step[^"]*" id="step-[0-9]*"' "$work/dom.html" | wc -l)
[ "$steps" -eq 14 ] || fail "expected 14 steps in the dumped DOM, found $steps"

rm -f "$screenshot"
browser --hide-scrollbars --screenshot="$screenshot" --window-size=1400,2000 "file://$page" \
  > "$work/shot.out" 2> "$work/shot.err" || fail "chromium --screenshot failed: $(tail -5 "$work/shot.err")"
[ -s "$screenshot" ] || fail "the screenshot $screenshot is empty or missing"
# A PNG: its signature, and more than a blank page's few bytes.
signature=$(head -c 8 "$screenshot" | od -An -tx1 | tr -d ' \n')
[ "$signature" = "89504e470d0a1a0a" ] || fail "the screenshot is not a PNG (signature $signature)"
size=$(wc -c < "$screenshot")
[ "$size" -gt 20000 ] || fail "the screenshot is suspiciously small ($size bytes)"
echo "html_report_renders_in_chromium: DOM has the sequence diagram (14 steps, 12 and 14 decisive) and the wait-for graph; screenshot $size bytes"
