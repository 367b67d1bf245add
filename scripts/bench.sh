#!/usr/bin/env bash
# `make bench`: runs every benchmark at default size on SQLite and on a
# throwaway PostgreSQL (fsync on). Each benchmark prints figures and, last,
# one JSON line. A benchmark that fails (bench_billing: the engine and the
# plain SQL disagree) is reported and the others still run; the script then
# exits non-zero. bench_render (payment-document PDFs) needs no database and
# runs once. bench_billing bills 1,000,000 accounts (SQLite ≈ 1.5 min
# with the region's generation, PostgreSQL ≈ 4 min, on a quiet machine).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$(realpath "${1:-build}")
work=$(mktemp -d /tmp/upravdom-bench.XXXXXX)
pgdir=$(mktemp -d /tmp/upravdom-pg.XXXXXX) # owned by the postgres user: not inside $work
trap '"$root/scripts/pg.sh" stop "$pgdir"; rm -rf "$work" "$pgdir"' EXIT
scripts/deps.sh test >/dev/null
# Durable, as in production (fsync on): bench_readings measures durable commits.
pg=$("$root/scripts/pg.sh" start "$pgdir" $(( 56000 + RANDOM % 4000 )) durable)

shopt -s nullglob
ran=0 failed=0
run() { "$@" || { echo "bench: FAILED: $*" >&2; failed=$((failed + 1)); }; }
for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  name=$(basename "$b")
  # bench_render draws PDFs in memory: no database, one run.
  if [ "$name" = bench_render ]; then
    run "$b"
    ran=$((ran + 1))
    continue
  fi
  run "$b" "sqlite:$work/$name.db"
  rm -f "$work/$name.db"*
  psql "$pg" -qc "CREATE DATABASE $name" >/dev/null
  run "$b" "${pg%/*}/$name"
  psql "$pg" -qc "DROP DATABASE $name" >/dev/null
  ran=$((ran + 2))
done
echo "bench: $ran run(s), $failed failed" >&2
[ "$failed" -eq 0 ]
