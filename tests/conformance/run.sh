#!/usr/bin/env bash
# Real tokio agrees: exports every scenario of scenarios.txt to a Rust program (wakecheck export
# --rust), builds them all as one cargo crate against Debian's tokio 1.24.2 (offline), runs each
# under `timeout`, and compares the tasks each one reports hung with the model's verdict (the
# .expected file: the hung set must be one of its outcomes). A mismatch prints both side by side.
#
#   tests/conformance/run.sh WAKECHECK SOURCE_DIR WORK_DIR [LIST]
#
# WORK_DIR keeps the crate and its target/ between runs, so a rebuild compiles only what changed.
# CTest runs it as the test `conformance` (label conformance): ctest --test-dir build -L conformance
set -euo pipefail

wakecheck=$(realpath "$1")
source_dir=$(realpath "$2")
work=$(mkdir -p "$3" && realpath "$3")
list=${4:-$source_dir/tests/conformance/scenarios.txt}
registry=/usr/share/cargo/registry
started=$(date +%s)

# Debian's toolchain, named by path: Rust 1.63 is the floor the exported programs keep, and a
# newer cargo or rustc earlier on PATH (rustup's) would hide a program that needs more.
cargo=/usr/bin/cargo
export RUSTC=/usr/bin/rustc
for tool in "$cargo" "$RUSTC"; do
  if [ ! -x "$tool" ]; then
    echo "conformance: no $tool (scripts/install-deps --tests installs Debian's cargo and rustc)" >&2
    exit 1
  fi
done
if ! compgen -G "$registry/tokio-1.*" >/dev/null; then
  echo "conformance: no tokio sources in $registry (scripts/install-deps --tests installs librust-tokio-dev)" >&2
  exit 1
fi
if ! compgen -G "$registry/futures-0.3.*" >/dev/null; then
  echo "conformance: no futures sources in $registry (scripts/install-deps --tests installs librust-futures-dev)" >&2
  exit 1
fi

# The scenarios: one path a line, relative to the source root; '#' starts a comment. A line
# `PATH --trace CHECK` runs CHECK's counterexample forced on real tokio instead (export --trace:
# every timer fires when the trace fires it), as binary STEM__forced, whose one outcome is the
# trace's end.
mapfile -t files < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$list")
crate=$work/crate
mkdir -p "$crate/src/bin" "$crate/.cargo" "$work/export" "$work/expected" "$work/out"

# A file is rewritten only when its content changes, so that cargo rebuilds only what changed.
put() {  # put SOURCE DEST
  cmp -s "$1" "$2" 2>/dev/null || cp "$1" "$2"
}
cat > "$work/Cargo.toml.new" <<'EOF'
# Written by tests/conformance/run.sh: one binary per exported scenario, under src/bin/.
[package]
name = "wakecheck-conformance"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
tokio = { version = "1", features = ["rt", "rt-multi-thread", "sync", "time", "macros"] }
# FuturesUnordered, buffer_unordered and select_all (Debian's librust-futures-dev, 0.3.21).
futures = "0.3"
EOF
cat > "$work/config.toml.new" <<EOF
# Debian's crate folder as the registry, offline.
[source.crates-io]
replace-with = "debian"
[source.debian]
directory = "$registry"
[net]
offline = true
EOF
put "$work/Cargo.toml.new" "$crate/Cargo.toml"
put "$work/config.toml.new" "$crate/.cargo/config.toml"

