#!/usr/bin/env bash
# The Debian package: cpack builds a .deb from the build tree, holding the binary, the schema,
# the man page, bash completion and the CMake package under /usr, and its Depends name the
# package of every shared library the binary loads.
#
#   tests/install/package.sh BUILD_DIR WORK_DIR
set -euo pipefail
build=$(realpath "$1")
work=$2
rm -rf "$work"
mkdir -p "$work"
work=$(realpath "$work")
fail() { echo "package: $*" >&2; exit 1; }

cpack --config "$build/CPackConfig.cmake" -B "$work" > "$work/cpack.log" || { cat "$work/cpack.log"; fail "cpack failed"; }
debs=("$work"/*.deb)
[ ${#debs[@]} = 1 ] && [ -f "${debs[0]}" ] || fail "expected one .deb in $work, found: ${debs[*]}"
deb=${debs[0]}
dpkg-deb -c "$deb" | awk '{print $NF}' > "$work/contents.txt"
for file in ./usr/bin/wakecheck ./usr/share/wakecheck/schema.json ./usr/share/man/man1/wakecheck.1 \
    ./usr/share/bash-completion/completions/wakecheck; do
  grep -qx -- "$file" "$work/contents.txt" || fail "$file is not in $(basename "$deb")"
done
grep -q '/cmake/wakecheck/wakecheckConfig.cmake$' "$work/contents.txt" || fail "no CMake package in $(basename "$deb")"
[ "$(dpkg-deb -f "$deb" Package)" = wakecheck ] || fail "the package is not named wakecheck"

# Every shared library the binary names (NEEDED; what those need is their packages' concern)
# belongs to a package that Depends names.
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
names=$(echo "$depends" | tr ',|' '\n\n' | sed -e 's/(.*//' -e 's/[[:space:]]//g' -e 's/:.*//')
needed=$(readelf -d "$build/wakecheck" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
[ -n "$needed" ] || fail "readelf finds no shared library that wakecheck needs"
for name in $needed; do
  lib=$(ldd "$build/wakecheck" | awk -v name="$name" '$1 == name && $3 ~ /^\// {print $3}')
  [ -n "$lib" ] || fail "ldd does not resolve $name"
  owner=$(dpkg -S "$(realpath "$lib")" 2>/dev/null | head -1 | cut -d: -f1) ||
    owner=$(dpkg -S "$lib" 2>/dev/null | head -1 | cut -d: -f1) || true
  [ -n "$owner" ] || continue  # a library outside any package (a local build): nothing to name
  # The owner, or a virtual package it provides (libboost-regex1.74.0 provides ...-icu72).
  provided=$(dpkg-query -W -f='${Provides}' "$owner" 2>/dev/null | tr ',' '\n' | sed -e 's/(.*//' -e 's/[[:space:]]//g')
  satisfied=no
  for candidate in "$owner" $provided; do
    echo "$names" | grep -qxF -- "$candidate" && satisfied=yes
  done
  [ $satisfied = yes ] || fail "$lib is in $owner, which Depends does not name"
done
echo "package: $(basename "$deb") holds wakecheck, its schema, man page, completion and CMake package"
