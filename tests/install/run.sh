#!/usr/bin/env bash
# Installed wakecheck works for another project: installs the build tree into a temporary
# prefix, checks what lands there, then configures, builds and tests tests/install/consumer
# against it (find_package(wakecheck), wakecheck_add_checks): its property files run as CTest
# tests with the installed binary, and a file whose expectation is wrong fails its test.
#
#   tests/install/run.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$(realpath "$1")
source=$(realpath "$2")
work=$3
rm -rf "$work"
mkdir -p "$work"
work=$(realpath "$work")
prefix=$work/prefix
fail() { echo "install: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" > "$work/install.log"

# What the install puts where (lib may be lib64 or lib/<multiarch> with other prefixes).
config=$(find "$prefix" -path '*/cmake/wakecheck/wakecheckConfig.cmake' | head -1)
[ -n "$config" ] || fail "no wakecheckConfig.cmake under $prefix"
for file in bin/wakecheck share/wakecheck/schema.json share/man/man1/wakecheck.1 \
    share/bash-completion/completions/wakecheck; do
  [ -f "$prefix/$file" ] || fail "missing $prefix/$file"
done
for file in wakecheckConfigVersion.cmake wakecheckTargets.cmake WakecheckChecks.cmake; do
  [ -f "$(dirname "$config")/$file" ] || fail "missing $(dirname "$config")/$file"
done
cmp -s "$prefix/share/wakecheck/schema.json" "$source/properties/schema.json" || fail "the installed schema differs"
"$prefix/bin/wakecheck" --help | grep -q "init FILE" || fail "the installed wakecheck does not run"
# The man page names every command and the exit statuses.
for word in check replay compare export init "EXIT STATUS" "wakecheck_add_checks"; do
  grep -q -- "$word" "$prefix/share/man/man1/wakecheck.1" || fail "the man page does not mention '$word'"
done
if command -v groff >/dev/null; then
  warnings=$(groff -man -Tutf8 -ww -z "$prefix/share/man/man1/wakecheck.1" 2>&1)
  [ -z "$warnings" ] || fail "groff warns about the man page: $warnings"
fi
# The completion script loads and completes the commands.
bash -c "source '$prefix/share/bash-completion/completions/wakecheck'
COMP_WORDS=(wakecheck in); COMP_CWORD=1; _wakecheck; [ \"\${COMPREPLY[*]}\" = init ]" ||
  fail "bash completion does not complete 'in' to 'init'"

# The consumer, against the prefix only.
consumer=$work/consumer
cmake -S "$source/tests/install/consumer" -B "$consumer" -DCMAKE_PREFIX_PATH="$prefix" > "$work/configure.log" ||
  { cat "$work/configure.log"; fail "the consumer does not configure"; }
grep -q "wakecheck: $(dirname "$config")" "$work/configure.log" ||
  { cat "$work/configure.log"; fail "the consumer did not find the wakecheck in $prefix"; }
cmake --build "$consumer" > "$work/build.log" || { cat "$work/build.log"; fail "the consumer does not build"; }
ctest --test-dir "$consumer" --output-on-failure | tee "$work/ctest.log"
listed=$(ctest --test-dir "$consumer" -N -L consumer | sed -n 's/^ *Test *#[0-9]*: //p' | sort | tr '\n' ' ')
[ "$listed" = "check:properties/handoff.json check:properties/pools/paused_holder.json " ] ||
  fail "the consumer's tests are '$listed'"
ctest --test-dir "$consumer" --show-only=json-v1 | grep -q "\"$prefix/bin/wakecheck\"" ||
  fail "the consumer's tests do not run the installed wakecheck"

# A wrong expectation fails its test.
cmake "$consumer" -DCONSUMER_WITH_MISMATCH=ON > "$work/configure2.log"
if ctest --test-dir "$consumer" -L mismatch > "$work/mismatch.log" 2>&1; then
  cat "$work/mismatch.log"
  fail "a property file with a wrong expectation passed as a test"
fi
echo "install: the consumer's property files run as CTest tests against $prefix"