# 1. Export (from the source root, so that the programs name their files by relative path).
stems=()
declare -A file_of
for line in "${files[@]}"; do
  file=${line%% *}
  check=
  case "$line" in *" --trace "*) check=${line##* --trace } ;; esac
  stem=$(basename "$file" .json)
  if [ -n "$check" ]; then
    (cd "$source_dir" && "$wakecheck" check "$file" --json "$work/export/$stem.report.json" >/dev/null) || true
    (cd "$source_dir" && "$wakecheck" export --rust "$work/export/$stem.report.json" --trace "$check" \
      --out "$work/export/forced" >/dev/null)
    put "$work/export/forced/$stem.rs" "$crate/src/bin/${stem}__forced.rs"
    put "$work/export/forced/$stem.expected" "$work/expected/${stem}__forced.expected"
    file_of[${stem}__forced]=$file
    stems+=("${stem}__forced")
    continue
  fi
  if [ -n "${file_of[$stem]:-}" ]; then
    echo "conformance: $file and ${file_of[$stem]} have the same name; binaries are named after files" >&2
    exit 1
  fi
  file_of[$stem]=$file
  stems+=("$stem")
  (cd "$source_dir" && "$wakecheck" export --rust "$file" --out "$work/export" >/dev/null)
  put "$work/export/$stem.rs" "$crate/src/bin/$stem.rs"
  put "$work/export/$stem.expected" "$work/expected/$stem.expected"
done
for old in "$crate"/src/bin/*.rs; do
  [ -n "${file_of[$(basename "$old" .rs)]:-}" ] || rm -f "$old"
done

# 2. Build every binary (tokio compiles once; target/ persists in WORK_DIR). Cargo.lock is
#    written afresh: cargos of different releases read different lockfile versions. The target/
#    of another toolchain is not reused: cargo keys its fingerprints by the rustc it runs.
rm -f "$crate/Cargo.lock"
export CARGO_TARGET_DIR=$work/target
if ! (cd "$crate" && "$cargo" build --offline --quiet --bins 2> "$work/cargo.log"); then
  cat "$work/cargo.log" >&2
  echo "conformance: the exported programs do not build" >&2
  exit 1
fi
built=$(date +%s)

# 3. Run them, four at a time; each ends by itself after its deadline (1 s), `timeout` is a guard.
rm -f "$work"/out/*
printf '%s\n' "${stems[@]}" | xargs -P 4 -I{} sh -c \
  'timeout 30 "$0/{}" > "$1/{}.txt" 2>&1; echo $? > "$1/{}.rc"' "$CARGO_TARGET_DIR/debug" "$work/out"

# 4. Compare: the tasks printed "hung" must form one of the model's outcomes.
words() {  # the words after KEY on the lines of FILE starting with KEY, one line each
  sed -n "s/^$1 //p" "$2"
}
sorted() { tr ' ' '\n' | sed -e '/^-$/d' -e '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//'; }
passed=0
failed=0
for stem in "${stems[@]}"; do
  out=$work/out/$stem.txt
  expected=$work/expected/$stem.expected
  rc=$(cat "$work/out/$stem.rc")
  real_hung=$(sed -n 's/^task \([A-Za-z0-9_]*\): hung$/\1/p' "$out" | sorted)
  agree=no
  if [ "$rc" = 0 ] && grep -q '^task main: ' "$out"; then
    while read -r outcome; do
      [ "$(echo "$outcome" | sorted)" = "$real_hung" ] && agree=yes
    done < <(words outcome "$expected")
  fi
  if [ $agree = yes ]; then
    passed=$((passed + 1))
    printf 'agree     %-36s hung: %s\n' "$stem" "${real_hung:--}"
    continue
  fi
  failed=$((failed + 1))
  printf 'DISAGREE  %-36s %s (exit %s)\n' "$stem" "${file_of[$stem]}" "$rc"
  printf '    %-14s %-14s %s\n' "task" "real tokio" "model (hung in which outcomes)"
  model_hung=$(words hung "$expected")
  outcomes=$(words outcome "$expected" | wc -l)
  for task in $(sed -n 's/^task \([A-Za-z0-9_]*\): .*/\1/p' "$out") $model_hung; do
    [ "$task" = "-" ] && continue  # the model's empty set
    case " ${seen:-} " in *" $task "*) continue ;; esac
    seen="${seen:-} $task"
    real=$(sed -n "s/^task $task: //p" "$out")
    in=$(words outcome "$expected" | grep -cw -- "$task" || true)
    if [ "$in" = 0 ]; then model="finishes"; elif [ "$in" = "$outcomes" ]; then model="hung"; else model="hung in $in of $outcomes"; fi
    printf '    %-14s %-14s %s\n' "$task" "${real:-(no line)}" "$model"
  done
  seen=""
  [ "$rc" = 0 ] || sed 's/^/    | /' "$out" | tail -5
done

finished=$(date +%s)
echo "conformance: ${#stems[@]} scenarios against real tokio; build $((built - started)) s, total $((finished - started)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
