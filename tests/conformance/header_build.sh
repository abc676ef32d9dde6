#!/usr/bin/env bash
# An exported program builds as its header says: exports the seed, makes the crate the header
# describes (src/main.rs, and Cargo.toml and .cargo/config.toml copied from the header), and runs
# the header's command (Debian's cargo and rustc, offline against Debian's crates). The program
# must run to its end and report the tasks the model says hang.
#
#   tests/conformance/header_build.sh WAKECHECK SOURCE_DIR WORK_DIR [CARGO_TARGET_DIR]
#
# CARGO_TARGET_DIR (the conformance suite's, by default WORK_DIR/target) keeps tokio compiled.
set -euo pipefail
wakecheck=$(realpath "$1")
source_dir=$(realpath "$2")
work=$(mkdir -p "$3" && realpath "$3")
target=${4:-$work/target}
fail() { echo "header build: $*" >&2; exit 1; }

rm -rf "$work/export" "$work/crate"
(cd "$source_dir" && "$wakecheck" export --rust properties/seed/pausable_worker.json --out "$work/export" >/dev/null)
program=$work/export/pausable_worker.rs
mkdir -p "$work/crate/src" "$work/crate/.cargo"
cp "$program" "$work/crate/src/main.rs"

# A file the header gives: the doc-comment lines indented under "//! NAME:", up to a blank "//!".
header_file() {
  awk -v name="//! $1:" '
    $0 == name { inside = 1; next }
    inside && $0 == "//!" { exit }
    inside && /^\/\/!     / { sub(/^\/\/!     /, ""); print; next }
    inside { exit }' "$program"
}
header_file Cargo.toml > "$work/crate/Cargo.toml"
header_file .cargo/config.toml > "$work/crate/.cargo/config.toml"
grep -q '^\[dependencies\]$' "$work/crate/Cargo.toml" || fail "the header gives no Cargo.toml"
grep -q '^offline = true$' "$work/crate/.cargo/config.toml" || fail "the header gives no offline .cargo/config.toml"
grep -q '^//! Rust 1.63 or newer' "$program" || fail "the header does not give Rust 1.63 as the floor"
command=$(sed -n 's/^\/\/!     \(RUSTC=[^ ]* [^ ]*cargo run\)$/\1/p' "$program")
[ -n "$command" ] || fail "the header gives no command to build and run the program"

if ! (cd "$work/crate" && CARGO_TARGET_DIR=$target timeout 900 bash -c "$command --quiet" > "$work/run.txt" 2> "$work/cargo.log"); then
  cat "$work/cargo.log" >&2
  fail "'$command' failed in a crate made as the header says"
fi
hung=$(sed -n 's/^task \([a-z0-9_]*\): hung$/\1/p' "$work/run.txt" | sort | tr '\n' ' ')
grep -q '^task main: ' "$work/run.txt" || { cat "$work/run.txt"; fail "the program did not report its tasks"; }
[ "$hung" = "worker1 worker2 worker3 " ] || { cat "$work/run.txt"; fail "hung: '$hung', the model says worker1 worker2 worker3"; }
echo "header build: '$command' built and ran the exported seed offline; hung: $hung"
