#!/usr/bin/env bash
# `make bench`: runs every benchmark at default size on SQLite and on a
# throwaway PostgreSQL (fsync on). Each benchmark prints figures and, last,
# one JSON line.
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
ran=0
for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  name=$(basename "$b")
  "$b" "sqlite:$work/$name.db"
  psql "$pg" -qc "CREATE DATABASE $name" >/dev/null
  "$b" "${pg%/*}/$name"
  ran=$((ran + 2))
done
echo "bench: $ran run(s)" >&2
