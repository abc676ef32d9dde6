#!/usr/bin/env bash
# The README's two commands are what CI runs and what the test suite assumes: the main job
# installs the main job's packages and builds only wakecheck, tests off; the test command installs
# the tests' packages and builds everything; .ci/run runs the test command exactly as written.
#   tests/docs/readme_commands.sh SOURCE_DIR
set -euo pipefail
cd "$1"
fail() { echo "readme commands: $*" >&2; exit 1; }
main_job=$(sed -n 's/^    \(scripts\/install-deps && cmake .*\)$/\1/p' README.md)
test_job=$(sed -n 's/^    \(scripts\/install-deps --tests && cmake .*ctest --test-dir build -j2 --output-on-failure\)$/\1/p' README.md)
[ "$(echo "$main_job" | wc -l)" = 1 ] && [ -n "$main_job" ] || fail "README.md should give one main-job command, found: $main_job"
[ "$(echo "$test_job" | wc -l)" = 1 ] && [ -n "$test_job" ] || fail "README.md should give one test command, found: $test_job"
case $main_job in
  *"-DWAKECHECK_BUILD_TESTS=OFF"*"--target wakecheck"*"build/wakecheck check properties/") ;;
  *) fail "the main job should configure with tests off, build only wakecheck, and check properties/: $main_job" ;;
esac
case $test_job in
  *"-DWAKECHECK_BUILD_TESTS=ON"*) ;;
  *) fail "the test command should configure with the tests on (a main-job build tree has them off): $test_job" ;;
esac
grep -qxF -- "$test_job" .ci/run || fail ".ci/run does not run the README's test command as written: $test_job"
echo "README: main job and test command; .ci/run runs the test command as written"
