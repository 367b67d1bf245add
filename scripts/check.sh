#!/usr/bin/env bash
# `make check`: installs what the tests need, builds with ASan+UBSan, starts a
# throwaway PostgreSQL, and runs every suite (ctest) against both backends.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/deps.sh test
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)

build=$root/build-check
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DUPRAVDOM_SANITIZE=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
# The optimized build of `make demo` too: GCC warns at -O2 about what -O1 does
# not see (-Wmaybe-uninitialized, -Wdangling-pointer), and warnings are errors.
cmake -S . -B "$root/build-opt" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build-opt" -j"$(nproc)"

pgdir=$(mktemp -d /tmp/upravdom-pg.XXXXXX)
port=$(( 55000 + RANDOM % 5000 ))
trap '"$root/scripts/pg.sh" stop "$pgdir"; rm -rf "$pgdir"' EXIT
export UPRAVDOM_TEST_PG=$("$root/scripts/pg.sh" start "$pgdir" "$port")
cmake -S . -B "$build" -DUPRAVDOM_TEST_PG="$UPRAVDOM_TEST_PG" >/dev/null

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd "$build"
ctest --output-on-failure -j2 "$@"
