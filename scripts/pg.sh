#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL server for the tests, on loopback.
#   scripts/pg.sh start DIR PORT [durable]   — prints the admin URL
#   scripts/pg.sh stop DIR
# The tests' server runs with fsync=off (nothing of it must survive a crash);
# `durable` keeps PostgreSQL's defaults (fsync, synchronous_commit on), for
# benchmarks of durable commits.
# initdb refuses to run as root, so the cluster belongs to the postgres user.
set -euo pipefail
cmd=$1 dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi; }

case "$cmd" in
start)
  port=$3
  fsync=off
  [ "${4:-}" = durable ] && fsync=on
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_pg "$bin/initdb -D '$dir/data' -A trust -U postgres -E UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1"
  fi
  as_pg "$bin/pg_ctl -D '$dir/data' -l '$dir/server.log' -w -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=$fsync -c max_connections=200\" start >/dev/null"
  echo "postgresql://postgres@127.0.0.1:$port/postgres"
  ;;
stop)
  [ -f "$dir/data/postmaster.pid" ] && as_pg "$bin/pg_ctl -D '$dir/data' -m fast -w stop >/dev/null" || true
  ;;
esac
